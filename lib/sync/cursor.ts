import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/keyset-cursor";

/** Keyset position in the sync history, ordered by (occurredAt desc, id desc). */
export function encodeSyncCursor(occurredAt: Date, id: string): string {
  return encodeKeysetCursor([occurredAt.toISOString(), id]);
}

/** The position a cursor names, or null when it is not one this module produced. */
export function decodeSyncCursor(cursor: string): { occurredAt: Date; id: string } | null {
  const key = decodeKeysetCursor(cursor, 2);
  const occurredAt = key ? new Date(key[0]!) : null;
  return key && occurredAt && !Number.isNaN(occurredAt.getTime()) ? { occurredAt, id: key[1]! } : null;
}

/**
 * The rows after a cursor position, newest first. The redundant `lte` bound lets the (occurredAt, id) index seek to
 * the cursor; the OR alone is only a filter, so a deep page would walk every newer row first (PostgreSQL: "Rows
 * Removed by Filter"). Plain conditions, so any model ordered by (occurredAt desc, id desc) can AND them in.
 */
export function afterSyncCursor(cursor: { occurredAt: Date; id: string }) {
  return [
    { occurredAt: { lte: cursor.occurredAt } },
    { OR: [{ occurredAt: { lt: cursor.occurredAt } }, { occurredAt: cursor.occurredAt, id: { lt: cursor.id } }] },
  ];
}
