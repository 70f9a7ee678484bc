import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as rotateRoute from "@/app/api/credentials/[id]/rotate/route";
import * as targetCredentialsRoute from "@/app/api/targets/[id]/credentials/route";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { fingerprintOf } from "@/lib/credentials/material";
import { dbFor } from "@/lib/db/client";
import { applyManifests, createKubeClient, kubeConfigFor, type KubeClient } from "@/lib/kube";
import { startTestCluster, testClusterKind, type TestCluster } from "../support/cluster";
import { sandboxInternals } from "@/lib/kube/sandbox/server";
import { recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { releaseSchedulerLease } from "@/lib/jobs/data/scheduler-lease";
import { ROTATION_LEASE, runRotationTick, startRotationScheduler } from "@/lib/rotation/scheduler";
import { callRoute, createCaller } from "../support/api";
import { createSandboxPushTarget, selfTokenRbac, type SandboxPushTarget } from "../support/push-target";
import { rawRequest } from "../support/sandbox";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let cluster: TestCluster;
let admin: KubeClient;
const HOUR = 3600_000;
const holders = ["scheduler-a", "scheduler-b", "scheduler-solo", "loop-a", "loop-b"];

beforeAll(async () => {
  cluster = await startTestCluster();
  admin = createKubeClient(
    kubeConfigFor({ name: "sandbox", server: cluster.url, caPem: cluster.caPem, token: cluster.adminToken }),
  );
});

afterAll(async () => {
  await admin?.close();
  await cluster?.stop();
});

beforeEach(async () => {
  if (cluster.sandbox) sandboxInternals(cluster.sandbox).clock.offsetMs = 0;
  for (const holder of holders) await releaseSchedulerLease({ name: ROTATION_LEASE, holder });
});

const db = () => dbFor(t.url);

/** A push target on the test cluster whose credential policy rotates automatically (max age 30 days). */
async function rotatingTarget(opts: {
  canRotateSelf: boolean;
  maxAgeDays?: number;
}): Promise<SandboxPushTarget & { credentialId: string }> {
  const target = await createSandboxPushTarget(cluster, { databaseUrl: t.url, canRequestOwnToken: opts.canRotateSelf });
  const policy = await db().credentialPolicy.create({
    data: {
      name: `auto-${randomBytes(3).toString("hex")}`,
      maxAgeDays: opts.maxAgeDays ?? 30,
      warnBeforeDays: 1,
      autoRotate: true,
    },
  });
  await db().target.update({ where: { id: target.targetId }, data: { credentialPolicyId: policy.id } });
  const active = await db().credential.findFirstOrThrow({ where: { targetId: target.targetId, state: "active" } });
  // Written around the data layer: store the status columns (autoRotateAt) as the data layer would.
  await recomputeCredentialStatusColumns(db(), { where: { id: active.id } });
  return { ...target, credentialId: active.id };
}

/** Whether the API server accepts a token: a namespaced read the ServiceAccount is allowed (admin in its namespace). */
async function authenticates(token: string, namespace: string): Promise<number> {
  const res = await rawRequest(cluster, "GET", `/api/v1/namespaces/${namespace}/configmaps`, { token });
  return res.status;
}

/** Moves the sandbox's clock and returns a Wharf clock at the same offset. */
function advance(ms: number): () => Date {
  if (!cluster.sandbox) throw new Error("only the sandbox's clock can be moved");
  sandboxInternals(cluster.sandbox).clock.offsetMs = ms;
  return () => new Date(Date.now() + ms);
}

async function plaintextOf(credentialId: string): Promise<string> {
  return withDecryptedCredential(
    credentialId,
    { actor: SYSTEM_ACTOR, purpose: { kind: "rotation", id: "test-inspect" }, request: NO_REQUEST },
    (m) => (m.kind === "client-certificate" ? "" : m.token),
  );
}

// Sandbox only: these move the API server's clock (sandboxInternals) to reach 80 % of a token's lifetime and its
// expiry; a real API server's clock cannot be moved. The loop and the route below run on both legs.
describe.runIf(testClusterKind() === "sandbox")("automatic rotation", () => {
  it("at 80 % of the token's lifetime issues a new token: stored encrypted, old superseded, both tokens authenticate until the old one expires", async () => {
    const target = await rotatingTarget({ canRotateSelf: true });
    const ns = target.namespaces[0]!;

    // 19 h of a 24 h token: not yet due (80 % is 19.2 h).
    const early = await runRotationTick({ holder: "scheduler-solo", leaseMs: 60_000, now: advance(19 * HOUR) });
    expect(early.leased).toBe(true);
    expect(early.outcomes.filter((o) => o.credentialId === target.credentialId)).toEqual([]);

    const tick = await runRotationTick({ holder: "scheduler-solo", leaseMs: 60_000, now: advance(20 * HOUR) });
    const outcome = tick.outcomes.find((o) => o.credentialId === target.credentialId);
    expect(outcome).toMatchObject({ kind: "rotated" });
    if (outcome?.kind !== "rotated") throw new Error("not rotated");

    const rows = await db().credential.findMany({
      where: { targetId: target.targetId },
      orderBy: { createdAt: "asc" },
    });
    const old = rows.find((r) => r.id === target.credentialId)!;
    const fresh = rows.find((r) => r.id === outcome.newCredentialId)!;
    expect(old).toMatchObject({ state: "superseded", supersededById: fresh.id, origin: "stored" });
    expect(fresh).toMatchObject({
      state: "active",
      origin: "rotated",
      kind: "service-account-token",
      subject: `system:serviceaccount:kube-system:${target.serviceAccount.name}`,
      rotationError: null,
      // A rotated token is the same credential to the people who named it (issue 16, Must 5).
      label: old.label,
    });
    expect(old.label).toBe(`${target.name} service-account-token`);
    expect(fresh.ciphertext).not.toContain(".ey");
    // The new token lives as long as the old one did (24 h), counted from the rotation.
    expect(fresh.expiresAt!.getTime() - fresh.issuedAt!.getTime()).toBe(
      old.expiresAt!.getTime() - old.issuedAt!.getTime(),
    );

    const newToken = await plaintextOf(fresh.id);
    expect(newToken).not.toBe(target.token);
    expect(fingerprintOf(newToken)).toBe(fresh.fingerprint);
    expect(outcome).toMatchObject({ fromFingerprint: old.fingerprint, toFingerprint: fresh.fingerprint });

    // Not revoked: the old token works until its own expiry, the new one works too.
    expect(await authenticates(target.token, ns)).toBe(200);
    expect(await authenticates(newToken, ns)).toBe(200);
    advance(24 * HOUR + 60_000);
    expect(await authenticates(target.token, ns)).toBe(401);
    expect(await authenticates(newToken, ns)).toBe(200);

    const audit = await db().auditEvent.findMany({
      where: { action: "credential.rotated", targetId: target.targetId },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorKind: "system", credentialId: fresh.id, outcome: "success" });
    expect(JSON.parse(audit[0]!.details)).toMatchObject({
      reason: "lifetime",
      fromCredentialId: old.id,
      fromFingerprint: old.fingerprint,
      toFingerprint: fresh.fingerprint,
      expiresAt: fresh.expiresAt!.toISOString(),
    });
    const decrypts = await db().auditEvent.findMany({
      where: { action: "credential.decrypted", credentialId: old.id },
    });
    expect(decrypts.map((d) => JSON.parse(d.details).purpose)).toContain("rotation");

    // Neither token appears in what the API returns.
    const caller = await createCaller("admin");
    const view = await callRoute(targetCredentialsRoute.GET, {
      path: `/api/targets/${target.targetId}/credentials`,
      params: { id: target.targetId },
      as: caller,
    });
    expect(view.status).toBe(200);
    expect(view.body.active).toMatchObject({
      id: fresh.id,
      origin: "rotated",
      status: "ok",
      rotationError: null,
      autoRotate: true,
    });
    expect(view.text).not.toContain(newToken);
    expect(view.text).not.toContain(target.token);
  });

  it("by max age when that comes before 80 % of the lifetime", async () => {
    const target = await rotatingTarget({ canRotateSelf: true, maxAgeDays: 1 });
    // Max age counts from the last rotation, the lifetime from the token's iat: with the last rotation 23.5 h ago,
    // max age (1 day) comes due half an hour from now, long before 80 % of the fresh 24 h token's lifetime.
    await db().credential.update({
      where: { id: target.credentialId },
      data: { lastRotatedAt: new Date(Date.now() - 23 * HOUR - 30 * 60_000) },
    });
    await recomputeCredentialStatusColumns(db(), { where: { id: target.credentialId } });
    const tick = await runRotationTick({ holder: "scheduler-solo", leaseMs: 60_000, now: advance(HOUR) });
    expect(tick.outcomes.find((o) => o.credentialId === target.credentialId)).toMatchObject({ kind: "rotated" });
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "credential.rotated", targetId: target.targetId },
    });
    expect(JSON.parse(audit.details)).toMatchObject({ reason: "max-age" });
  });

  it("a ServiceAccount that lost serviceaccounts/token: rotation-failed with the server's 403 message, old credential kept, retried after a backoff", async () => {
    const target = await rotatingTarget({ canRotateSelf: true });
    // Take the permission away again, as a cluster admin tightening RBAC would.
    await admin.request(
      "DELETE",
      `/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings/${target.serviceAccount.name}-self-token`,
    );
    const clock = advance(20 * HOUR);
    const tick = await runRotationTick({ holder: "scheduler-solo", leaseMs: 60_000, now: clock, random: () => 0.5 });
    const outcome = tick.outcomes.find((o) => o.credentialId === target.credentialId);
    expect(outcome).toMatchObject({ kind: "failed", attempts: 1 });

    const row = await db().credential.findUniqueOrThrow({ where: { id: target.credentialId } });
    expect(row.state).toBe("active");
    expect(row.rotationError).toContain(`cannot create resource "serviceaccounts/token"`);
    expect(row.rotationError).toContain(target.serviceAccount.name);
    expect(row.rotationAttempts).toBe(1);
    expect(row.rotationFailedAt).not.toBeNull();
    expect(row.nextRotationAttemptAt!.getTime()).toBeGreaterThan(row.rotationFailedAt!.getTime());
    expect(await db().credential.count({ where: { targetId: target.targetId } })).toBe(1);
    expect(await plaintextOf(target.credentialId)).toBe(target.token);
    expect(await authenticates(target.token, target.namespaces[0]!)).toBe(200);

    const failed = await db().auditEvent.findMany({
      where: { action: "credential.rotation-failed", credentialId: target.credentialId },
    });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.outcome).toBe("failure");
    expect(JSON.parse(failed[0]!.details)).toMatchObject({ status: 403, attempts: 1, reason: "lifetime" });

    const caller = await createCaller("admin");
    const view = await callRoute(targetCredentialsRoute.GET, {
      path: `/api/targets/${target.targetId}/credentials`,
      params: { id: target.targetId },
      as: caller,
    });
    expect(view.body.active).toMatchObject({
      id: target.credentialId,
      status: "rotation-failed",
      rotationError: row.rotationError,
      rotationAttempts: 1,
      nextRotationAttemptAt: row.nextRotationAttemptAt!.toISOString(),
    });

    // Within the backoff: not retried.
    const again = await runRotationTick({
      holder: "scheduler-solo",
      leaseMs: 60_000,
      now: () => new Date(row.nextRotationAttemptAt!.getTime() - 1),
    });
    expect(again.outcomes.find((o) => o.credentialId === target.credentialId)).toBeUndefined();
    // After it: retried, and with the permission back it succeeds and clears the error.
    await applyManifests(admin, selfTokenRbac(target.serviceAccount), { fieldManager: "test-setup" });
    const retry = await runRotationTick({
      holder: "scheduler-solo",
      leaseMs: 60_000,
      now: () => new Date(row.nextRotationAttemptAt!.getTime()),
    });
    expect(retry.outcomes.find((o) => o.credentialId === target.credentialId)).toMatchObject({ kind: "rotated" });
    const active = await db().credential.findFirstOrThrow({ where: { targetId: target.targetId, state: "active" } });
    expect(active).toMatchObject({ origin: "rotated", rotationError: null, rotationAttempts: 0 });
  });

  it("an unreachable cluster: rotation-failed with the connection error, old credential kept", async () => {
    const target = await rotatingTarget({ canRotateSelf: true });
    await db().target.update({ where: { id: target.targetId }, data: { serverUrl: "https://127.0.0.1:1" } });
    const tick = await runRotationTick({ holder: "scheduler-solo", leaseMs: 60_000, now: advance(20 * HOUR) });
    expect(tick.outcomes.find((o) => o.credentialId === target.credentialId)).toMatchObject({
      kind: "failed",
      attempts: 1,
    });
    const row = await db().credential.findUniqueOrThrow({ where: { id: target.credentialId } });
    expect(row).toMatchObject({ state: "active", rotationAttempts: 1 });
    expect(row.rotationError).toMatch(/ECONNREFUSED|connect/i);
    expect(await db().credential.count({ where: { targetId: target.targetId } })).toBe(1);
  });

  it("two schedulers ticking at once on one database rotate a due credential exactly once", async () => {
    const target = await rotatingTarget({ canRotateSelf: true });
    const clock = advance(20 * HOUR);
    const [a, b] = await Promise.all([
      runRotationTick({ holder: "scheduler-a", leaseMs: 60_000, now: clock }),
      runRotationTick({ holder: "scheduler-b", leaseMs: 60_000, now: clock }),
    ]);
    expect([a.leased, b.leased].filter(Boolean)).toHaveLength(1);
    // The loser keeps losing while the winner's lease runs, even after the work is done.
    const loser = a.leased ? "scheduler-b" : "scheduler-a";
    expect((await runRotationTick({ holder: loser, leaseMs: 60_000, now: clock })).leased).toBe(false);

    expect(await db().auditEvent.count({ where: { action: "credential.rotated", targetId: target.targetId } })).toBe(1);
    expect(await db().credential.count({ where: { targetId: target.targetId, state: "active" } })).toBe(1);
    expect(await db().credential.count({ where: { targetId: target.targetId } })).toBe(2);
  });

  it("is not done for credentials whose policy does not rotate automatically", async () => {
    const target = await rotatingTarget({ canRotateSelf: true });
    const policyId = (await db().target.findUniqueOrThrow({ where: { id: target.targetId } })).credentialPolicyId!;
    await db().credentialPolicy.update({ where: { id: policyId }, data: { autoRotate: false } });
    const tick = await runRotationTick({ holder: "scheduler-solo", leaseMs: 60_000, now: advance(23 * HOUR) });
    expect(tick.outcomes.find((o) => o.credentialId === target.credentialId)).toBeUndefined();
    expect(await db().credential.count({ where: { targetId: target.targetId } })).toBe(1);
  });
});

