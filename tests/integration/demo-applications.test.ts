import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as applicationsRoute from "@/app/api/applications/route";
import type { ApplicationView } from "@/lib/applications/schemas";
import { DEMO_APPLICATIONS, seedDemoApplications } from "@/lib/cli/demo-applications";
import { runOnce } from "@/lib/deployments/executor";
import { resetEnvCache } from "@/lib/env";
import { renderSource } from "@/lib/render";
import { agentClusterAccess, eventually, startTestAgent } from "../kube/agent-support";
import { uniqueName } from "../kube/lib-support";
import { PULL_ROUTES } from "../support/agent-routes";
import { callRoute, createCaller, type Caller } from "../support/api";
import { EXECUTOR_TEST_SETTINGS, useExecutorFixture } from "../support/executor-fixture";
import { createEnrolledAgent, createPullTarget } from "../support/pull";
import type { SandboxPushTarget } from "../support/push-target";
import { startRouteServer, type RouteServer } from "../support/route-server";
import { useTestDatabase } from "../support/test-db";

// npm start's demo applications (lib/cli/demo-applications.ts): a Helm chart with values files and inline values, a
// kustomize overlay on a ../../base and a plain folder, push and pull, from a Git repository in the data directory.
// Seeded on targets named like the demo's; the push ones deploy on this leg's cluster. Needs the helm and kustomize
// `npm run cluster:build` builds (tests/vitest.config.ts puts them on PATH).

const t = useTestDatabase();
const fx = useExecutorFixture(t);
let dir: string;
let viewer: Caller;
let admin: Caller;
let server: RouteServer;
let dev: SandboxPushTarget;
const saved = process.env.WHARF_GIT_LOCAL_ROOTS;

const repoDir = () => path.join(dir, "demo-apps");
const stateFile = () => path.join(dir, "demo-applications.json");

async function applicationsOf(targetId: string): Promise<ApplicationView[]> {
  const res = await callRoute(applicationsRoute.GET, {
    path: `/api/applications?targetId=${targetId}`,
    as: viewer,
  });
  expect(res.status).toBe(200);
  return (res.body.items as ApplicationView[]).sort((a, b) => a.name.localeCompare(b.name));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-demo-apps-"));
  // As npm start does: the dashboard may fetch the demo's file:// repository.
  process.env.WHARF_GIT_LOCAL_ROOTS = dir;
  resetEnvCache();
  admin = await createCaller("admin");
  viewer = await createCaller("viewer");
  server = await startRouteServer(PULL_ROUTES);
  dev = await fx.pushTarget();
  await fx.db().target.update({ where: { id: dev.targetId }, data: { name: "shop-dev", environment: "dev" } });
  await createPullTarget({ name: "web-staging" });
});

