import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { notificationBody } from "../messages";
import type { TestDeliveryResult } from "../schemas";
import { postSigned } from "../send";
import { openSinkSecret } from "../signing";
import { DELIVERY_SELECT, toDeliveryView } from "./list-deliveries";
import { recordDeliveryAttempt } from "./record-delivery-attempt";

/**
 * The test button: sends a `test` notification to one sink now and answers with the result. The delivery is logged
 * like any other; when it fails it is retried like any other.
 */
export async function sendTestNotification(opts: { sinkId: string; now?: Date }): Promise<TestDeliveryResult> {
  const sink = await db().notificationSink.findUnique({
    where: { id: opts.sinkId },
    select: { id: true, name: true, url: true, secretCiphertext: true },
  });
  if (!sink) throw new AppError("NOT_FOUND", "There is no notification sink with this id.");
  const now = opts.now ?? new Date();
  const payload = JSON.stringify(
    notificationBody({ event: "test", data: { sinkId: sink.id, sinkName: sink.name } }, env().publicUrl),
  );
  // Not due for the dispatcher until well after the answer below is recorded, so it is not sent twice.
  const row = await db().notificationDelivery.create({
    data: {
      sinkId: sink.id,
      event: "test",
      dedupKey: `test:${randomUUID()}`,
      payload,
      state: "pending",
      nextAttemptAt: new Date(now.getTime() + 60_000),
    },
    select: { id: true },
  });
  const result = await postSigned({
    url: sink.url,
    body: payload,
    secret: openSinkSecret(sink.id, sink.secretCiphertext),
    event: "test",
    deliveryId: row.id,
  });
  await recordDeliveryAttempt({ id: row.id, attemptsBefore: 0, result, now: new Date() });
  const after = await db().notificationDelivery.findUniqueOrThrow({ where: { id: row.id }, select: DELIVERY_SELECT });
  return { delivery: toDeliveryView(after), ok: result.ok };
}
