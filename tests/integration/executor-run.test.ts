import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as progressRoute from "@/app/api/deployments/[id]/progress/route";
import { runOnce } from "@/lib/deployments/executor";
import { callRoute, createCaller } from "../support/api";
import { appManifests, insertQueuedDeployment } from "../support/executor";
import { EXECUTOR_TEST_SETTINGS, useExecutorFixture } from "../support/executor-fixture";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const fx = useExecutorFixture(t);
const db = fx.db;
const settings = EXECUTOR_TEST_SETTINGS;

async function auditRows(deploymentId: string, action: string) {
  return db().auditEvent.findMany({ where: { action, subjectId: deploymentId } });
}

describe("executor: apply, rollout, results", () => {
  it("runs a queued deployment: objects created, rollout succeeded, logs, progress and the decrypt audit stored", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: appManifests({
        namespace: ns,
        configMaps: ["settings"],
        deployment: { name: "web", image: "nginx:1.27", replicas: 2 },
      }),
    });

    const outcome = await runOnce({ processId: "exec-a", ...settings });
    expect(outcome).toMatchObject({ deploymentId: id, state: "succeeded" });

    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({
      state: "succeeded",
      objectCount: 2,
      appliedCount: 2,
      readyReplicas: 2,
      desiredReplicas: 2,
      claimedBy: "exec-a",
      attempts: 1,
    });
    expect(row.finishedAt).not.toBeNull();
    expect(row.startedAt).not.toBeNull();
    expect(row.resultMessage).toMatch(/2 created/);

    const objects = await db().deploymentObject.findMany({ where: { deploymentId: id }, orderBy: { position: "asc" } });
    expect(objects.map((o) => [o.kind, o.name, o.namespace, o.action])).toEqual([
      ["ConfigMap", "settings", ns, "created"],
      ["Deployment", "web", ns, "created"],
    ]);
    const live = await fx.admin.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" });
    expect(live?.metadata.labels?.["app.kubernetes.io/managed-by"]).toBe("wharf");
    expect(
      (live?.metadata.managedFields as { manager?: string }[] | undefined)?.some((f) => f.manager === "wharf"),
    ).toBe(true);

    const logs = await db().deploymentLog.findMany({ where: { deploymentId: id }, orderBy: { seq: "asc" } });
    const text = logs.map((l) => l.message).join("\n");
    expect(text).toMatch(/ConfigMap settings \(namespace .*\) created/);
    expect(text).toMatch(/successfully rolled out/);
    expect(text).toMatch(/Deployment succeeded/);
    // seq order follows event order: apply lines come before the rollout lines.
    expect(text.indexOf("created")).toBeLessThan(text.indexOf("successfully rolled out"));

    const decrypted = await db().auditEvent.findMany({
      where: { action: "credential.decrypted", targetId: target.targetId },
    });
    expect(decrypted).toHaveLength(1);
    expect(JSON.parse(decrypted[0]!.details)).toMatchObject({ purpose: "deployment", purposeId: id });
    expect(await auditRows(id, "deployment.started")).toHaveLength(1);
    expect(await auditRows(id, "deployment.succeeded")).toHaveLength(1);
    // The token never reaches the log or the audit trail.
    const allAudit = await db().auditEvent.findMany({ where: { targetId: target.targetId } });
    expect(JSON.stringify(allAudit) + text).not.toContain(target.token);

    const viewer = await createCaller("viewer");
    const res = await callRoute(progressRoute.GET, {
      path: `/api/deployments/${id}/progress`,
      params: { id },
      as: viewer,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      state: "succeeded",
      appliedCount: 2,
      objectCount: 2,
      readyReplicas: 2,
      desiredReplicas: 2,
      percent: 100,
    });
    expect(res.body.objects).toHaveLength(2);
    expect(res.body.logs.length).toBe(logs.length);
    const lastSeq = logs[2]!.seq;
    const after = await callRoute(progressRoute.GET, {
      path: `/api/deployments/${id}/progress?afterLog=${lastSeq}`,
      params: { id },
      as: viewer,
    });
    expect(after.body.logs.map((l: { seq: number }) => l.seq)).toEqual(
      logs.filter((l) => l.seq > lastSeq).map((l) => l.seq),
    );

    expect(await runOnce({ processId: "exec-a", ...settings })).toBeNull();
  });

  it("fails with the rollout message when a workload never becomes ready (:fail image)", async () => {
    const target = await fx.pushTarget();
    const id = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: appManifests({
        namespace: target.namespaces[0]!,
        deployment: { name: "broken", image: "registry.local/app:fail" },
      }),
    });
    const outcome = await runOnce({ processId: "exec-fail", ...settings });
    expect(outcome?.state).toBe("failed");
    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row.state).toBe("failed");
    // The sandbox reports the progress deadline at once; a real controller only after progressDeadlineSeconds (600 s
    // here), so there the rollout wait's own timeout ends it.
    expect(row.resultMessage).toMatch(
      /Rollout failed: Deployment broken .*(exceeded its progress deadline \(ReplicaSet "broken-\w+" has timed out progressing\.\)|timed out after \d+s waiting for rollout)/,
    );
    const objects = await db().deploymentObject.findMany({ where: { deploymentId: id } });
    expect(objects.map((o) => o.action)).toEqual(["created"]);
    expect(await auditRows(id, "deployment.failed")).toHaveLength(1);
  });

  it("fails with the server's 403 message when the credential may not write a namespace; results show what was applied", async () => {
    const suffix = randomBytes(3).toString("hex");
    const allowed = `ok-${suffix}`;
    const forbidden = `no-${suffix}`;
    const target = await fx.pushTarget({ namespaces: [allowed] });
    await fx.admin.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: forbidden } },
      { fieldManager: "test" },
    );
    // Wharf's rules allow both namespaces; the cluster's RBAC for this ServiceAccount only the first.
    await db().target.update({
      where: { id: target.targetId },
      data: { allowedNamespaces: JSON.stringify([allowed, forbidden]) },
    });
    const manifests = [
      appManifests({ namespace: allowed, configMaps: ["fine"] }),
      appManifests({ namespace: forbidden, configMaps: ["refused"] }),
      appManifests({ namespace: allowed, deployment: { name: "later", image: "nginx:1" } }),
    ].join("---\n");
    const id = await insertQueuedDeployment({ databaseUrl: t.url, targetId: target.targetId, manifests });

    const outcome = await runOnce({ processId: "exec-403", ...settings });
    expect(outcome?.state).toBe("failed");
    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row.resultMessage).toMatch(/refused the credential/);
    expect(row.resultMessage).toMatch(/403 Forbidden/);
    expect(row.resultMessage).toMatch(/forbidden/i);
    expect(row.resultMessage).toMatch(/Applied 1 of 3/);
    const objects = await db().deploymentObject.findMany({ where: { deploymentId: id }, orderBy: { position: "asc" } });
    expect(objects.map((o) => [o.name, o.action])).toEqual([
      ["fine", "created"],
      ["refused", "failed"],
      ["later", "pending"],
    ]);
    expect(objects[1]!.message).toMatch(/forbidden/i);
    expect(objects[2]!.message).toMatch(/not applied/);
    expect(
      await fx.admin.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: allowed, name: "later" }),
    ).toBeUndefined();
    expect(await fx.admin.get({ apiVersion: "v1", kind: "ConfigMap", namespace: allowed, name: "fine" })).toBeDefined();
  });

  it("prunes what the previous success applied and this one dropped, and nothing else", async () => {
    const target = await fx.pushTarget();
    const ns = target.namespaces[0]!;
    const first = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: appManifests({ namespace: ns, configMaps: ["keep", "drop"] }),
    });
    expect((await runOnce({ processId: "exec-p", ...settings }))?.state).toBe("succeeded");
    // Someone else's object in the same namespace, not managed by Wharf.
    await fx.admin.apply(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "theirs", namespace: ns }, data: {} },
      { fieldManager: "kubectl" },
    );

    const second = await insertQueuedDeployment({
      databaseUrl: t.url,
      targetId: target.targetId,
      manifests: appManifests({ namespace: ns, configMaps: ["keep"] }),
    });
    const outcome = await runOnce({ processId: "exec-p", ...settings });
    expect(outcome).toMatchObject({ deploymentId: second, state: "succeeded" });
    const objects = await db().deploymentObject.findMany({
      where: { deploymentId: second },
      orderBy: { position: "asc" },
    });
    expect(objects.map((o) => [o.name, o.action])).toEqual([
      ["keep", "unchanged"],
      ["drop", "pruned"],
    ]);
    expect(await fx.admin.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "drop" })).toBeUndefined();
    expect(await fx.admin.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "keep" })).toBeDefined();
    expect(await fx.admin.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "theirs" })).toBeDefined();
    expect(first).not.toBe(second);
  });
});
