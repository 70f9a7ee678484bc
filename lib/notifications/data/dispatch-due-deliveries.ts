import "server-only";
import { db } from "@/lib/db";
import { postSigned, type SendResult } from "../send";
import { openSinkSecret } from "../signing";
import { recordDeliveryAttempt } from "./record-delivery-attempt";

/**
 * Sends pending deliveries whose time has come (oldest first, at most `limit`), each to its sink with the sink's
 * signing secret. Deliveries of disabled sinks wait. Run by the one process holding the `notifications` lease.
 * Returns how many were attempted and delivered.
 */
export async function dispatchDueDeliveries(
  opts: {
    now?: Date;
    limit?: number;
    random?: () => number;
    /** Called before each delivery (the caller renews its lease); false stops the batch, e.g. when the lease was lost. */
    beforeEach?: () => Promise<boolean>;
  } = {},
): Promise<{ attempted: number; delivered: number }> {
  const now = opts.now ?? new Date();
  const rows = await db().notificationDelivery.findMany({
    where: { state: "pending", nextAttemptAt: { lte: now }, sink: { enabled: true } },
    select: {
      id: true,
      event: true,
      payload: true,
      attempts: true,
      sink: { select: { id: true, url: true, secretCiphertext: true } },
    },
    orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }],
    take: opts.limit ?? 50,
  });
  let delivered = 0;
  let attempted = 0;
  for (const row of rows) {
    if (opts.beforeEach && !(await opts.beforeEach())) break;
    attempted++;
    let result: SendResult;
    try {
      const secret = openSinkSecret(row.sink.id, row.sink.secretCiphertext);
      result = await postSigned({ url: row.sink.url, body: row.payload, secret, event: row.event, deliveryId: row.id });
    } catch (err) {
      result = { ok: false, status: null, error: err instanceof Error ? err.message : String(err) };
    }
    if (result.ok) delivered++;
    await recordDeliveryAttempt({
      id: row.id,
      attemptsBefore: row.attempts,
      result,
      now: opts.now ?? new Date(),
      ...(opts.random ? { random: opts.random } : {}),
    });
  }
  return { attempted, delivered };
}
