import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { KEYED_CHAIN_SCHEMES, type AuditCheckpoint, type AuditKeys } from "../chain";
import { appendCheckpoint, checkpointFileIn } from "../checkpoint-file";
import { auditKeysForWrite } from "./audit-keys";
import { lockAuditChain } from "./record-audit-event";

/** The last checkpoint this process wrote per file, so an idle chain does not get a new line every interval. */
const lastWritten = new Map<string, number>();

/** The audit chain's keys, created (under the chain lock) if no audit row has needed them yet. */
async function keysForCheckpoint(): Promise<AuditKeys> {
  return db().$transaction(async (tx) => {
    await lockAuditChain(tx);
    return auditKeysForWrite(tx);
  });
}

/**
 * Signs and appends a checkpoint of `head` (default: the chain's current head and keyed boundary, read now) to the
 * data directory's checkpoint file. Does nothing for an empty chain, or when this process already wrote this
 * sequence to the file (unless `force`). Returns the checkpoint written, or null.
 */
export async function writeAuditCheckpoint(
  opts: { head?: { seq: number; hash: string; keyedFrom: number | null }; force?: boolean; now?: Date } = {},
): Promise<AuditCheckpoint | null> {
  const file = checkpointFileIn(env().dataDir);
  let head = opts.head;
  if (!head) {
    const row = await db().auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
    if (!row) return null;
    const firstKeyed = await db().auditEvent.findFirst({
      where: { chainScheme: { in: [...KEYED_CHAIN_SCHEMES] } },
      orderBy: { seq: "asc" },
      select: { seq: true },
    });
    head = { ...row, keyedFrom: firstKeyed?.seq ?? null };
  }
  if (!opts.force && lastWritten.get(file) === head.seq) return null;
  const keys = await keysForCheckpoint();
  const cp: AuditCheckpoint = {
    v: 1,
    seq: head.seq,
    head: head.hash,
    keyedFrom: head.keyedFrom,
    at: (opts.now ?? new Date()).toISOString(),
  };
  appendCheckpoint(file, cp, keys.checkpoint);
  lastWritten.set(file, head.seq);
  return cp;
}
