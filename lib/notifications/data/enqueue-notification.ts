import "server-only";
import { db, type Tx } from "@/lib/db";
import { env } from "@/lib/env";
import { isUniqueViolation } from "@/lib/errors";
import { notificationBody, type NotificationInput } from "../messages";
import { ZNotificationEvent, type TNotificationEvent } from "../schemas";
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

type QueuedInput = Exclude<NotificationInput, { event: "test" }>;

/**
 * Queues a notification inside the caller's transaction, so it exists exactly when the state change it announces
 * commits (a rolled-back transition announces nothing). `build` runs only when an enabled sink subscribes to `event`,
 * so a state change nobody listens to costs one query. Same (sinkId, dedupKey) rule as enqueueNotification, checked
 * before inserting: the callers hold the audit chain lock (transitionDeployment, recordSyncEvents) or the
 * notifications lease (notifyStaleAgents), so no one inserts the same key between the look and the insert — and a
 * unique violation here would abort the caller's PostgreSQL transaction rather than be caught.
 * Returns how many deliveries were queued.
 */
export async function enqueueNotificationInTx(
  tx: Tx,
  opts: {
    event: TNotificationEvent;
    /** The condition's key, or a function computing it (run only when a sink subscribes: it may cost a query). */
    dedupKey: string | (() => Promise<string>);
    build: () => Promise<QueuedInput | null>;
    now?: Date;
  },
): Promise<number> {
  const sinks = await tx.notificationSink.findMany({ where: { enabled: true }, select: { id: true, events: true } });
  const subscribed = sinks.filter((s) => parseEvents(s.events).includes(opts.event));
  if (subscribed.length === 0) return 0;
  const dedupKey = typeof opts.dedupKey === "string" ? opts.dedupKey : await opts.dedupKey();
  const have = new Set(
    (
      await tx.notificationDelivery.findMany({
        where: { dedupKey, sinkId: { in: subscribed.map((s) => s.id) } },
        select: { sinkId: true },
      })
    ).map((d) => d.sinkId),
  );
  const missing = subscribed.filter((s) => !have.has(s.id));
  if (missing.length === 0) return 0;
  const input = await opts.build();
  if (!input) return 0;
  if (input.event !== opts.event) throw new Error(`notification built as ${input.event}, queued as ${opts.event}`);
  const payload = JSON.stringify(notificationBody(input, env().publicUrl));
  for (const sink of missing) {
    await tx.notificationDelivery.create({
      data: {
        sinkId: sink.id,
        event: opts.event,
        dedupKey,
        payload,
        state: "pending",
        nextAttemptAt: opts.now ?? new Date(),
      },
    });
  }
  // The rows are visible once the caller commits, which this function cannot see: wake the dispatcher a moment
  // later; if the transaction takes longer, its next poll (WHARF_NOTIFICATIONS_INTERVAL) sends them.
  setTimeout(wakeNotificationDispatcher, 250).unref();
  return missing.length;
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
