import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitOfRevision } from "@/lib/agent/protocol";
import { dbFor } from "@/lib/db/client";
import { createCaller, type Caller } from "../support/api";
import { PULL_ROUTES } from "../support/agent-routes";
import { startGitServer, type GitServer } from "../support/git-server";
import { createEnrolledAgent, createPullTarget } from "../support/pull";
import { startRouteServer, type RouteServer } from "../support/route-server";
import { useTestDatabase } from "../support/test-db";
import { agentClusterAccess, appManifests, AUTHOR, eventually, startTestAgent } from "../kube/agent-support";
import { startKube, uniqueName } from "../kube/lib-support";
import { kubectlRunner } from "../support/sandbox";

// Issue 15, Must 2 (pull), end to end: a real agent syncs an application on the cluster (the sandbox with SQLite,
// the real control plane with PostgreSQL), reports its live state to the dashboard's own route, and a viewer reads
// the tree with GET /api/applications/{id}/live — the dashboard holds no cluster credential.

const t = useTestDatabase();
const db = () => dbFor(t.url);

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;
let server: RouteServer;
let admin: Caller;
let viewer: Caller;

beforeAll(async () => {
  [kube, git, server] = await Promise.all([
    startKube({ rolloutDelayMs: 200 }),
    startGitServer(),
    startRouteServer(PULL_ROUTES),
  ]);
  [admin, viewer] = await Promise.all([createCaller("admin"), createCaller("viewer")]);
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([kube?.stop(), git?.stop()]);
});

async function http(method: string, path: string, as: Caller, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${as.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as any };
}

describe("live state over HTTP: agent → dashboard route → GET /api/applications/{id}/live", () => {
  it("a synced pull application's tree (Deployment → ReplicaSet → Pods) and health reach a viewer", async () => {
    const ns = uniqueName("e2e-live");
    const target = await createPullTarget();
    await db().target.update({ where: { id: target.id }, data: { defaultNamespace: ns } });
    const agentCaller = await createEnrolledAgent(admin, [target.id]);
    const kubeClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const repo = await git.createRepo(`${ns}.git`);
    const first = await repo.commit({ files: appManifests({ value: "v1" }), author: AUTHOR, message: "first" });
    const agent = await startTestAgent({
      wharfUrl: server.url,
      credential: agentCaller.token,
      kubeClient,
      liveStateSettleMs: 500,
    });
    try {
      const registered = await http("POST", `/api/targets/${target.id}/repos`, admin, {
        url: repo.url,
        path: "deploy",
        pollIntervalSeconds: 3600,
        // Drift is reported, not corrected, so the hand edit below stays for the tree to show.
        selfHeal: false,
      });
      expect(registered.status).toBe(201);
      const { applicationId } = await db().pullRepo.findUniqueOrThrow({
        where: { id: registered.body.id },
        select: { applicationId: true },
      });
      expect(applicationId).toBeTruthy();

      const live = await eventually(
        async () => {
          const res = await http("GET", `/api/applications/${applicationId}/live`, viewer);
          return res.body.reported && res.body.health.status === "Healthy" ? res.body : undefined;
        },
        "a Healthy live state served",
        60_000,
      );
      expect(live).toMatchObject({ source: "agent", mode: "pull", agentId: agentCaller.agentId, truncated: false });
      expect(commitOfRevision(live.revisionId)).toBe(first);
      const deployment = live.roots.find((n: { kind: string }) => n.kind === "Deployment");
      expect(deployment).toMatchObject({ name: "web", namespace: ns, health: { status: "Healthy" } });
      expect(deployment.children[0]).toMatchObject({ kind: "ReplicaSet" });
      expect(deployment.children[0].children).toHaveLength(2);
      expect(deployment.children[0].children[0]).toMatchObject({
        kind: "Pod",
        pod: { phase: "Running", images: ["nginx:1.27"] },
      });

      // A drift check finds the same state: the row is confirmed, not rewritten.
      const row = await db().applicationLiveState.findUniqueOrThrow({ where: { applicationId: applicationId! } });
      await agent.syncNow(registered.body.id);
      const after = await db().applicationLiveState.findUniqueOrThrow({ where: { applicationId: applicationId! } });
      expect(after.receivedAt.getTime()).toBe(row.receivedAt.getTime());
      expect(after.digest).toBe(row.digest);

      // Issue 15, Must 1: a `kubectl edit` of the replicas (a patch under the field manager kubectl-edit) reaches the
      // viewer as an OutOfSync Deployment with what Wharf applied, what runs and who changed it; Events come along.
      const deployed = live.roots.find((n: { kind: string }) => n.kind === "Deployment");
      expect(deployed.sync).toEqual({ status: "Synced", fields: [] });
      const kubectl = await kubectlRunner(kube.cluster);
      const edited = await kubectl([
        "patch",
        "deployment",
        "web",
        "-n",
        ns,
        "--type",
        "merge",
        "-p",
        '{"spec":{"replicas":3}}',
        "--field-manager",
        "kubectl-edit",
      ]);
      expect(edited.code).toBe(0);
      await agent.syncNow(registered.body.id);
      const drifted = await eventually(
        async () => {
          const res = await http("GET", `/api/applications/${applicationId}/live`, viewer);
          const d = res.body.roots?.find((n: { kind: string }) => n.kind === "Deployment");
          return d?.sync?.status === "OutOfSync" ? d : undefined;
        },
        "an OutOfSync Deployment served",
        60_000,
      );
      expect(drifted.sync.fields).toEqual([
        {
          path: "spec.replicas",
          applied: "2",
          live: "3",
          owner: { manager: "kubectl-edit", operation: "Update", time: expect.any(String) },
        },
      ]);
      expect(drifted.events).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: "Normal", reason: "ScalingReplicaSet" })]),
      );
    } finally {
      await agent.stop();
    }
  }, 180_000);
});
