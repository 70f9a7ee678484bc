import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import {
  ZDeliveryState,
  type DeliveryListPage,
  type NotificationDeliveryView,
  type TDeliveryEvent,
  type TDeliveryListFilter,
} from "../schemas";

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

export const DELIVERY_SELECT = {
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