describe("background loop", () => {
  it("two processes' loops rotate a credential past its max age once, and the lease goes to one holder", async () => {
    const target = await rotatingTarget({ canRotateSelf: true, maxAgeDays: 30 });
    await db().credential.update({
      where: { id: target.credentialId },
      data: { lastRotatedAt: new Date(Date.now() - 31 * 24 * HOUR) },
    });
    await recomputeCredentialStatusColumns(db(), { where: { id: target.credentialId } });
    const loops = [
      startRotationScheduler({ holder: "loop-a", intervalMs: 100 }),
      startRotationScheduler({ holder: "loop-b", intervalMs: 100 }),
    ];
    try {
      // Poll for the outcome; the bound only keeps a broken build from hanging.
      for (
        let i = 0;
        i < 300 &&
        (await db().auditEvent.count({ where: { action: "credential.rotated", targetId: target.targetId } })) === 0;
        i++
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      // Let both loops run a few more passes: nothing is due any more, so nothing more may happen.
      const lease = await db().schedulerLease.findUniqueOrThrow({ where: { name: ROTATION_LEASE } });
      expect(["loop-a", "loop-b"]).toContain(lease.holder);
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await Promise.all(loops.map((l) => l.stop()));
    }
    expect(await db().auditEvent.count({ where: { action: "credential.rotated", targetId: target.targetId } })).toBe(1);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "credential.rotated", targetId: target.targetId },
    });
    expect(JSON.parse(audit.details)).toMatchObject({ reason: "max-age", fromCredentialId: target.credentialId });
    expect(
      await db().credential.count({ where: { targetId: target.targetId, state: "active", origin: "rotated" } }),
    ).toBe(1);
    // Stopping gives the lease up, so a successor need not wait for it to run out.
    const released = await db().schedulerLease.findUniqueOrThrow({ where: { name: ROTATION_LEASE } });
    expect(released.leaseUntil.getTime()).toBeLessThanOrEqual(Date.now());
  });
});

