import "server-only";
import { readCheckpoints, checkpointFileIn } from "@/lib/audit/checkpoint-file";
import { readAuditStream } from "@/lib/audit/data/read-audit-stream";
import { auditStreamLines } from "@/lib/audit/stream";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { deliveryRetryDelayMs, postSigned, type SendResult } from "../send";
import { openSinkSecret } from "../signing";

/** Events per pushed batch: one POST of JSON Lines (a few hundred kB at most). */
export const AUDIT_STREAM_BATCH = 500;

/** The newest signed checkpoint line of the data directory's file, as written (signature included), or null. */
function latestCheckpointLine(): { seq: number; body: string } | null {
  const lines = readCheckpoints(checkpointFileIn(env().dataDir));
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if ("checkpoint" in l && l.checkpoint)
      return { seq: l.checkpoint.seq, body: JSON.stringify({ ...l.checkpoint, sig: l.sig }) };
  }
  return null;
}

async function send(
  sink: { id: string; url: string; secretCiphertext: string },
  opts: { body: string; event: string; deliveryId: string; contentType: string; headers: Record<string, string> },
): Promise<SendResult> {
  try {
    return await postSigned({ url: sink.url, secret: openSinkSecret(sink.id, sink.secretCiphertext), ...opts });
  } catch (err) {
    return { ok: false, status: null, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Records a failed send: the cursor stays, the same batch is retried after the notifications' backoff. */
async function recordFailure(
  sinkId: string,
  attemptsBefore: number,
  result: SendResult,
  now: Date,
  random?: () => number,
) {
  const attempts = attemptsBefore + 1;
  await db().auditStreamCursor.update({
    where: { sinkId },
    data: {
      attempts,
      nextAttemptAt: new Date(now.getTime() + deliveryRetryDelayMs(attempts, random)),
      lastStatus: result.status,
      lastError: result.error?.slice(0, 500) ?? null,
    },
  });
}

/**
 * One round of audit streaming: for each enabled sink subscribed to `audit.stream` whose retry time has come, POSTs
 * the events after its cursor (at most `batch`, in seq order) as signed JSON Lines, and advances the cursor to the
 * batch's last seq only after a 2xx — a failure leaves it, so the next attempt resends the same events (at least
 * once; receivers deduplicate on seq or on X-Wharf-Delivery, which names the range). Then sends the newest signed
 * checkpoint the sink has not had once the sink holds every event it covers. Run by the one process holding the
 * `audit-stream` lease; `beforeEach` renews it and stops the round when lost. `more`: a full batch went out, run again.
 */
export async function dispatchAuditStream(
  opts: { now?: Date; batch?: number; random?: () => number; beforeEach?: () => Promise<boolean> } = {},
): Promise<{ sent: number; failed: number; more: boolean }> {
  const now = opts.now ?? new Date();
  const batch = opts.batch ?? AUDIT_STREAM_BATCH;
  const sinks = await db().notificationSink.findMany({
    where: { enabled: true, events: { contains: '"audit.stream"' } },
    select: { id: true, url: true, secretCiphertext: true },
    orderBy: { id: "asc" },
  });
  let sent = 0;
  let failed = 0;
  let more = false;
  for (const sink of sinks) {
    if (opts.beforeEach && !(await opts.beforeEach())) break;
    const cursor = await db().auditStreamCursor.upsert({
      where: { sinkId: sink.id },
      create: { sinkId: sink.id },
      update: {},
    });
    if (cursor.nextAttemptAt > now) continue;
    let after = cursor.afterSeq;
    const rows = await readAuditStream({ after, limit: batch });
    if (rows.length > 0) {
      const first = rows[0]!.seq;
      const last = rows[rows.length - 1]!.seq;
      const result = await send(sink, {
        body: auditStreamLines(rows),
        event: "audit.stream",
        deliveryId: `audit-${sink.id}-${first}-${last}`,
        contentType: "application/x-ndjson",
        headers: { "x-wharf-audit-first-seq": String(first), "x-wharf-audit-last-seq": String(last) },
      });
      if (!result.ok) {
        failed++;
        await recordFailure(sink.id, cursor.attempts, result, now, opts.random);
        continue;
      }
      sent++;
      // Compare-and-set on the cursor read above: a stale holder (its lease lapsed mid-send) cannot move it back.
      await db().auditStreamCursor.updateMany({
        where: { sinkId: sink.id, afterSeq: cursor.afterSeq },
        data: {
          afterSeq: last,
          attempts: 0,
          nextAttemptAt: now,
          lastStatus: result.status,
          lastError: null,
          lastDeliveredAt: now,
        },
      });
      after = last;
      if (rows.length === batch) more = true;
    }
    const cp = latestCheckpointLine();
    if (cp && cp.seq > cursor.checkpointSeq && cp.seq <= after) {
      const result = await send(sink, {
        body: cp.body,
        event: "audit.checkpoint",
        deliveryId: `audit-checkpoint-${sink.id}-${cp.seq}`,
        contentType: "application/json",
        headers: { "x-wharf-audit-last-seq": String(cp.seq) },
      });
      if (result.ok) {
        await db().auditStreamCursor.update({ where: { sinkId: sink.id }, data: { checkpointSeq: cp.seq } });
      } else {
        failed++;
        await recordFailure(sink.id, 0, result, now, opts.random);
      }
    }
  }
  return { sent, failed, more };
}