afterAll(async () => {
  await server?.stop();
  if (saved === undefined) delete process.env.WHARF_GIT_LOCAL_ROOTS;
  else process.env.WHARF_GIT_LOCAL_ROOTS = saved;
  resetEnvCache();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Real rollouts run to their end here: the push checkout's failure waits out its rollout timeout (~15 s) and the pull
// checkout's Degraded its progressDeadlineSeconds (30 s), beside three other deployments and renders. 56 s alone on a
// 2-core machine: the project's 60 s per test left nothing for a loaded CI run.
describe("npm start's demo applications", { timeout: 150_000 }, () => {
  it("seeds a Helm chart, a kustomize overlay and a plain folder on the push target, which deploy", async () => {
    const seeded = await seedDemoApplications({ repoDir: repoDir(), stateFile: stateFile() });
    expect(seeded.notes).toEqual([]);
    expect(seeded.created.sort()).toEqual([
      "shop-dev/catalog",
      "shop-dev/checkout",
      "shop-dev/guestbook",
      "shop-dev/storefront",
      "web-staging/catalog",
      "web-staging/checkout",
      "web-staging/storefront",
    ]);

    const apps = await applicationsOf(dev.targetId);
    expect(apps.map((a) => [a.name, a.mode, a.renderOptions.kind, a.source.path])).toEqual([
      ["catalog", "push", "kustomize", "catalog/overlays/dev"],
      ["checkout", "push", "plain", "checkout"],
      ["guestbook", "push", "plain", "guestbook"],
      ["storefront", "push", "helm", "charts/storefront"],
    ]);
    expect(apps.find((a) => a.name === "storefront")?.renderOptions.helm).toMatchObject({
      valuesFiles: ["values-dev.yaml"],
      values: { greeting: "Hello from dev (inline value)" },
    });
    expect(new Set(apps.map((a) => a.source.repoUrl))).toEqual(new Set([`file://${repoDir()}`]));

    // shop-dev needs no approval: each first deployment is queued; the executor runs them one by one.
    for (let i = 0; i < 4; i++) await runOnce({ processId: "demo-test", ...EXECUTOR_TEST_SETTINGS });
    const deployments = await fx.db().deployment.findMany({
      where: { targetId: dev.targetId },
      include: { application: { select: { name: true } }, objects: true },
    });
    const byApp = Object.fromEntries(
      deployments.map((d) => [
        d.application?.name,
        { state: d.state, objects: d.objects.map((o) => `${o.kind}/${o.name}`).sort() },
      ]),
    );
    // checkout's image never gets ready on either leg (the `fail` tag): the push application the demo shows degraded,
    // its rollout failed with the cluster's reason.
    const checkout = deployments.find((d) => d.application?.name === "checkout");
    expect(checkout?.resultMessage).toBeTruthy();
    expect(byApp).toEqual({
      storefront: {
        state: "succeeded",
        objects: ["ConfigMap/storefront-config", "Deployment/storefront", "Service/storefront"],
      },
      catalog: { state: "succeeded", objects: ["ConfigMap/catalog-settings", "Deployment/catalog", "Service/catalog"] },
      checkout: { state: "failed", objects: ["Deployment/checkout"] },
      guestbook: {
        state: "succeeded",
        objects: ["ConfigMap/guestbook-config", "Deployment/guestbook-ui", "Service/guestbook-ui"],
      },
    });
    // The overlay rendered on its base: the generator's environment and the base's Deployment with the dev replicas.
    const ns = dev.namespaces[0]!;
    expect((await fx.configMap(ns, "catalog-settings"))?.data).toEqual({ ENVIRONMENT: "dev" });
    const catalog = await fx.admin.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "catalog" });
    expect(catalog?.metadata.labels).toMatchObject({ environment: "dev" });
    // The chart rendered into the target's namespace with its release name, values-dev.yaml, then the inline value.
    expect((await fx.configMap(ns, "storefront-config"))?.data).toEqual({
      environment: "dev",
      greeting: "Hello from dev (inline value)",
    });
  });

  it("registers the pull applications with their render options, which render from the demo repository", async () => {
    const pull = await fx
      .db()
      .target.findUniqueOrThrow({ where: { name_archivedKey: { name: "web-staging", archivedKey: "" } } });
    const apps = await applicationsOf(pull.id);
    expect(apps.map((a) => [a.name, a.mode, a.renderOptions.kind, a.source.path, a.pullRepoId !== null])).toEqual([
      ["catalog", "pull", "kustomize", "catalog/overlays/staging", true],
      ["checkout", "pull", "plain", "checkout", true],
      ["storefront", "pull", "helm", "charts/storefront", true],
    ]);
    // The pull application the demo shows degraded: its only container's image is tagged `fail`, which the sandbox's
    // kubelet (and kwok on the real control plane) never make ready, so its agent reports it Degraded.
    const checkout = await renderSource({ dir: repoDir(), path: "checkout" });
    expect(checkout.manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`)).toEqual([
      "Deployment/checkout",
    ]);
    const pod = (
      checkout.manifests[0]!.object as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } }
    ).spec.template.spec;
    expect(pod.containers.map((c) => c.image.endsWith(":fail"))).toEqual([true]);
    const storefront = apps.find((a) => a.name === "storefront")!;
    const chart = await renderSource({
      dir: repoDir(),
      path: storefront.source.path!,
      kind: "helm",
      helm: {
        releaseName: "storefront",
        namespace: "web-staging",
        valuesFiles: storefront.renderOptions.helm?.valuesFiles ?? [],
        values: storefront.renderOptions.helm?.values ?? {},
      },
    });
    const config = chart.manifests.find((m) => m.object.kind === "ConfigMap")?.object as
      { data?: Record<string, string> } | undefined;
    expect(config?.data).toEqual({ environment: "staging", greeting: "Hello from the pull agent (inline value)" });
    const deployment = chart.manifests.find((m) => m.object.kind === "Deployment")?.object as
      { spec?: { replicas?: number } } | undefined;
    expect(deployment?.spec?.replicas).toBe(2);
    const overlay = await renderSource({ dir: repoDir(), path: "catalog/overlays/staging" });
    expect(overlay.kind).toBe("kustomize");
    expect(overlay.manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`).sort()).toEqual([
      "ConfigMap/catalog-settings",
      "Deployment/catalog",
      "Service/catalog",
    ]);
  });

  it("the pull checkout, synced by a real agent, is reported Degraded with the reason (Healthy ones beside it)", async () => {
    const pull = await fx.db().target.findFirstOrThrow({ where: { name: "web-staging", mode: "pull" } });
    const ns = uniqueName("demo-pull");
    await fx.db().target.update({ where: { id: pull.id }, data: { defaultNamespace: ns } });
    const agentCaller = await createEnrolledAgent(admin, [pull.id]);
    const kubeClient = await agentClusterAccess(fx.cluster, fx.admin, [ns], `agent-${ns}`);
    const agent = await startTestAgent({
      wharfUrl: server.url,
      credential: agentCaller.token,
      kubeClient,
      // As npm start allows its demo agent: the demo repository is a file:// repository on this host.
      gitLocalRoots: [dir],
      liveStateSettleMs: 300,
      rolloutTimeoutMs: 45_000,
    });
    try {
      const apps = await applicationsOf(pull.id);
      const idOf = (name: string) => apps.find((a) => a.name === name)!.id;
      const health = (name: string) =>
        eventually(
          async () => {
            const row = await fx.db().applicationLiveState.findUnique({ where: { applicationId: idOf(name) } });
            return row && row.health !== "Progressing" ? row : undefined;
          },
          `${name}'s live state`,
          // The real control plane reports the deadline exceeded after the Deployment's 30 s; the sandbox at once.
          120_000,
        );
      const checkout = await health("checkout");
      expect(checkout.health).toBe("Degraded");
      expect(checkout.healthMessage).toBeTruthy();
      expect((await health("catalog")).health).toBe("Healthy");
    } finally {
      await agent.stop();
      await kubeClient.close();
    }
  }, 180_000);

  it("is idempotent: a second start creates nothing and requests nothing", async () => {
    const before = {
      apps: await fx.db().application.count(),
      deployments: await fx.db().deployment.count(),
      repos: await fx.db().pullRepo.count(),
    };
    const again = await seedDemoApplications({ repoDir: repoDir(), stateFile: stateFile() });
    expect(again).toEqual({ created: [], notes: [] });
    // Even without its list of what it seeded (a data directory restored without it), it finds them on their targets.
    fs.rmSync(stateFile());
    expect(await seedDemoApplications({ repoDir: repoDir(), stateFile: stateFile() })).toEqual({
      created: [],
      notes: [],
    });
    expect({
      apps: await fx.db().application.count(),
      deployments: await fx.db().deployment.count(),
      repos: await fx.db().pullRepo.count(),
    }).toEqual(before);
  });

  it("without helm seeds the rest with a note naming helm and the command that builds it; a later start adds it", async () => {
    const staging = await fx.pushTarget({ requiredApprovals: 1 });
    await fx.db().target.update({
      where: { id: staging.targetId },
      data: { name: "shop-staging", environment: "staging" },
    });
    const apps = DEMO_APPLICATIONS.filter((a) => a.target === "shop-staging");
    const without = await seedDemoApplications({
      repoDir: repoDir(),
      stateFile: stateFile(),
      tools: { helm: path.join(dir, "no-such-helm") },
      apps,
    });
    expect(without.created).toEqual(["shop-staging/catalog"]);
    expect(without.notes).toHaveLength(1);
    expect(without.notes[0]).toMatch(/^helm was not found .*storefront on shop-staging/);
    expect(without.notes[0]).toContain("npm run cluster:build -- --only helm");
    expect((await applicationsOf(staging.targetId)).map((a) => a.name)).toEqual(["catalog"]);

    const later = await seedDemoApplications({ repoDir: repoDir(), stateFile: stateFile(), apps });
    expect(later).toEqual({ created: ["shop-staging/storefront"], notes: [] });
    // One approval needed: the first deployment waits for an approver, previewed.
    const first = await fx.db().deployment.findFirstOrThrow({
      where: { targetId: staging.targetId, application: { name: "storefront" } },
    });
    expect(first.state).toBe("pending-approval");
    expect(first.previewError).toBeNull();
  });
});
