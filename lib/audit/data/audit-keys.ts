import "server-only";
import { db, type Tx } from "@/lib/db";
import { keyIdOf, open, seal } from "@/lib/keys/crypto";
import { loadKeyring } from "@/lib/keys/keyring";
import { deriveAuditKeys, deriveAuditRoot, type AuditKeys } from "../chain";
import { advisoryXactLockSql } from "@/lib/db/advisory-locks";
import { env } from "@/lib/env";

/** The one AuditChainKey row. */
const ROW_ID = "audit-chain";
/** Bound into the envelope's associated data, so the sealed root cannot be swapped with another sealed value. */
const SEAL_CONTEXT = "audit-chain-key";

/** Unsealing and deriving per audit write would cost more than the write; the sealed text identifies the keys. */
const cache = new Map<string, AuditKeys>();

function keysOf(sealed: string): AuditKeys {
  let keys = cache.get(sealed);
  if (!keys) {
    keys = deriveAuditKeys(Buffer.from(open(sealed, loadKeyring(), SEAL_CONTEXT), "base64"));
    cache.set(sealed, keys);
  }
  return keys;
}

/**
 * The audit chain's keys, for a writer, inside its transaction and under the audit chain's lock: creates the root
 * secret on first use — derived from the current master key (HKDF, its own label), so processes racing to create it
 * agree, and a deleted row comes back the same while the master key is unchanged — and reseals it under the current
 * master key when it was sealed under a previous one (the lazy half of `rekey`). Fails (MASTER_KEY_UNAVAILABLE) when
 * the root is sealed under a key this process does not have: writing unkeyed rows then would break the chain. The
 * caller holds the audit chain's lock (recordAuditEvent).
 */
export async function auditKeysForWrite(tx: Tx): Promise<AuditKeys> {
  const keyring = loadKeyring();
  const row = await tx.auditChainKey.findUnique({ where: { id: ROW_ID } });
  if (!row) {
    const sealed = seal(deriveAuditRoot(keyring.current.key).toString("base64"), keyring, SEAL_CONTEXT);
    await tx.auditChainKey.create({ data: { id: ROW_ID, sealed } });
    return keysOf(sealed);
  }
  const keys = keysOf(row.sealed);
  if (keyIdOf(row.sealed) !== keyring.current.id) await reseal(tx, row.sealed, keys);
  return keys;
}

async function reseal(tx: Tx, sealed: string, keys: AuditKeys): Promise<void> {
  const keyring = loadKeyring();
  const resealed = seal(open(sealed, keyring, SEAL_CONTEXT), keyring, SEAL_CONTEXT);
  cache.set(resealed, keys);
  await tx.auditChainKey.update({ where: { id: ROW_ID }, data: { sealed: resealed } });
}

/** The audit chain's keys for a reader (verify), or null when no key was ever created. Never writes. */
export async function readAuditKeys(): Promise<AuditKeys | null> {
  const row = await db().auditChainKey.findUnique({ where: { id: ROW_ID } });
  return row ? keysOf(row.sealed) : null;
}

/**
 * `wharf rekey`'s part for the audit chain: reseals the audit root secret under the current master key. The root
 * itself, and so every keyed hash and checkpoint signature, stays the same. Reports the key id it needs when the root
 * is sealed under a key this process does not have (add it to WHARF_PREVIOUS_MASTER_KEYS and run again).
 */
export async function rekeyAuditChainKey(): Promise<{ rekeyed: boolean; missingKeyId: string | null }> {
  return db().$transaction(async (tx) => {
    // The audit chain's lock (record-audit-event.ts), so no writer reseals at the same time.
    if (env().databaseKind === "postgresql") await tx.$executeRawUnsafe(advisoryXactLockSql("auditChain"));
    const row = await tx.auditChainKey.findUnique({ where: { id: ROW_ID } });
    const keyring = loadKeyring();
    if (!row || keyIdOf(row.sealed) === keyring.current.id) return { rekeyed: false, missingKeyId: null };
    if (!keyring.byId.has(keyIdOf(row.sealed))) return { rekeyed: false, missingKeyId: keyIdOf(row.sealed) };
    await reseal(tx, row.sealed, keysOf(row.sealed));
    return { rekeyed: true, missingKeyId: null };
  });
}
