import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { isUniqueViolation } from "@/lib/errors";
import { notificationBody, type NotificationInput } from "../messages";
import { ZNotificationEvent } from "../schemas";
import { wakeNotificationDispatcher } from "../wake";

/**
 * Queues one notification for every enabled sink subscribed to its event. `dedupKey` names the condition (e.g.
 * `rotation.overdue:<credentialId>:<lastRotatedAt>`): a sink gets one delivery per key however often the condition
 * is seen, enforced by the unique (sinkId, dedupKey) index. Returns how many deliveries were queued.
 */
export async function enqueueNotification(opts: {
  input: Exclude<NotificationInput, { event: "test" }>;
  dedupKey: string;
  now?: Date;
}): Promise<number> {
  const event = ZNotificationEvent.parse(opts.input.event);
  const sinks = await db().notificationSink.findMany({ where: { enabled: true }, select: { id: true, events: true } });
  const subscribed = sinks.filter((s) => parseEvents(s.events).includes(event));
  if (subscribed.length === 0) return 0;
  const payload = JSON.stringify(notificationBody(opts.input, env().publicUrl));
  let queued = 0;
  for (const sink of subscribed) {
    const existing = await db().notificationDelivery.findUnique({
      where: { sinkId_dedupKey: { sinkId: sink.id, dedupKey: opts.dedupKey } },
      select: { id: true },
    });
    if (existing) continue;
    try {
      await db().notificationDelivery.create({
        data: {
          sinkId: sink.id,
          event,
          dedupKey: opts.dedupKey,
          payload,
          state: "pending",
          nextAttemptAt: opts.now ?? new Date(),
        },
      });
      queued++;
    } catch (err) {
      // Another process queued the same condition between our look and our insert: one delivery is what we want.
      if (!isUniqueViolation(err)) throw err;
    }
  }
  if (queued > 0) wakeNotificationDispatcher();
  return queued;
}

/** The sink's `events` column (a JSON array), keeping only known event kinds. */
export function parseEvents(raw: string): ReturnType<typeof ZNotificationEvent.parse>[] {
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed)
      ? parsed.flatMap((e) => (ZNotificationEvent.safeParse(e).success ? [ZNotificationEvent.parse(e)] : []))
      : [];
  } catch {
    return [];
  }
}
