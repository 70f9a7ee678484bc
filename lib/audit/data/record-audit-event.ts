import "server-only";
import { randomUUID } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { advisoryXactLockSql } from "@/lib/db/advisory-locks";
import { env } from "@/lib/env";
import { CHAIN_SCHEMES, GENESIS_HASH, hashAuditRow, type ChainedFields } from "../chain";
import { nameColumnsOf, nameKey, serializeAuditNames, suggestibleNames, ZAuditNames } from "../names";
import { NO_REQUEST, type AuditEntry } from "../schemas";
import { auditKeysForWrite } from "./audit-keys";
import { resolveAuditNames } from "./resolve-audit-names";

/**
 * Appends one hash-chained audit row inside the caller's transaction, so the row and the change it records commit
 * or roll back together. The hash is keyed (HMAC with the audit chain key), so someone with only the database cannot
 * recompute it after an edit. The row stores the names it is about as they are now (target, credential, application,
 * deployment, repository, user), covered by the hash, so it reads in words after they are deleted; the names also
 * join the filters' suggestions. Never pass secret material in `details`.
 */
export async function recordAuditEvent(tx: Tx, entry: AuditEntry): Promise<{ id: string; seq: number }> {
  await lockAuditChain(tx);
  const keys = await auditKeysForWrite(tx);
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
  const request = entry.request ?? NO_REQUEST;
  const names = ZAuditNames.parse(await resolveAuditNames(tx, entry));
  const namesJson = serializeAuditNames(names);
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
    names: namesJson,
    ...(namesJson ? nameColumnsOf(names) : { targetName: null, credentialLabel: null, applicationName: null }),
  };
  const row = await tx.auditEvent.create({
    data: { ...fields, hash: hashAuditRow(fields, keys.chain, true), chainScheme: CHAIN_SCHEMES.keyedNames },
    select: { id: true, seq: true },
  });
  await rememberNames(tx, suggestibleNames(names, entry.actor.kind === "user" ? entry.actor.name : null));
  return row;
}

/**
 * Adds names to the suggestions list (AuditName), one statement for all of a row's names; a name already there is
 * left as it is (insert or ignore, on both databases).
 */
async function rememberNames(tx: Tx, pairs: readonly (readonly [string, string])[]): Promise<void> {
  if (pairs.length === 0) return;
  const pg = env().databaseKind === "postgresql";
  const values = pairs.map((_, i) => (pg ? `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})` : "(?, ?, ?)")).join(", ");
  await tx.$executeRawUnsafe(
    `INSERT INTO "AuditName" ("kind", "name", "key") VALUES ${values} ON CONFLICT DO NOTHING`,
    ...pairs.flatMap(([kind, name]) => [kind, name, nameKey(name)]),
  );
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
