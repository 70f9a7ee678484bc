import "server-only";
import { randomUUID } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { env } from "@/lib/env";
import { GENESIS_HASH, hashAuditRow, type ChainedFields } from "../chain";
import { NO_REQUEST, type AuditEntry } from "../schemas";

// One lock id for the chain head: concurrent writers on PostgreSQL queue here instead of forking the chain.
const CHAIN_LOCK_ID = 727275;

/**
 * Appends one hash-chained audit row inside the caller's transaction, so the row and the change it records commit
 * or roll back together. Never pass secret material in `details`.
 */
export async function recordAuditEvent(tx: Tx, entry: AuditEntry): Promise<{ id: string; seq: number }> {
  if (env().databaseKind === "postgresql") {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_ID})`);
  }
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
  const row = await tx.auditEvent.create({ data: { ...fields, hash: hashAuditRow(fields) }, select: { id: true, seq: true } });
  return row;
}

/** For events that are not part of a larger change (a denied request, a failed sign-in): a transaction of one. */
export async function recordStandaloneAuditEvent(entry: AuditEntry): Promise<void> {
  await db().$transaction((tx) => recordAuditEvent(tx, entry));
}
