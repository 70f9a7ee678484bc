import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as sinksRoute from "@/app/api/notification-sinks/route";
import { recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import { writeAuditCheckpoint } from "@/lib/audit/data/write-audit-checkpoint";
import { dbFor } from "@/lib/db/client";
import { releaseSchedulerLease } from "@/lib/jobs/data/scheduler-lease";
import { AUDIT_STREAM_LEASE, runAuditStreamTick } from "@/lib/notifications/audit-stream";
import { verifySignature } from "@/lib/notifications/signing";
import { callRoute, createCaller, type Caller } from "../support/api";
import { Receiver, type Received } from "../support/notification-receiver";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
const receiver = new Receiver();
let admin: Caller;
let clock = new Date("2030-01-01T00:00:00Z");

const tick = (holder = "stream-test", batch = 7) =>
  runAuditStreamTick({ holder, leaseMs: 60_000, now: () => clock, random: () => 0.5, batch });

async function events(n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    await recordStandaloneAuditEvent({
      actor: { kind: "system", id: null, name: "stream-test" },
      action: "user.updated",
      subjectType: "user",
      subjectId: `${tag}-${i}`,
    });
  }
}

async function createStreamSink(): Promise<{ id: string; secret: string }> {
  const res = await callRoute(sinksRoute.POST, {
    method: "POST",
    path: "/api/notification-sinks",
    body: { name: `siem-${Math.random().toString(16).slice(2, 8)}`, url: receiver.url, events: ["audit.stream"] },
    as: admin,
  });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.sink.id, secret: res.body.secret };
}

/** The seqs of the audit batches received (checkpoints aside), in arrival order. */
function receivedSeqs(received: readonly Received[]): number[] {
  return received
    .filter((r) => r.headers["x-wharf-event"] === "audit.stream")
    .flatMap((r) =>
      r.body
        .replace(/\n$/, "")
        .split("\n")
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    );
}

async function allSeqs(): Promise<number[]> {
  return (await db().auditEvent.findMany({ orderBy: { seq: "asc" }, select: { seq: true } })).map((r) => r.seq);
}

/** Ticks (moving the clock past any retry) until a tick sends nothing more. */
async function drain(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    clock = new Date(clock.getTime() + 3_600_000);
    const r = await tick();
    if (!r.more && r.sent === 0 && r.failed === 0) return;
  }
  throw new Error("the stream did not drain");
}

beforeAll(async () => {
  await receiver.start();
  admin = await createCaller("admin");
});

afterAll(async () => {
  await receiver.stop();
});

beforeEach(async () => {
  receiver.reset();
  await db().notificationSink.deleteMany();
  for (const holder of ["stream-test", "A", "B"]) await releaseSchedulerLease({ name: AUDIT_STREAM_LEASE, holder });
});

