import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as scopeRoute from "@/app/api/credentials/[id]/scope-check/route";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { claimScopeCheck, releaseScopeCheck } from "@/lib/credentials/data/check-credential-scope";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { resolveRange } from "@/lib/compare/range";
import { runScopeSweepTick } from "@/lib/credentials/scope-sweeper";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { db } from "@/lib/db";
import { applyManifests, createKubeClient, kubeConfigFor } from "@/lib/kube";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { callRoute, createCaller } from "../support/api";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

// The scope sweeper, one pass at a time (its tick, with a moved clock) against the sandbox cluster: what it checks,
// what it stores, what it audits, and what it leaves alone.
const t = useTestDatabase();
const DAY = 86_400_000;
const environment = `sweep-${randomBytes(3).toString("hex")}`;
let cluster: TestCluster;
const base = new Date();
const at = (ms: number) => () => new Date(base.getTime() + ms);
const ids = { unreachable: "", admin: "", scoped: "" };
let scoped: SandboxPushTarget;

async function activeCredentialId(targetId: string): Promise<string> {
  return (await db().credential.findFirstOrThrow({ where: { targetId, state: "active" }, select: { id: true } })).id;
}

function decrypts(credentialId: string) {
  return db().auditEvent.findMany({ where: { action: "credential.decrypted", credentialId }, orderBy: { seq: "asc" } });
}

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 50 });
  // Stored first, so the pass reaches it before the reachable ones: its failure must not stop them.
  const down = await db().target.create({
    data: {
      name: `down-${randomBytes(3).toString("hex")}`,
      environment,
      mode: "push",
      serverUrl: "https://127.0.0.1:1",
    },
  });
  await saveCredential({
    targetId: down.id,
    input: { kind: "bearer-token", token: `opaque-${randomBytes(8).toString("hex")}` },
    actor: SYSTEM_ACTOR,
    actorRole: "admin",
    actorUserId: null,
    request: NO_REQUEST,
  });
  ids.unreachable = await activeCredentialId(down.id);
  const admin = await createSandboxPushTarget(cluster, { databaseUrl: t.url, clusterAdmin: true, environment });
  ids.admin = await activeCredentialId(admin.targetId);
  scoped = await createSandboxPushTarget(cluster, { databaseUrl: t.url, environment });
  ids.scoped = await activeCredentialId(scoped.targetId);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("scope sweeper", () => {
  it("checks never-checked credentials one at a time: flags the cluster-admin one, records the unreachable cluster and goes on", async () => {
    const before = await getComparison({ range: resolveRange({ range: "7", environment }), now: base });
    expect(before.exposure.push).toMatchObject({
      credentials: 3,
      clusterAdmin: 0,
      scopeUnchecked: 3,
      scopeCheckFailed: 0,
    });

    const outcomes = await runScopeSweepTick({ holder: "sweeper-a", intervalMs: DAY, now: at(0), random: () => 0 });
    expect(outcomes.map((o) => o.credentialId)).toEqual([ids.unreachable, ids.admin, ids.scoped]);
    expect(outcomes).toMatchObject([
      { credentialId: ids.unreachable, result: "failed" },
      { credentialId: ids.admin, result: "checked", clusterAdmin: true },
      { credentialId: ids.scoped, result: "checked", clusterAdmin: false },
    ]);

    const rows = Object.fromEntries(
      (await db().credential.findMany({ where: { id: { in: Object.values(ids) } } })).map((r) => [r.id, r]),
    );
    expect(rows[ids.admin]).toMatchObject({
      scopeClusterAdmin: true,
      scopeCheckedAt: base,
      scopeCheckError: null,
      scopeCheckFailures: 0,
      scopeCheckNextAt: new Date(base.getTime() + DAY),
    });
    expect(rows[ids.scoped]).toMatchObject({
      scopeClusterAdmin: false,
      scopeCheckedAt: base,
      scopeCheckNextAt: new Date(base.getTime() + DAY),
    });
    const down = rows[ids.unreachable]!;
    expect(down).toMatchObject({ scopeClusterAdmin: null, scopeCheckedAt: null, scopeCheckFailures: 1 });
    expect(down.scopeCheckError).toMatch(/^The cluster did not answer the rules review: /);
    // Retried after the backoff (a minute at the first failure), well before the interval.
    expect(down.scopeCheckNextAt!.getTime()).toBe(base.getTime() + 60_000);

    for (const id of Object.values(ids)) {
      const rowsOf = await decrypts(id);
      expect(rowsOf, id).toHaveLength(1);
      expect(rowsOf[0]).toMatchObject({
        actorKind: "system",
        actorId: null,
        actorName: "wharf:scope-check",
        outcome: "success",
      });
      expect(JSON.parse(rowsOf[0]!.details)).toMatchObject({ purpose: "scope-check", purposeId: id });
    }

    const after = await getComparison({ range: resolveRange({ range: "7", environment }), now: base });
    expect(after.exposure.push).toMatchObject({
      credentials: 3,
      clusterAdmin: 1,
      scopeUnchecked: 0,
      scopeCheckFailed: 1,
      uncheckedIds: [ids.unreachable],
    });
    expect(after.exposure.push.scopeCheckError).toBe(down.scopeCheckError);
  });

  it("does nothing on a second pass before anything is due", async () => {
    expect(await runScopeSweepTick({ holder: "sweeper-a", intervalMs: DAY, now: at(30_000) })).toEqual([]);
    for (const id of Object.values(ids)) expect(await decrypts(id), id).toHaveLength(1);
  });

  it("retries the unreachable cluster after its backoff, and re-checks everything after the interval — catching a new cluster-admin binding", async () => {
    expect(
      await runScopeSweepTick({ holder: "sweeper-a", intervalMs: DAY, now: at(61_000), random: () => 0 }),
    ).toMatchObject([{ credentialId: ids.unreachable, result: "failed" }]);
    const down = await db().credential.findUniqueOrThrow({ where: { id: ids.unreachable } });
    expect(down.scopeCheckFailures).toBe(2);
    expect(down.scopeCheckNextAt!.getTime()).toBe(base.getTime() + 61_000 + 60_000);

    // RBAC changes outside Wharf: the namespace-scoped ServiceAccount is bound to cluster-admin.
    const kube = createKubeClient(
      kubeConfigFor({ name: "sandbox", server: cluster.url, caPem: cluster.caPem, token: cluster.adminToken }),
    );
    const sa = scoped.serviceAccount;
    const report = await applyManifests(
      kube,
      [
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRoleBinding",
          metadata: { name: `${sa.name}-now-cluster-admin` },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
          subjects: [{ kind: "ServiceAccount", name: sa.name, namespace: sa.namespace }],
        },
      ],
      { fieldManager: "test" },
    );
    await kube.close();
    expect(report.ok).toBe(true);

    // Just before the interval nothing is due; at it, both reachable credentials are checked again.
    expect(await runScopeSweepTick({ holder: "sweeper-a", intervalMs: DAY, now: at(DAY - 1) })).toMatchObject([
      { credentialId: ids.unreachable, result: "failed" },
    ]);
    const outcomes = await runScopeSweepTick({ holder: "sweeper-a", intervalMs: DAY, now: at(DAY) });
    expect(
      outcomes
        .filter((o) => o.result === "checked")
        .map((o) => o.credentialId)
        .sort(),
    ).toEqual([ids.admin, ids.scoped].sort());
    expect(await db().credential.findUniqueOrThrow({ where: { id: ids.scoped } })).toMatchObject({
      scopeClusterAdmin: true,
      scopeCheckedAt: new Date(base.getTime() + DAY),
    });
    expect(await decrypts(ids.scoped)).toHaveLength(2);
    const c = await getComparison({ range: resolveRange({ range: "7", environment }), now: at(DAY)() });
    expect(c.exposure.push.clusterAdmin).toBe(2);
  });

  it("checks a replaced credential's successor, never the superseded one, and two sweepers never check one credential twice", async () => {
    const target = await db().credential.findUniqueOrThrow({ where: { id: ids.scoped }, select: { targetId: true } });
    const token = await cluster.mintToken({ serviceAccount: scoped.serviceAccount, expirationSeconds: 86_400 });
    const { credential } = await saveCredential({
      targetId: target.targetId,
      input: { kind: "service-account-token", token },
      actor: SYSTEM_ACTOR,
      actorRole: "admin",
      actorUserId: null,
      request: NO_REQUEST,
    });

    const now = at(DAY + 1000);
    const [a, b] = await Promise.all([
      runScopeSweepTick({ holder: "sweeper-a", intervalMs: DAY, now }),
      runScopeSweepTick({ holder: "sweeper-b", intervalMs: DAY, now }),
    ]);
    const checked = [...a, ...b].filter((o) => o.result === "checked").map((o) => o.credentialId);
    expect(checked).toEqual([credential.id]);
    expect(await decrypts(credential.id)).toHaveLength(1);
    expect(await decrypts(ids.scoped)).toHaveLength(2);
    // The claims are gone afterwards (one SchedulerLease row per check, removed when it ends).
    expect(await db().schedulerLease.count({ where: { name: { startsWith: "scope-check:" } } })).toBe(0);
  });

  it('"Check now" is refused (409) while the sweeper holds the credential, then checks it', async () => {
    // Scope check decrypts, so it takes the role that may replace the credential (admin by default).
    const caller = await createCaller("admin");
    const id = ids.admin;
    expect(await claimScopeCheck({ credentialId: id, holder: "sweeper-x" })).toBe(true);
    const busy = await callRoute(scopeRoute.POST, {
      method: "POST",
      path: `/api/credentials/${id}/scope-check`,
      params: { id },
      as: caller,
    });
    expect(busy.status, busy.text).toBe(409);
    await releaseScopeCheck({ credentialId: id, holder: "sweeper-x" });
    const ok = await callRoute(scopeRoute.POST, {
      method: "POST",
      path: `/api/credentials/${id}/scope-check`,
      params: { id },
      as: caller,
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ credentialId: id, clusterAdmin: true });
  });
});
