import "server-only";
import { randomUUID } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { advisoryXactLockSql } from "@/lib/db/advisory-locks";
import { env } from "@/lib/env";
import { CHAIN_SCHEMES, GENESIS_HASH, hashAuditRow, type ChainedFields } from "../chain";
import { NO_REQUEST, type AuditEntry } from "../schemas";
import { auditKeysForWrite } from "./audit-keys";

/**
 * Appends one hash-chained audit row inside the caller's transaction, so the row and the change it records commit
 * or roll back together. The hash is keyed (HMAC with the audit chain key), so someone with only the database cannot
 * recompute it after an edit. Never pass secret material in `details`.
 */
export async function recordAuditEvent(tx: Tx, entry: AuditEntry): Promise<{ id: string; seq: number }> {
  await lockAuditChain(tx);
  const keys = await auditKeysForWrite(tx);
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
  const request = entry.request ?? NO_REQUEST;
  const fields: ChainedFields = {
    id: randomUUID(),
    at: new Date(),
    actorKind: entry.actor.kind,
    actorId: entry.actor.id,
    actorName: entry.actor.name,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId ?? null,
    targetId: entry.targetId ?? null,
    credentialId: entry.credentialId ?? null,
    outcome: entry.outcome ?? "success",
    ip: request.ip,
    userAgent: request.userAgent,
    requestId: request.requestId,
    details: JSON.stringify(entry.details ?? {}),
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const row = await tx.auditEvent.create({
    data: { ...fields, hash: hashAuditRow(fields, keys.chain), chainScheme: CHAIN_SCHEMES.keyed },
    select: { id: true, seq: true },
  });
  return row;
}

/**
 * Takes the audit chain's lock (PostgreSQL; SQLite serialises writers anyway) for the rest of the transaction.
 * Transactions that lock rows AND write audit rows must take it first: a transaction holding the chain lock that
 * waits for a row lock, against one holding that row that waits for the chain, is a deadlock. Re-entrant.
 */
export async function lockAuditChain(tx: Tx): Promise<void> {
  if (env().databaseKind === "postgresql") {
    await tx.$executeRawUnsafe(advisoryXactLockSql("auditChain"));
  }
}

/** A transaction that writes audit rows and touches rows other writers lock: chain lock first, then `fn`. */
export async function auditedTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db().$transaction(async (tx) => {
    await lockAuditChain(tx);
    return fn(tx);
  });
}

/** For events that are not part of a larger change (a denied request, a failed sign-in): a transaction of one. */
export async function recordStandaloneAuditEvent(entry: AuditEntry): Promise<void> {
  await db().$transaction((tx) => recordAuditEvent(tx, entry));
}
