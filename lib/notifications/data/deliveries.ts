import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { notificationBody } from "../messages";
import {
  MAX_DELIVERY_ATTEMPTS,
  ZDeliveryState,
  type DeliveryListPage,
  type NotificationDeliveryView,
  type TDeliveryEvent,
  type TDeliveryListFilter,
  type TestDeliveryResult,
} from "../schemas";
import { deliveryRetryDelayMs, postSigned, type SendResult } from "../send";
import { openSinkSecret } from "../signing";

type DeliveryRow = {
  id: string;
  sinkId: string;
  event: string;
  state: string;
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

const DELIVERY_SELECT = {
  id: true,
  sinkId: true,
  event: true,
  state: true,
  attempts: true,
  nextAttemptAt: true,
  lastStatus: true,
  lastError: true,
  deliveredAt: true,
  createdAt: true,
} as const;

export function toDeliveryView(r: DeliveryRow): NotificationDeliveryView {
  const state = ZDeliveryState.catch("pending").parse(r.state);
  return {
    id: r.id,
    sinkId: r.sinkId,
    event: r.event as TDeliveryEvent,
    state,
    attempts: r.attempts,
    nextAttemptAt: state === "pending" ? r.nextAttemptAt.toISOString() : null,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

/**
 * Writes the result of one attempt. Success → `delivered`; failure → `pending` again after a capped exponential
 * backoff, or `failed` once MAX_DELIVERY_ATTEMPTS attempts were made. Only a row still pending with the attempt
 * count we read is updated, so a delivery is never counted twice.
 */
async function recordAttempt(opts: {
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
    await recordAttempt({
      id: row.id,
      attemptsBefore: row.attempts,
      result,
      now: opts.now ?? new Date(),
      ...(opts.random ? { random: opts.random } : {}),
    });
  }
  return { attempted, delivered };
}

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
  await recordAttempt({ id: row.id, attemptsBefore: 0, result, now: new Date() });
  const after = await db().notificationDelivery.findUniqueOrThrow({ where: { id: row.id }, select: DELIVERY_SELECT });
  return { delivery: toDeliveryView(after), ok: result.ok };
}

/** One sink's delivery log, newest first, paged by cursor (the last delivery id of the previous page). */
export async function listDeliveries(opts: { sinkId: string } & TDeliveryListFilter): Promise<DeliveryListPage> {
  const sink = await db().notificationSink.findUnique({ where: { id: opts.sinkId }, select: { id: true } });
  if (!sink) throw new AppError("NOT_FOUND", "There is no notification sink with this id.");
  const rows = await db().notificationDelivery.findMany({
    where: { sinkId: sink.id },
    select: DELIVERY_SELECT,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, opts.limit).map(toDeliveryView);
  return { items, nextCursor: rows.length > opts.limit ? (items[items.length - 1]?.id ?? null) : null };
}
