import "reflect-metadata";
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as deliveriesRoute from "@/app/api/notification-sinks/[id]/deliveries/route";
import * as sinkRoute from "@/app/api/notification-sinks/[id]/route";
import * as testRoute from "@/app/api/notification-sinks/[id]/test/route";
import * as sinksRoute from "@/app/api/notification-sinks/route";
import { keyIdOf } from "@/lib/credentials/crypto";
import { recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { dbFor } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { enqueueNotification } from "@/lib/notifications/data/enqueue-notification";
import { rekeyNotificationSinkSecrets } from "@/lib/notifications/data/rekey-sink-secrets";
import { MAX_DELIVERY_ATTEMPTS } from "@/lib/notifications/schemas";
import { enqueueRotationNotices } from "@/lib/rotation/data/find-due-rotations";
import { releaseSchedulerLease } from "@/lib/jobs/data/scheduler-lease";
import { NOTIFICATIONS_LEASE, runNotificationTick } from "@/lib/notifications/dispatcher";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { callRoute, createCaller, type Caller } from "../support/api";
import { Receiver } from "../support/notification-receiver";
import { createSandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);

const receiver = new Receiver();
let admin: Caller;
let cluster: TestCluster;

beforeAll(async () => {
  await receiver.start();
  admin = await createCaller("admin");
  cluster = await startTestCluster();
});

afterAll(async () => {
  await receiver.stop();
  await cluster?.stop();
});

beforeEach(async () => {
  receiver.reset();
  // Sinks of earlier tests would also receive these events; each test starts with none.
  await db().notificationSink.deleteMany();
  await releaseSchedulerLease({ name: NOTIFICATIONS_LEASE, holder: "dispatcher-test" });
});

async function createSink(
  events: string[],
  opts: { url?: string; name?: string } = {},
): Promise<{ id: string; secret: string }> {
  const res = await callRoute(sinksRoute.POST, {
    method: "POST",
    path: "/api/notification-sinks",
    body: {
      name: opts.name ?? `sink-${Math.random().toString(16).slice(2, 8)}`,
      url: opts.url ?? receiver.url,
      events,
    },
    as: admin,
  });
  expect(res.status).toBe(201);
  return { id: res.body.sink.id, secret: res.body.secret };
}

function hmac(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

const tick = (now: Date) =>
  runNotificationTick({ holder: "dispatcher-test", leaseMs: 60_000, now: () => now, random: () => 0.5 });

function failedRotation(credentialId: string) {
  return {
    event: "rotation.failed" as const,
    data: {
      credentialId,
      targetId: "t1",
      targetName: "prod-eu",
      fingerprint: "abcdef012345",
      expiresAt: null,
      error: "forbidden",
      attempts: 1,
      nextAttemptAt: null,
    },
  };
}

describe("notification sinks: CRUD", () => {
  it("creates a sink with a generated secret shown once and sealed at rest; lists, updates and deletes it; admin only", async () => {
    const res = await callRoute(sinksRoute.POST, {
      method: "POST",
      path: "/api/notification-sinks",
      body: {
        name: "ops-slack",
        url: receiver.url,
        events: ["rotation.failed", "rotation.overdue", "rotation.failed"],
      },
      as: admin,
    });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(res.body.sink).toMatchObject({
      name: "ops-slack",
      url: receiver.url,
      events: ["rotation.failed", "rotation.overdue"],
      enabled: true,
    });
    const id = res.body.sink.id as string;

    const row = await db().notificationSink.findUniqueOrThrow({ where: { id } });
    expect(row.secretCiphertext).toMatch(/^v1\./);
    expect(row.secretCiphertext).not.toContain(res.body.secret.slice(6));

    const list = await callRoute(sinksRoute.GET, { path: "/api/notification-sinks", as: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([id]);
    expect(list.text).not.toContain(res.body.secret);
    expect(list.text).not.toContain("secretCiphertext");

    const patched = await callRoute(sinkRoute.PATCH, {
      method: "PATCH",
      path: `/api/notification-sinks/${id}`,
      params: { id },
      body: { events: ["deployment.awaiting-approval"], enabled: false },
      as: admin,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      sink: { events: ["deployment.awaiting-approval"], enabled: false },
      secret: null,
    });
    const rotated = await callRoute(sinkRoute.PATCH, {
      method: "PATCH",
      path: `/api/notification-sinks/${id}`,
      params: { id },
      body: { rotateSecret: true },
      as: admin,
    });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(res.body.secret);

    const dup = await callRoute(sinksRoute.POST, {
      method: "POST",
      path: "/api/notification-sinks",
      body: { name: "ops-slack", url: receiver.url, events: ["rotation.due"] },
      as: admin,
    });
    expect(dup.status).toBe(409);
    const bad = await callRoute(sinksRoute.POST, {
      method: "POST",
      path: "/api/notification-sinks",
      body: { name: "x", url: "ftp://example", events: [] },
      as: admin,
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(["url", "events"]));

    const approver = await createCaller("approver");
    expect((await callRoute(sinksRoute.GET, { path: "/api/notification-sinks", as: approver })).status).toBe(403);

    const del = await callRoute(sinkRoute.DELETE, {
      method: "DELETE",
      path: `/api/notification-sinks/${id}`,
      params: { id },
      as: admin,
    });
    expect(del.status).toBe(204);
    expect(await db().notificationSink.count({ where: { id } })).toBe(0);
    const actions = (await db().auditEvent.findMany({ where: { subjectId: id }, orderBy: { seq: "asc" } })).map(
      (a) => a.action,
    );
    expect(actions).toEqual([
      "notification-sink.created",
      "notification-sink.updated",
      "notification-sink.updated",
      "notification-sink.deleted",
    ]);
  });
});

describe("notification delivery", () => {
  it("POSTs Slack-compatible JSON signed with HMAC-SHA256 of the raw body, naming event and delivery", async () => {
    const sink = await createSink(["rotation.failed"]);
    expect(await enqueueNotification({ input: failedRotation("cred-1"), dedupKey: "rotation.failed:cred-1" })).toBe(1);
    const result = await tick(new Date());
    expect(result).toMatchObject({ leased: true, attempted: 1, delivered: 1 });

    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["x-wharf-event"]).toBe("rotation.failed");
    expect(got.headers["x-wharf-signature-256"]).toBe(hmac(sink.secret, got.body));
    expect(got.headers["x-wharf-signature-256"]).not.toBe(hmac("another-secret", got.body));
    const body = JSON.parse(got.body);
    expect(body.text).toContain("prod-eu");
    expect(body.text).toContain("forbidden");
    expect(body.blocks[0]).toMatchObject({ type: "section", text: { type: "mrkdwn" } });
    expect(body.wharf).toMatchObject({ event: "rotation.failed", credentialId: "cred-1", fingerprint: "abcdef012345" });

    const delivery = await db().notificationDelivery.findFirstOrThrow({ where: { sinkId: sink.id } });
    expect(got.headers["x-wharf-delivery"]).toBe(delivery.id);
    expect(delivery).toMatchObject({ state: "delivered", attempts: 1, lastStatus: 200, lastError: null });
  });

  it("retries a failed delivery after a backoff (500, then 200) with the same id and body", async () => {
    const sink = await createSink(["rotation.failed"]);
    receiver.reset([500]);
    await enqueueNotification({ input: failedRotation("cred-2"), dedupKey: "rotation.failed:cred-2" });
    const now = new Date();
    expect(await tick(now)).toMatchObject({ attempted: 1, delivered: 0 });
    const pending = await db().notificationDelivery.findFirstOrThrow({ where: { sinkId: sink.id } });
    expect(pending).toMatchObject({
      state: "pending",
      attempts: 1,
      lastStatus: 500,
      lastError: "HTTP 500: receiver is down",
    });
    expect(pending.nextAttemptAt.getTime()).toBeGreaterThan(now.getTime());

    expect(await tick(new Date(pending.nextAttemptAt.getTime() - 1))).toMatchObject({ attempted: 0 });
    expect(await tick(pending.nextAttemptAt)).toMatchObject({ attempted: 1, delivered: 1 });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    expect(receiver.received[1]!.headers["x-wharf-delivery"]).toBe(pending.id);
    expect(await db().notificationDelivery.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({
      state: "delivered",
      attempts: 2,
      lastStatus: 200,
    });

    const log = await callRoute(deliveriesRoute.GET, {
      path: `/api/notification-sinks/${sink.id}/deliveries`,
      params: { id: sink.id },
      as: admin,
    });
    expect(log.body.items).toEqual([
      expect.objectContaining({
        id: pending.id,
        event: "rotation.failed",
        state: "delivered",
        attempts: 2,
        lastStatus: 200,
      }),
    ]);
  });

  it(`gives up after ${MAX_DELIVERY_ATTEMPTS} attempts (unreachable sink) and marks the delivery failed`, async () => {
    const sink = await createSink(["rotation.failed"], { url: "http://127.0.0.1:9/unreachable" });
    await enqueueNotification({ input: failedRotation("cred-3"), dedupKey: "rotation.failed:cred-3" });
    let now = new Date();
    for (let i = 0; i < MAX_DELIVERY_ATTEMPTS; i++) {
      expect(await tick(now)).toMatchObject({ attempted: 1, delivered: 0 });
      const row = await db().notificationDelivery.findFirstOrThrow({ where: { sinkId: sink.id } });
      now = row.nextAttemptAt;
    }
    const row = await db().notificationDelivery.findFirstOrThrow({ where: { sinkId: sink.id } });
    expect(row).toMatchObject({ state: "failed", attempts: MAX_DELIVERY_ATTEMPTS, lastStatus: null });
    expect(row.lastError).toBeTruthy();
    expect(await tick(new Date(now.getTime() + 86_400_000))).toMatchObject({ attempted: 0 });
  });

  it("deduplicates a condition per sink, and only subscribed, enabled sinks get it", async () => {
    const a = await createSink(["rotation.failed"]);
    const b = await createSink(["rotation.overdue"]);
    const c = await createSink(["rotation.failed"]);
    await callRoute(sinkRoute.PATCH, {
      method: "PATCH",
      path: `/api/notification-sinks/${c.id}`,
      params: { id: c.id },
      body: { enabled: false },
      as: admin,
    });
    expect(await enqueueNotification({ input: failedRotation("cred-4"), dedupKey: "rotation.failed:cred-4" })).toBe(1);
    expect(await enqueueNotification({ input: failedRotation("cred-4"), dedupKey: "rotation.failed:cred-4" })).toBe(0);
    expect(await db().notificationDelivery.count({ where: { sinkId: a.id } })).toBe(1);
    expect(await db().notificationDelivery.count({ where: { sinkId: b.id } })).toBe(0);
    expect(await db().notificationDelivery.count({ where: { sinkId: c.id } })).toBe(0);
  });

  it("the test button sends a signed test notification now and reports the sink's answer", async () => {
    const sink = await createSink(["rotation.due"]);
    const ok = await callRoute(testRoute.POST, {
      method: "POST",
      path: `/api/notification-sinks/${sink.id}/test`,
      params: { id: sink.id },
      as: admin,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      ok: true,
      delivery: { event: "test", state: "delivered", attempts: 1, lastStatus: 200 },
    });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers["x-wharf-event"]).toBe("test");
    expect(receiver.received[0]!.headers["x-wharf-signature-256"]).toBe(hmac(sink.secret, receiver.received[0]!.body));

    receiver.reset([503]);
    const down = await callRoute(testRoute.POST, {
      method: "POST",
      path: `/api/notification-sinks/${sink.id}/test`,
      params: { id: sink.id },
      as: admin,
    });
    expect(down.body).toMatchObject({ ok: false, delivery: { state: "pending", attempts: 1, lastStatus: 503 } });
    expect(down.body.delivery.lastError).toContain("503");

    const missing = await callRoute(testRoute.POST, {
      method: "POST",
      path: "/api/notification-sinks/nope/test",
      params: { id: "nope" },
      as: admin,
    });
    expect(missing.status).toBe(404);
  });

  it("delivery log pages newest first by cursor", async () => {
    const sink = await createSink(["rotation.failed"]);
    for (let i = 0; i < 5; i++)
      await enqueueNotification({ input: failedRotation(`page-${i}`), dedupKey: `rotation.failed:page-${i}` });
    const first = await callRoute(deliveriesRoute.GET, {
      path: `/api/notification-sinks/${sink.id}/deliveries?limit=2`,
      params: { id: sink.id },
      as: admin,
    });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBe(first.body.items[1].id);
    const seen = [...first.body.items];
    let cursor: string | null = first.body.nextCursor;
    while (cursor) {
      const page = await callRoute(deliveriesRoute.GET, {
        path: `/api/notification-sinks/${sink.id}/deliveries?limit=2&cursor=${cursor}`,
        params: { id: sink.id },
        as: admin,
      });
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(new Set(seen.map((d: { id: string }) => d.id)).size).toBe(5);
    const times = seen.map((d: { createdAt: string }) => d.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });
});

describe("notification sources", () => {
  it("overdue credentials are announced once per credential generation", async () => {
    const sink = await createSink(["rotation.overdue", "rotation.due"]);
    const target = await createSandboxPushTarget(cluster, { databaseUrl: t.url });
    const policy = await db().credentialPolicy.create({
      data: { name: `strict-${Date.now()}`, maxAgeDays: 10, warnBeforeDays: 2 },
    });
    await db().target.update({ where: { id: target.targetId }, data: { credentialPolicyId: policy.id } });
    const credential = await db().credential.findFirstOrThrow({
      where: { targetId: target.targetId, state: "active" },
    });
    await db().credential.update({
      where: { id: credential.id },
      data: { lastRotatedAt: new Date(Date.now() - 11 * 86_400_000) },
    });
    await recomputeCredentialStatusColumns(db(), { where: { id: credential.id } });

    await enqueueRotationNotices();
    await enqueueRotationNotices();
    const rows = await db().notificationDelivery.findMany({
      where: { sinkId: sink.id, dedupKey: { contains: credential.id } },
    });
    expect(rows.map((r) => r.event)).toEqual(["rotation.overdue"]);
    expect(JSON.parse(rows[0]!.payload).wharf).toMatchObject({ credentialId: credential.id, targetName: target.name });
  });

  it("a deployment entering pending-approval notifies deployment.awaiting-approval", async () => {
    const sink = await createSink(["deployment.awaiting-approval"]);
    const target = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    const deployer = await createCaller("deployer");
    const manifests = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ${target.namespaces[0]}\ndata:\n  a: "1"\n`;
    const res = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: { targetId: target.targetId, source: { kind: "manifests", manifests }, reason: "ship it" },
      as: deployer,
    });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe("pending-approval");
    const rows = await db().notificationDelivery.findMany({ where: { sinkId: sink.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event: "deployment.awaiting-approval",
      dedupKey: `deployment.awaiting-approval:${res.body.id}`,
    });
    const body = JSON.parse(rows[0]!.payload);
    expect(body.wharf).toMatchObject({
      deploymentId: res.body.id,
      targetName: target.name,
      requiredApprovals: 1,
      reason: "ship it",
    });
    expect(body.text).toContain("awaits approval");

    // A target needing no approval queues at once: nothing to announce.
    const direct = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 0 });
    const queued = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: {
        targetId: direct.targetId,
        source: { kind: "manifests", manifests: manifests.replace(target.namespaces[0]!, direct.namespaces[0]!) },
        reason: "x",
      },
      as: deployer,
    });
    expect(queued.status).toBe(201);
    expect(await db().notificationDelivery.count({ where: { sinkId: sink.id } })).toBe(1);
  });
});

describe("master key change", () => {
  it("rekey re-seals sink secrets under the new key; deliveries are still signed with the same secret", async () => {
    const original = process.env.WHARF_MASTER_KEY!;
    const sink = await createSink(["rotation.failed"]);
    const before = await db().notificationSink.findUniqueOrThrow({ where: { id: sink.id } });
    const newKey = randomBytes(32).toString("base64");
    try {
      process.env.WHARF_MASTER_KEY = newKey;
      process.env.WHARF_PREVIOUS_MASTER_KEYS = original;
      resetEnvCache();
      expect(await rekeyNotificationSinkSecrets()).toEqual({ rekeyed: 1, failed: [] });
      const after = await db().notificationSink.findUniqueOrThrow({ where: { id: sink.id } });
      expect(keyIdOf(after.secretCiphertext)).not.toBe(keyIdOf(before.secretCiphertext));

      // Without the old key the re-sealed secret still opens.
      delete process.env.WHARF_PREVIOUS_MASTER_KEYS;
      resetEnvCache();
      const res = await callRoute(testRoute.POST, {
        method: "POST",
        path: `/api/notification-sinks/${sink.id}/test`,
        params: { id: sink.id },
        as: admin,
      });
      expect(res.body.ok).toBe(true);
      const got = receiver.received.at(-1)!;
      expect(got.headers["x-wharf-signature-256"]).toBe(hmac(sink.secret, got.body));
      expect(await rekeyNotificationSinkSecrets()).toEqual({ rekeyed: 0, failed: [] });
    } finally {
      process.env.WHARF_MASTER_KEY = original;
      delete process.env.WHARF_PREVIOUS_MASTER_KEYS;
      resetEnvCache();
    }
  });
});
