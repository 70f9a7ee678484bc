import { createHash } from "node:crypto";

/** The fields of an audit row that its hash covers: everything but the database's own sequence number. */
export interface ChainedFields {
  id: string;
  at: Date;
  actorKind: string;
  actorId: string | null;
  actorName: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  targetId: string | null;
  credentialId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: string;
  prevHash: string;
}

/** The chain starts from this value, so the first row's link is checked like every other. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * SHA-256 over a fixed-order JSON encoding of the row, including the previous row's hash. Editing any field of
 * any row, or removing a row, breaks the link of that row or the next one.
 */
export function hashAuditRow(row: ChainedFields): string {
  const canonical = JSON.stringify([
    row.id,
    row.at.toISOString(),
    row.actorKind,
    row.actorId,
    row.actorName,
    row.action,
    row.subjectType,
    row.subjectId,
    row.targetId,
    row.credentialId,
    row.outcome,
    row.ip,
    row.userAgent,
    row.requestId,
    row.details,
    row.prevHash,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

export type ChainVerdict =
  | { intact: true; rows: number }
  | { intact: false; rows: number; brokenAt: { seq: number; id: string; at: Date; reason: string } };

/**
 * Walks rows in sequence order and reports the first broken link. Takes an async iterable so a caller can stream
 * a million rows in pages without holding them.
 */
export async function verifyChain(
  rows: AsyncIterable<ChainedFields & { seq: number; hash: string }>,
): Promise<ChainVerdict> {
  let prev = GENESIS_HASH;
  let count = 0;
  for await (const row of rows) {
    count++;
    if (row.prevHash !== prev) {
      return brokenAt(row, count, "link to the previous row does not match (a row was removed or reordered)");
    }
    if (hashAuditRow(row) !== row.hash) {
      return brokenAt(row, count, "row content does not match its hash (the row was edited)");
    }
    prev = row.hash;
  }
  return { intact: true, rows: count };
}

function brokenAt(row: { seq: number; id: string; at: Date }, rows: number, reason: string): ChainVerdict {
  return { intact: false, rows, brokenAt: { seq: row.seq, id: row.id, at: row.at, reason } };
}
