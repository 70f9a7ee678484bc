import "server-only";
import { db } from "@/lib/db";
import { MAX_DELIVERY_ATTEMPTS } from "../schemas";
import { deliveryRetryDelayMs, type SendResult } from "../send";

/**
 * Writes the result of one attempt. Success → `delivered`; failure → `pending` again after a capped exponential
 * backoff, or `failed` once MAX_DELIVERY_ATTEMPTS attempts were made. Only a row still pending with the attempt
 * count we read is updated, so a delivery is never counted twice.
 */
export async function recordDeliveryAttempt(opts: {
  id: string;
  attemptsBefore: number;
  result: SendResult;
  now: Date;
  random?: () => number;
}): Promise<void> {
  const attempts = opts.attemptsBefore + 1;
  const common = { attempts, lastStatus: opts.result.status, lastError: opts.result.error };
  const data = opts.result.ok
    ? { ...common, state: "delivered", deliveredAt: opts.now }
    : attempts >= MAX_DELIVERY_ATTEMPTS
      ? { ...common, state: "failed" }
      : {
          ...common,
          state: "pending",
          nextAttemptAt: new Date(opts.now.getTime() + deliveryRetryDelayMs(attempts, opts.random)),
        };
  await db().notificationDelivery.updateMany({
    where: { id: opts.id, state: "pending", attempts: opts.attemptsBefore },
    data,
  });
}
