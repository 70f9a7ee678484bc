import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import * as deploymentsRoute from "@/app/api/deployments/route";
import type { DeploymentPreview } from "@/lib/deployments/schemas";
import { pushApplySet } from "@/lib/deployments/manifests";
import { APPLYSET_PART_OF_LABEL, applySetId, MANAGED_BY_LABEL, MANAGED_BY_VALUE, readApplySetParent } from "@/lib/kube";
import { callRoute, createCaller, type Caller } from "../support/api";
import { appManifests, insertQueuedDeployment } from "../support/executor";
import { useExecutorFixture } from "../support/executor-fixture";
import type { SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

// Issue 14, Must 2 at the executor, on both cluster legs (SQLite with the sandbox, PostgreSQL with the real control
// plane when it is built): each application is an ApplySet; prune runs only after the rollout succeeded and only over
// that application's objects; another application's object is refused, naming its owner, and never taken over.

const t = useTestDatabase();
const fx = useExecutorFixture(t);
let deployer: Caller;

beforeAll(async () => {
  deployer = await createCaller("deployer");
});

const partOf = async (ns: string, name: string) =>
  (await fx.configMap(ns, name))?.metadata.labels?.[APPLYSET_PART_OF_LABEL];

/**
 * Requests a deployment of `application` through the API, as a person does (no approvals needed on these targets, so
 * it is queued with its preview). Returns its id and the preview people saw.
 */
async function requestApp(target: SandboxPushTarget, application: string, manifests: string) {
  const res = await callRoute(deploymentsRoute.POST, {
    method: "POST",
    path: "/api/deployments",
    body: { targetId: target.targetId, application, source: { kind: "manifests", manifests }, reason: "two apps" },
    as: deployer,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = (res.body as { id: string }).id;
  const requested = await fx.db().deployment.findUniqueOrThrow({ where: { id } });
  expect(requested.state).toBe("queued");
  expect(requested.previewError).toBeNull();
  return { id, preview: JSON.parse(requested.previewJson ?? "null") as DeploymentPreview };
}

/** Runs a requested deployment; returns its row, log, objects and application. */
async function runApp(id: string, opts: Parameters<typeof fx.run>[1] = {}) {
  const { row, log } = await fx.run(id, opts);
  const objects = await fx
    .db()
    .deploymentObject.findMany({ where: { deploymentId: id }, orderBy: { position: "asc" } });
  const application = await fx.db().application.findUniqueOrThrow({ where: { id: row.applicationId ?? "" } });
  return { row, log, objects, application };
}

/** Requests and runs a deployment of `application`: the preview people saw and what the run did. */
async function deployApp(target: SandboxPushTarget, application: string, manifests: string) {
  const { id, preview } = await requestApp(target, application, manifests);
  return { preview, ...(await runApp(id)) };
}

describe("executor: each application owns only its objects", () => {
  it("a failed rollout prunes nothing; the next successful one prunes what was dropped", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const first = await fx.deployQueued(
      target,
      appManifests({ namespace: ns, configMaps: ["keep", "drop"], deployment: { name: "web", image: "nginx:1.27" } }),
    );
    expect(first.row.state).toBe("succeeded");
    expect(await partOf(ns, "drop")).toBe(
      applySetId(pushApplySet({ id: target.targetId, name: target.name, defaultNamespace: ns })),
    );

    // The image ending in `:fail` never becomes ready: the sandbox's simulator and kwok (real leg) both fail it.
    const broken = await fx.deployQueued(
      target,
      appManifests({
        namespace: ns,
        configMaps: ["keep"],
        deployment: { name: "web", image: "registry.local/app:fail" },
      }),
    );
    expect(broken.row.state).toBe("failed");
    expect(broken.row.resultMessage).toMatch(/^Rollout failed/);
    expect(broken.log).toMatch(/Nothing pruned: the rollout did not succeed/);
    expect(await fx.configMap(ns, "drop")).toBeDefined();
    const brokenPruned = await fx.db().deploymentObject.findMany({
      where: { deploymentId: broken.row.id, action: "pruned" },
    });
    expect(brokenPruned).toEqual([]);

    const fixed = await fx.deployQueued(
      target,
      appManifests({ namespace: ns, configMaps: ["keep"], deployment: { name: "web", image: "nginx:1.27" } }),
    );
    expect(fixed.row.state).toBe("succeeded");
    expect(fixed.row.resultMessage).toMatch(/pruned 1/);
    expect(await fx.configMap(ns, "drop")).toBeUndefined();
    expect(await fx.configMap(ns, "keep")).toBeDefined();
    // The log shows the order: rollout first, prune after.
    expect(fixed.log.indexOf("rolled out")).toBeLessThan(fixed.log.indexOf("pruned"));
  });

  it("prunes what an interrupted attempt applied before the ApplySet parent recorded it", async () => {
    // The executor writes the parent alongside the first objects (lib/kube's parentAlongside), so a crash or a failed
    // parent write can leave a member whose kind the parent does not name: the attempt's rows name it instead.
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const first = await fx.deployQueued(target, appManifests({ namespace: ns, configMaps: ["a"] }));
    expect(first.row.state).toBe("succeeded");
    const set = pushApplySet({ id: target.targetId, name: target.name, defaultNamespace: ns });

    // The attempt that planned a Secret too: its object applied as a member, its parent write never made.
    const withSecret = `${appManifests({ namespace: ns, configMaps: ["a"] })}---
apiVersion: v1
kind: Secret
metadata:
  name: stray
  namespace: ${ns}
stringData:
  token: t
`;
    const interruptedId = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: withSecret,
    });
    await fx.db().deployment.update({
      where: { id: interruptedId },
      data: { applicationId: first.row.applicationId, state: "failed", startedAt: new Date(), finishedAt: new Date() },
    });
    await fx.db().deploymentObject.createMany({
      data: [
        { deploymentId: interruptedId, position: 0, apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "a" },
        // Applied, but the crash came before its row said so.
        { deploymentId: interruptedId, position: 1, apiVersion: "v1", kind: "Secret", namespace: ns, name: "stray" },
      ],
    });
    await fx.admin.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: "stray",
          namespace: ns,
          labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [APPLYSET_PART_OF_LABEL]: applySetId(set) },
        },
        stringData: { token: "t" },
      },
      { fieldManager: "wharf" },
    );
    const secret = { apiVersion: "v1", kind: "Secret", namespace: ns, name: "stray" };
    const parent = await readApplySetParent(fx.admin, set);
    expect(parent.groupKinds).not.toContain("Secret");

    const next = await fx.deployQueued(target, appManifests({ namespace: ns, configMaps: ["a"] }));
    expect(next.row.state, next.log).toBe("succeeded");
    expect(next.log).toMatch(/Secret stray \(namespace [^)]+\) pruned/);
    expect(await fx.admin.get(secret)).toBeUndefined();
    expect(await fx.configMap(ns, "a")).toBeDefined();
  });

  it("two applications on one target and namespace never prune each other; the preview's prune count is what is pruned", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const guestbookV1 = appManifests({
      namespace: ns,
      configMaps: ["guestbook-ui", "guestbook-redis"],
      deployment: { name: "guestbook", image: "nginx:1.27", replicas: 1 },
    });
    const podinfo = appManifests({
      namespace: ns,
      configMaps: ["podinfo-a", "podinfo-b"],
      deployment: { name: "podinfo", image: "nginx:1.27", replicas: 1 },
    });

    const a1 = await deployApp(target, "guestbook", guestbookV1);
    expect(a1.row.state, a1.row.resultMessage ?? "").toBe("succeeded");
    const b1 = await deployApp(target, "podinfo", podinfo);
    expect(b1.row.state, b1.row.resultMessage ?? "").toBe("succeeded");
    // podinfo's first preview: its three objects are created, none of guestbook's is pruned.
    expect(b1.preview.counts).toMatchObject({ create: 3, prune: 0 });
    expect(b1.preview.objects.filter((o) => o.action === "prune")).toEqual([]);
    expect(b1.row.resultMessage).toMatch(/pruned 0/);

    const guestbookSet = applySetId(
      pushApplySet({ id: target.targetId, name: target.name, defaultNamespace: ns }, a1.application),
    );
    const podinfoSet = applySetId(
      pushApplySet({ id: target.targetId, name: target.name, defaultNamespace: ns }, b1.application),
    );
    expect(guestbookSet).not.toBe(podinfoSet);
    expect(await partOf(ns, "guestbook-redis")).toBe(guestbookSet);
    expect(await partOf(ns, "podinfo-a")).toBe(podinfoSet);
    const podinfoBefore = await Promise.all(
      ["podinfo-a", "podinfo-b"].map(async (name) => (await fx.configMap(ns, name))?.metadata.resourceVersion),
    );

    // guestbook again without its redis ConfigMap: only that object goes, after the rollout; podinfo is untouched.
    const a2 = await deployApp(
      target,
      "guestbook",
      appManifests({
        namespace: ns,
        configMaps: ["guestbook-ui"],
        deployment: { name: "guestbook", image: "nginx:1.28", replicas: 1 },
      }),
    );
    expect(a2.row.state, a2.row.resultMessage ?? "").toBe("succeeded");
    expect(a2.application.id).toBe(a1.application.id);
    const previewPrunes = a2.preview.objects.filter((o) => o.action === "prune").map((o) => `${o.kind}/${o.name}`);
    const pruned = a2.objects.filter((o) => o.action === "pruned").map((o) => `${o.kind}/${o.name}`);
    expect(previewPrunes).toEqual(["ConfigMap/guestbook-redis"]);
    expect(a2.preview.counts.prune).toBe(pruned.length);
    expect(pruned).toEqual(previewPrunes);
    expect(a2.row.resultMessage).toMatch(/pruned 1/);
    expect(await fx.configMap(ns, "guestbook-redis")).toBeUndefined();
    expect(await fx.configMap(ns, "guestbook-ui")).toBeDefined();
    const podinfoAfter = await Promise.all(
      ["podinfo-a", "podinfo-b"].map(async (name) => (await fx.configMap(ns, name))?.metadata.resourceVersion),
    );
    expect(podinfoAfter).toEqual(podinfoBefore);
    const podinfoDeployment = await fx.admin.get({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: ns,
      name: "podinfo",
    });
    expect(podinfoDeployment?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(podinfoSet);
    expect(a2.log.indexOf("rolled out")).toBeLessThan(a2.log.indexOf("guestbook-redis (namespace"));

    // podinfo's next deployment, with nothing dropped, prunes nothing of guestbook's.
    const b2 = await deployApp(target, "podinfo", podinfo);
    expect(b2.row.state).toBe("succeeded");
    expect(b2.preview.counts.prune ?? 0).toBe(0);
    expect(b2.objects.filter((o) => o.action === "pruned")).toEqual([]);
    expect(await fx.configMap(ns, "guestbook-ui")).toBeDefined();
  });

  it("a preview made while the other application's deployment runs is what runs: it prunes none of the other's objects", async () => {
    // The report: guestbook's preview said prune 0 while podinfo's deployment ran, and its run then pruned
    // podinfo's three objects. Two applications now: the preview and the run both see only guestbook's objects.
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const guestbook = appManifests({ namespace: ns, configMaps: ["guestbook-ui"] });
    expect((await deployApp(target, "guestbook", guestbook)).row.state).toBe("succeeded");

    const podinfo = await requestApp(
      target,
      "podinfo",
      appManifests({ namespace: ns, configMaps: ["podinfo-a", "podinfo-b", "podinfo-c"] }),
    );
    let again: Awaited<ReturnType<typeof requestApp>> | undefined;
    const landed = await runApp(podinfo.id, {
      onPhase: async ({ phase }) => {
        // podinfo's objects are applied, its run is not over: guestbook is requested (and previewed) now.
        if (phase === "waiting-rollout") again = await requestApp(target, "guestbook", guestbook);
      },
    });
    expect(landed.row.state).toBe("succeeded");
    expect(again?.preview.counts).toMatchObject({ unchanged: 1, prune: 0 });

    const run = await runApp(again!.id);
    expect(run.row.state).toBe("succeeded");
    expect(run.objects.filter((o) => o.action === "pruned")).toEqual([]);
    expect(run.row.resultMessage).toMatch(/pruned 0/);
    for (const name of ["podinfo-a", "podinfo-b", "podinfo-c"])
      expect(await fx.configMap(ns, name), name).toBeDefined();
  });

  it("an object of another application on the same target is refused naming that application, never taken over", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const a = await deployApp(target, "guestbook", appManifests({ namespace: ns, configMaps: ["guestbook-ui"] }));
    expect(a.row.state).toBe("succeeded");
    const owner = `application guestbook (push to ${target.name})`;

    const b = await deployApp(
      target,
      "podinfo",
      appManifests({ namespace: ns, configMaps: ["podinfo-a", "guestbook-ui"] }),
    );
    // The preview already shows the refusal, on the object, naming its owner.
    const refusedInPreview = b.preview.objects.find((o) => o.name === "guestbook-ui");
    expect(refusedInPreview?.action).toBe("error");
    expect(refusedInPreview?.message).toContain(`already belongs to ${owner}`);
    expect(b.row.state).toBe("failed");
    expect(b.row.resultMessage).toContain(`ConfigMap guestbook-ui`);
    expect(b.row.resultMessage).toContain(`already belongs to ${owner}`);
    // Nothing of the set was applied: not the stranger's object, not its own.
    expect(await partOf(ns, "guestbook-ui")).toBe(
      applySetId(pushApplySet({ id: target.targetId, name: target.name, defaultNamespace: ns }, a.application)),
    );
    expect(((await fx.configMap(ns, "guestbook-ui"))?.data as Record<string, string>).key).toBe("guestbook-ui-value");
    expect(await fx.configMap(ns, "podinfo-a")).toBeUndefined();
    expect(b.objects.find((o) => o.name === "guestbook-ui")?.action).toBe("failed");
  });

  it("two targets in one namespace never prune each other, and one cannot take the other's object", async () => {
    const shop = await fx.pushTarget();
    const ns = shop.namespaces[0]!;
    const other = await fx.pushTarget({ namespaces: [ns] });

    expect(
      (await fx.deployQueued(shop, appManifests({ namespace: ns, configMaps: ["podinfo-a", "podinfo-b"] }))).row.state,
    ).toBe("succeeded");
    expect((await fx.deployQueued(other, appManifests({ namespace: ns, configMaps: ["guestbook"] }))).row.state).toBe(
      "succeeded",
    );
    // The other target's next deployment drops nothing of shop's, whatever it contains.
    expect((await fx.deployQueued(other, appManifests({ namespace: ns, configMaps: ["guestbook-2"] }))).row.state).toBe(
      "succeeded",
    );
    for (const name of ["podinfo-a", "podinfo-b", "guestbook-2"])
      expect(await fx.configMap(ns, name), name).toBeDefined();
    expect(await fx.configMap(ns, "guestbook")).toBeUndefined();

    const taken = await fx.deployQueued(
      other,
      appManifests({ namespace: ns, configMaps: ["guestbook-2", "podinfo-a"] }),
    );
    expect(taken.row.state).toBe("failed");
    expect(taken.row.resultMessage).toContain(`already belongs to application push to ${shop.name}`);
    expect(await partOf(ns, "podinfo-a")).toBe(
      applySetId(pushApplySet({ id: shop.targetId, name: shop.name, defaultNamespace: ns })),
    );
    expect(await fx.configMap(ns, "guestbook-2")).toBeDefined();
  });
});
