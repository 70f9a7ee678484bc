import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbFor } from "@/lib/db/client";
import { runOnce } from "@/lib/deployments/executor";
import { pushApplySet } from "@/lib/deployments/manifests";
import { APPLYSET_PART_OF_LABEL, applySetId, createKubeClient, kubeConfigFor, type KubeClient } from "@/lib/kube";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { appManifests, insertQueuedDeployment } from "../support/executor";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

// Issue 14, Must 2 at the executor: each push target's deployments form one application (an ApplySet); prune runs only
// after the rollout succeeded and only over that application's objects; another application's object is refused.

const t = useTestDatabase();
let cluster: TestCluster;
let admin: KubeClient;

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 200 });
  admin = createKubeClient(
    kubeConfigFor({ name: "sandbox", server: cluster.url, caPem: cluster.caPem, token: cluster.adminToken }),
  );
});

afterAll(async () => {
  await admin?.close();
  await cluster?.stop();
});

const db = () => dbFor(t.url);
const settings = { leaseMs: 10_000, rolloutTimeoutMs: 15_000 };

const configMap = (namespace: string, name: string) =>
  admin.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name });

async function deploy(target: SandboxPushTarget, manifests: string) {
  const id = await insertQueuedDeployment({ databaseUrl: t.url, targetId: target.targetId, manifests });
  const outcome = await runOnce({ processId: "exec-aset", ...settings });
  expect(outcome?.deploymentId).toBe(id);
  const row = await db().deployment.findUniqueOrThrow({ where: { id } });
  const logs = await db().deploymentLog.findMany({ where: { deploymentId: id }, orderBy: { seq: "asc" } });
  return { row, log: logs.map((l) => l.message).join("\n") };
}

describe("executor: each application owns only its objects", () => {
  it("a failed rollout prunes nothing; the next successful one prunes what was dropped", async () => {
    const target = await createSandboxPushTarget(cluster, { databaseUrl: t.url });
    const ns = target.namespaces[0]!;
    const first = await deploy(
      target,
      appManifests({ namespace: ns, configMaps: ["keep", "drop"], deployment: { name: "web", image: "nginx:1.27" } }),
    );
    expect(first.row.state).toBe("succeeded");
    const live = await configMap(ns, "drop");
    expect(live?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(
      applySetId(pushApplySet({ id: target.targetId, name: target.name, defaultNamespace: ns })),
    );

    const broken = await deploy(
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
    expect(await configMap(ns, "drop")).toBeDefined();
    const brokenPruned = await db().deploymentObject.findMany({
      where: { deploymentId: broken.row.id, action: "pruned" },
    });
    expect(brokenPruned).toEqual([]);

    const fixed = await deploy(
      target,
      appManifests({ namespace: ns, configMaps: ["keep"], deployment: { name: "web", image: "nginx:1.27" } }),
    );
    expect(fixed.row.state).toBe("succeeded");
    expect(fixed.row.resultMessage).toMatch(/pruned 1/);
    expect(await configMap(ns, "drop")).toBeUndefined();
    expect(await configMap(ns, "keep")).toBeDefined();
    // The log shows the order: rollout first, prune after.
    expect(fixed.log.indexOf("rolled out")).toBeLessThan(fixed.log.indexOf("pruned"));
  });

  it("two targets in one namespace never prune each other, and one cannot take the other's object", async () => {
    const shop = await createSandboxPushTarget(cluster, { databaseUrl: t.url });
    const ns = shop.namespaces[0]!;
    const other = await createSandboxPushTarget(cluster, { databaseUrl: t.url, namespaces: [ns] });

    expect(
      (await deploy(shop, appManifests({ namespace: ns, configMaps: ["podinfo-a", "podinfo-b"] }))).row.state,
    ).toBe("succeeded");
    expect((await deploy(other, appManifests({ namespace: ns, configMaps: ["guestbook"] }))).row.state).toBe(
      "succeeded",
    );
    // The other target's next deployment drops nothing of shop's, whatever it contains.
    expect((await deploy(other, appManifests({ namespace: ns, configMaps: ["guestbook-2"] }))).row.state).toBe(
      "succeeded",
    );
    for (const name of ["podinfo-a", "podinfo-b", "guestbook-2"]) expect(await configMap(ns, name), name).toBeDefined();
    expect(await configMap(ns, "guestbook")).toBeUndefined();

    const taken = await deploy(other, appManifests({ namespace: ns, configMaps: ["guestbook-2", "podinfo-a"] }));
    expect(taken.row.state).toBe("failed");
    expect(taken.row.resultMessage).toContain(`already belongs to application push to ${shop.name}`);
    expect((await configMap(ns, "podinfo-a"))?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(
      applySetId(pushApplySet({ id: shop.targetId, name: shop.name, defaultNamespace: ns })),
    );
    expect(await configMap(ns, "guestbook-2")).toBeDefined();
  });
});