describe("POST /api/credentials/:id/rotate", () => {
  it("rotates at once for a role the policy allows, refuses (and audits) one it does not", async () => {
    const target = await rotatingTarget({ canRotateSelf: true });
    const policyId = (await db().target.findUniqueOrThrow({ where: { id: target.targetId } })).credentialPolicyId!;
    await db().credentialPolicy.update({ where: { id: policyId }, data: { minReplaceRole: "approver" } });

    const deployer = await createCaller("deployer");
    const denied = await callRoute(rotateRoute.POST, {
      method: "POST",
      path: `/api/credentials/${target.credentialId}/rotate`,
      params: { id: target.credentialId },
      as: deployer,
    });
    expect(denied.status).toBe(403);
    expect(
      await db().auditEvent.count({
        where: { action: "credential.denied", credentialId: target.credentialId, outcome: "denied" },
      }),
    ).toBe(1);

    const approver = await createCaller("approver");
    const res = await callRoute(rotateRoute.POST, {
      method: "POST",
      path: `/api/credentials/${target.credentialId}/rotate`,
      params: { id: target.credentialId },
      as: approver,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: "rotated", credentialId: target.credentialId });
    const fresh = await db().credential.findFirstOrThrow({ where: { targetId: target.targetId, state: "active" } });
    expect(fresh.id).toBe(res.body.newCredentialId);
    expect(res.text).not.toContain(await plaintextOf(fresh.id));
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "credential.rotated", targetId: target.targetId },
    });
    expect(audit).toMatchObject({ actorKind: "api-token" });
    expect(JSON.parse(audit.details)).toMatchObject({ reason: "manual" });
  });

  it("answers 502 with the server's message when the rotation fails, and 409 for kinds Wharf cannot rotate", async () => {
    const target = await rotatingTarget({ canRotateSelf: false });
    const admin = await createCaller("admin");
    const res = await callRoute(rotateRoute.POST, {
      method: "POST",
      path: `/api/credentials/${target.credentialId}/rotate`,
      params: { id: target.credentialId },
      as: admin,
    });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: "ROTATION_FAILED" });
    expect(res.body.error.message).toContain("is forbidden");
    expect((await db().credential.findUniqueOrThrow({ where: { id: target.credentialId } })).state).toBe("active");

    const bearer = await callRoute(targetCredentialsRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.targetId}/credentials`,
      params: { id: target.targetId },
      body: { kind: "bearer-token", token: `opaque-${randomBytes(8).toString("hex")}` },
      as: admin,
    });
    expect(bearer.status).toBe(201);
    const id = bearer.body.credential.id as string;
    expect(bearer.body.credential.origin).toBe("replaced");
    const refused = await callRoute(rotateRoute.POST, {
      method: "POST",
      path: `/api/credentials/${id}/rotate`,
      params: { id },
      as: admin,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("ROTATION_NOT_AUTOMATIC");
  });
});
