import "server-only";
import { db } from "@/lib/db";
import { decodeKeysetCursor, encodeKeysetCursor, invalidCursorError } from "@/lib/keyset-cursor";
import type { NotificationSinkPage, NotificationSinkView, TNotificationSinkListQuery } from "../schemas";
import { parseEvents } from "./enqueue-notification";

/** The columns of a sink that may leave the data layer: never the sealed secret. */
export const SINK_SELECT = {
  id: true,
  name: true,
  url: true,
  events: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type SinkRow = {
  id: string;
  name: string;
  url: string;
  events: string;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
};

/** Deliveries per state of these sinks. */
export async function deliveryCounts(sinkIds: string[]): Promise<Map<string, NotificationSinkView["deliveries"]>> {
  const counts = new Map<string, NotificationSinkView["deliveries"]>();
  if (sinkIds.length === 0) return counts;
  const groups = await db().notificationDelivery.groupBy({
    by: ["sinkId", "state"],
    where: { sinkId: { in: sinkIds } },
    _count: { _all: true },
  });
  for (const g of groups) {
    const c = counts.get(g.sinkId) ?? { pending: 0, delivered: 0, failed: 0 };
    if (g.state === "pending" || g.state === "delivered" || g.state === "failed") c[g.state] += g._count._all;
    counts.set(g.sinkId, c);
  }
  return counts;
}

/** The audit stream cursors of these sinks (only sinks that stream the audit trail have one). */
export async function auditStreamStates(sinkIds: string[]): Promise<Map<string, NotificationSinkView["auditStream"]>> {
  if (sinkIds.length === 0) return new Map();
  const rows = await db().auditStreamCursor.findMany({ where: { sinkId: { in: sinkIds } } });
  return new Map(
    rows.map((c) => [
      c.sinkId,
      {
        afterSeq: c.afterSeq,
        lastDeliveredAt: c.lastDeliveredAt?.toISOString() ?? null,
        attempts: c.attempts,
        nextAttemptAt: c.attempts > 0 ? c.nextAttemptAt.toISOString() : null,
        lastError: c.lastError,
      },
    ]),
  );
}

export function toSinkView(
  row: SinkRow,
  deliveries?: NotificationSinkView["deliveries"],
  auditStream?: NotificationSinkView["auditStream"],
): NotificationSinkView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: parseEvents(row.events),
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deliveries: deliveries ?? { pending: 0, delivered: 0, failed: 0 },
    auditStream: auditStream ?? null,
  };
}

/**
 * Sinks by name, a page at a time, with the delivery counts of the page's sinks only: names are unique, so the name
 * alone orders them and the cursor seeks in its unique index. Secrets never leave the data layer.
 */
export async function listNotificationSinks(query: TNotificationSinkListQuery): Promise<NotificationSinkPage> {
  const after = query.cursor ? decodeKeysetCursor(query.cursor, 1) : null;
  if (query.cursor && !after) throw invalidCursorError();
  const rows = await db().notificationSink.findMany({
    where: after ? { name: { gt: after[0] } } : {},
    select: SINK_SELECT,
    orderBy: { name: "asc" },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const ids = page.map((r) => r.id);
  const [counts, streams] = await Promise.all([deliveryCounts(ids), auditStreamStates(ids)]);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toSinkView(r, counts.get(r.id), streams.get(r.id))),
    nextCursor: rows.length > query.limit && last ? encodeKeysetCursor([last.name]) : null,
  };
}
