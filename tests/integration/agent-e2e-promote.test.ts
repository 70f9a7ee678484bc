import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as promoteRoute from "@/app/api/applications/[id]/promote/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import { commitOfRevision } from "@/lib/agent/protocol";
import { dbFor } from "@/lib/db/client";
import * as deploymentRoute from "@/app/api/deployments/[id]/route";
import type { DeploymentView } from "@/lib/deployments/schemas";
import { agentClusterAccess, appManifests, AUTHOR, eventually, startTestAgent } from "../kube/agent-support";
import { startKube, uniqueName } from "../kube/lib-support";
import { PULL_ROUTES } from "../support/agent-routes";
import { callRoute, createCaller, type Caller } from "../support/api";
import { startGitServer, type GitServer } from "../support/git-server";
import { createEnrolledAgent } from "../support/pull";
import { startRouteServer, type RouteServer } from "../support/route-server";
import { useTestDatabase } from "../support/test-db";

// Issue 15, Must 4 (pull), end to end on the leg's cluster (the sandbox with SQLite, the real control plane with
// PostgreSQL): one real agent serves staging (no approvals) and prod (one approval). Staging syncs its branch head;
// prod waits. Staging's revision is promoted, someone else approves, and the agent applies that commit in prod with
// prod's own folder — then keeps it (pinned) while the branch moves on.

const t = useTestDatabase();
const db = () => dbFor(t.url);

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;
let server: RouteServer;
let admin: Caller;
let approver: Caller;

beforeAll(async () => {
  [kube, git, server] = await Promise.all([
    startKube({ rolloutDelayMs: 200 }),
    startGitServer(),
    startRouteServer(PULL_ROUTES),
  ]);
  [admin, approver] = await Promise.all([createCaller("admin"), createCaller("approver")]);
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([kube?.stop(), git?.stop()]);
});

const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

async function pullTarget(environment: string, namespace: string, requiredApprovals: number) {
  return db().target.create({
    data: {
      name: `${environment}-${randomBytes(3).toString("hex")}`,
      environment,
      mode: "pull",
      serverUrl: "https://127.0.0.1:6443",
      defaultNamespace: namespace,
      requiredApprovals,
      allowTokenApprovals: true,
    },
  });
}