describe("audit streaming to a sink", () => {
  it("delivers every event once, in order, as signed JSON Lines batches, then the checkpoint", async () => {
    await events(16, "first");
    const sink = await createStreamSink();
    await drain();
    const seqs = receivedSeqs(receiver.received);
    expect(seqs).toEqual(await allSeqs());
    const batches = receiver.received.filter((r) => r.headers["x-wharf-event"] === "audit.stream");
    expect(batches.length).toBeGreaterThanOrEqual(3); // batches of 7
    for (const b of batches) {
      expect(b.headers["content-type"]).toBe("application/x-ndjson");
      expect(verifySignature(sink.secret, b.body, b.headers["x-wharf-signature-256"] as string)).toBe(true);
      const lines = b.body.replace(/\n$/, "").split("\n");
      expect(b.headers["x-wharf-audit-first-seq"]).toBe(String(JSON.parse(lines[0]!).seq));
      expect(b.headers["x-wharf-audit-last-seq"]).toBe(String(JSON.parse(lines[lines.length - 1]!).seq));
    }
    const cursor = await db().auditStreamCursor.findUniqueOrThrow({ where: { sinkId: sink.id } });
    expect(cursor.afterSeq).toBe(seqs[seqs.length - 1]);

    // New events later: only they go out. A checkpoint written is sent after the events it covers, signed as in the file.
    receiver.reset();
    await events(3, "later");
    const cp = await writeAuditCheckpoint({ force: true });
    await drain();
    const later = receivedSeqs(receiver.received);
    expect(later).toEqual((await allSeqs()).filter((s) => s > cursor.afterSeq));
    const checkpoints = receiver.received.filter((r) => r.headers["x-wharf-event"] === "audit.checkpoint");
    expect(checkpoints).toHaveLength(1);
    expect(receiver.received[receiver.received.length - 1]!.headers["x-wharf-event"]).toBe("audit.checkpoint");
    const sent = JSON.parse(checkpoints[0]!.body) as Record<string, unknown>;
    expect(sent).toMatchObject({ seq: cp!.seq, head: cp!.head, sig: expect.any(String) });
    expect(
      verifySignature(sink.secret, checkpoints[0]!.body, checkpoints[0]!.headers["x-wharf-signature-256"] as string),
    ).toBe(true);
  });

  it("resends what a failing receiver missed after it recovers: the cursor never skips", async () => {
    await events(10, "outage");
    const sink = await createStreamSink();
    // One batch gets through, then the receiver answers 500 three times.
    receiver.reset([200, 500, 500, 500]);
    await tick();
    const before = await db().auditStreamCursor.findUniqueOrThrow({ where: { sinkId: sink.id } });
    expect(before.afterSeq).toBeGreaterThan(0);
    await tick();
    const failed = await db().auditStreamCursor.findUniqueOrThrow({ where: { sinkId: sink.id } });
    expect(failed).toMatchObject({ afterSeq: before.afterSeq, attempts: 1, lastStatus: 500 });
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(clock.getTime());
    // The sinks list says so: how far the stream got, the error and when the batch is sent again.
    const listed = await callRoute(sinksRoute.GET, { path: "/api/notification-sinks", as: admin });
    expect(listed.status, listed.text).toBe(200);
    const view = (listed.body.items as { id: string; auditStream: Record<string, unknown> | null }[]).find(
      (s) => s.id === sink.id,
    );
    expect(view?.auditStream).toMatchObject({
      afterSeq: before.afterSeq,
      attempts: 1,
      nextAttemptAt: failed.nextAttemptAt.toISOString(),
      lastError: expect.stringContaining("HTTP 500"),
    });
    // Before the backoff has passed nothing is sent.
    const early = await tick();
    expect(early.sent + early.failed).toBe(0);
    await drain();
    const delivered = receiver.received.filter(
      (r, i) => r.headers["x-wharf-event"] === "audit.stream" && ![1, 2, 3].includes(i),
    );
    // Every event arrived in a 2xx-answered batch, in order, without a gap; the refused batches were resent whole.
    expect(receivedSeqs(delivered)).toEqual(await allSeqs());
    expect(receiver.received[1]!.body).toBe(receiver.received[4]!.body);
    const after = await db().auditStreamCursor.findUniqueOrThrow({ where: { sinkId: sink.id } });
    expect(after).toMatchObject({ attempts: 0, lastError: null });
  });

  it("two dispatchers running at once do not both deliver a batch", async () => {
    await events(5, "race");
    await createStreamSink();
    const [a, b] = await Promise.all([tick("A", 1000), tick("B", 1000)]);
    expect([a.leased, b.leased].sort()).toEqual([false, true]);
    expect(a.sent + b.sent).toBe(1);
    // Even once the first holder let go, the second finds nothing left to send.
    await releaseSchedulerLease({ name: AUDIT_STREAM_LEASE, holder: a.leased ? "A" : "B" });
    const again = await tick(a.leased ? "B" : "A", 1000);
    expect(again).toMatchObject({ leased: true, sent: 0 });
    const seqs = receivedSeqs(receiver.received);
    expect(seqs).toEqual(await allSeqs());
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it("leaves sinks that did not subscribe and disabled sinks alone", async () => {
    await events(2, "quiet");
    const sink = await createStreamSink();
    await db().notificationSink.update({ where: { id: sink.id }, data: { enabled: false } });
    await callRoute(sinksRoute.POST, {
      method: "POST",
      path: "/api/notification-sinks",
      body: { name: "ops-chat", url: receiver.url, events: ["deployment.failed"] },
      as: admin,
    });
    await tick();
    expect(receiver.received).toHaveLength(0);
  });
});