async function pullApp(targetId: string, name: string, url: string, path: string): Promise<string> {
  const res = await callRoute(applicationsRoute.POST, {
    method: "POST",
    path: "/api/applications",
    body: { name, targetId, source: { kind: "git", repoUrl: url, ref: "main", path } },
    as: admin,
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

const statusOf = (applicationId: string) =>
  db().pullRepo.findUniqueOrThrow({ where: { applicationId }, include: { status: true } });

describe("promote a pull application, applied by its agent", () => {
  it("staging's commit reaches prod's namespace with prod's folder only after prod's approval, and stays there", async () => {
    const [stagingNs, prodNs] = [uniqueName("promote-s"), uniqueName("promote-p")];
    const staging = await pullTarget("staging", stagingNs, 0);
    const prod = await pullTarget("prod", prodNs, 1);
    const repo = await git.createRepo(`promote-${randomBytes(3).toString("hex")}.git`);
    const name = `shop-${randomBytes(3).toString("hex")}`;
    const first = await repo.commit({
      files: {
        "envs/staging/cm.yaml": configMap("shop-settings", "staging-1"),
        "envs/prod/cm.yaml": configMap("shop-settings", "prod-1"),
      },
      author: AUTHOR,
      message: "first",
    });
    const agentCaller = await createEnrolledAgent(admin, [staging.id, prod.id]);
    const kubeClient = await agentClusterAccess(kube.cluster, kube.client, [stagingNs, prodNs], `agent-${stagingNs}`);
    const agent = await startTestAgent({ wharfUrl: server.url, credential: agentCaller.token, kubeClient });
    try {
      const stagingApp = await pullApp(staging.id, name, repo.url, "envs/staging");
      const prodApp = await pullApp(prod.id, name, repo.url, "envs/prod");
      await eventually(
        async () => ((await statusOf(stagingApp)).status?.revision?.startsWith(first) ? true : undefined),
        "staging synced",
        60_000,
      );
      // Prod's agent asks approval for the head and applies nothing.
      await eventually(
        () =>
          db()
            .deployment.findFirst({ where: { applicationId: prodApp, state: "pending-approval" } })
            .then((d) => d ?? undefined),
        "prod's own approval request",
        60_000,
      );
      expect(
        await kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: prodNs, name: "shop-settings" }),
      ).toBeFalsy();

      const promoted = await callRoute(promoteRoute.POST, {
        method: "POST",
        path: `/api/applications/${stagingApp}/promote`,
        params: { id: stagingApp },
        body: { to: prod.id },
        as: admin,
      });
      expect(promoted.status, promoted.text).toBe(201);
      expect(promoted.body.state).toBe("pending-approval");
      const approved = await callRoute(approvalsRoute.POST, {
        method: "POST",
        path: `/api/deployments/${promoted.body.id}/approvals`,
        params: { id: promoted.body.id },
        body: { decision: "approved" },
        as: approver,
      });
      expect(approved.status, approved.text).toBe(201);

      // The agent applies the promoted commit in prod, from prod's folder, and the request completes.
      const live = await eventually(
        async () => {
          const cm = await kube.client.get({
            apiVersion: "v1",
            kind: "ConfigMap",
            namespace: prodNs,
            name: "shop-settings",
          });
          return (cm as { data?: Record<string, string> } | null)?.data?.value === "prod-1" ? cm : undefined;
        },
        "the promoted ConfigMap in prod",
        60_000,
      );
      expect(live).toBeTruthy();
      await eventually(
        async () =>
          (await db().deployment.findUniqueOrThrow({ where: { id: promoted.body.id } })).state === "succeeded"
            ? true
            : undefined,
        "the promotion request succeeded",
        60_000,
      );
      const prodRepo = await statusOf(prodApp);
      expect(commitOfRevision(prodRepo.status!.revision!)).toBe(first);
      // Pinned to what it applied: the promoted revision, not its branch head.
      expect(prodRepo.pinnedRevision).toBe(prodRepo.status!.revision);

      // A new commit moves staging on; prod stays on the promoted one (pinned), whatever its branch does.
      const second = await repo.commit({
        files: {
          "envs/staging/cm.yaml": configMap("shop-settings", "staging-2"),
          "envs/prod/cm.yaml": configMap("shop-settings", "prod-2"),
        },
        author: AUTHOR,
        message: "second",
      });
      await agent.syncNow((await statusOf(stagingApp)).id);
      await eventually(
        async () => ((await statusOf(stagingApp)).status?.revision?.startsWith(second) ? true : undefined),
        "staging on the second commit",
        60_000,
      );
      await agent.syncNow(prodRepo.id);
      const cm = await kube.client.get({
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: prodNs,
        name: "shop-settings",
      });
      expect((cm as { data?: Record<string, string> } | null)?.data?.value).toBe("prod-1");
    } finally {
      await agent.stop();
      await kubeClient.close();
    }
  }, 240_000);

  it("before prod's approval, the promotion request shows the diff prod's agent dry-ran, and prod is untouched", async () => {
    const [stagingNs, prodNs] = [uniqueName("promote-ds"), uniqueName("promote-dp")];
    const staging = await pullTarget("staging", stagingNs, 0);
    const prod = await pullTarget("prod", prodNs, 1);
    const repo = await git.createRepo(`promote-diff-${randomBytes(3).toString("hex")}.git`);
    const name = `shop-${randomBytes(3).toString("hex")}`;
    // Both environments' folders hold the same app; a release changes its image in both.
    const release = (image: string) =>
      Object.fromEntries(
        ["staging", "prod"].flatMap((env) =>
          Object.entries(appManifests({ image, replicas: 1 })).map(([file, text]) => [
            file.replace("deploy/", `envs/${env}/`),
            text,
          ]),
        ),
      );
    const first = await repo.commit({ files: release("nginx:1.27"), author: AUTHOR, message: "first" });
    const agentCaller = await createEnrolledAgent(admin, [staging.id, prod.id]);
    const kubeClient = await agentClusterAccess(kube.cluster, kube.client, [stagingNs, prodNs], `agent-${stagingNs}`);
    const agent = await startTestAgent({ wharfUrl: server.url, credential: agentCaller.token, kubeClient });
    const prodImage = async () => {
      const d = (await kube.client.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: prodNs,
        name: "web",
      })) as {
        spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
      } | null;
      return d?.spec?.template?.spec?.containers?.[0]?.image;
    };
    const approve = async (id: string) => {
      const res = await callRoute(approvalsRoute.POST, {
        method: "POST",
        path: `/api/deployments/${id}/approvals`,
        params: { id },
        body: { decision: "approved" },
        as: approver,
      });
      expect(res.status, res.text).toBe(201);
    };
    try {
      const stagingApp = await pullApp(staging.id, name, repo.url, "envs/staging");
      const prodApp = await pullApp(prod.id, name, repo.url, "envs/prod");
      // Prod runs the first release, through its own approval.
      const own = await eventually(
        () =>
          db()
            .deployment.findFirst({ where: { applicationId: prodApp, state: "pending-approval" } })
            .then((d) => d ?? undefined),
        "prod's approval request for the first release",
        60_000,
      );
      await approve(own.id);
      await eventually(async () => ((await prodImage()) === "nginx:1.27" ? true : undefined), "prod on 1.27", 60_000);

      // The second release reaches staging; prod's branch waits for approval.
      const second = await repo.commit({ files: release("nginx:1.28"), author: AUTHOR, message: "second" });
      await agent.syncNow((await statusOf(stagingApp)).id);
      await eventually(
        async () => ((await statusOf(stagingApp)).status?.revision?.startsWith(second) ? true : undefined),
        "staging on the second release",
        60_000,
      );

      const promoted = await callRoute(promoteRoute.POST, {
        method: "POST",
        path: `/api/applications/${stagingApp}/promote`,
        params: { id: stagingApp },
        body: { to: prod.id },
        as: admin,
      });
      expect(promoted.status, promoted.text).toBe(201);
      expect(promoted.body.state).toBe("pending-approval");
      const id = promoted.body.id as string;

      // The request's page: prod's agent dry-runs the pin and reports what it changes there.
      const shown = await eventually(
        async () => {
          const res = await callRoute(deploymentRoute.GET, {
            path: `/api/deployments/${id}`,
            params: { id },
            as: admin,
          });
          const view = res.body as DeploymentView;
          return view.preview ? view : undefined;
        },
        "the promotion's diff from prod's agent",
        60_000,
      );
      expect(shown.previewByAgent).toBe(true);
      expect(shown.state).toBe("pending-approval");
      const web = shown.preview!.objects.find((o) => o.kind === "Deployment" && o.name === "web");
      expect(web).toMatchObject({ action: "change", namespace: prodNs });
      expect(web!.changes).toContainEqual(
        expect.objectContaining({
          path: "spec.template.spec.containers[name=web].image",
          old: "nginx:1.27",
          new: "nginx:1.28",
        }),
      );
      // A dry run only: prod still runs the first release, unpinned.
      expect(await prodImage()).toBe("nginx:1.27");
      const before = await statusOf(prodApp);
      expect(before.pinnedRevision).toBeNull();
      expect(commitOfRevision(before.status!.revision!)).toBe(first);

      // Approved, prod's agent applies it.
      await approve(id);
      await eventually(async () => ((await prodImage()) === "nginx:1.28" ? true : undefined), "prod on 1.28", 60_000);
      await eventually(
        async () =>
          (await db().deployment.findUniqueOrThrow({ where: { id } })).state === "succeeded" ? true : undefined,
        "the promotion request succeeded",
        60_000,
      );
    } finally {
      await agent.stop();
      await kubeClient.close();
    }
  }, 240_000);
});
