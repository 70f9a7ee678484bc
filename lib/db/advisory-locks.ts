// Plain module (no `server-only`): the migration runner (lib/db/migrate.ts, plain Node) takes one of these too.

/**
 * Every PostgreSQL advisory lock id Wharf takes, in one table so that no two locks ever share an id by accident.
 * Single-key locks (`pg_advisory_xact_lock(id)`) and the first key of two-key lock classes
 * (`pg_advisory_xact_lock(class, key)`) are both listed: PostgreSQL keeps the two key spaces apart, people reading
 * `pg_locks` do not. A new lock takes the next free number here and nowhere else; SQLite has one writer and takes none.
 */
export const ADVISORY_LOCKS = {
  /** The migration runner, held for the whole run (session lock): a second process starting waits for it. */
  migrations: 727_274,
  /** The audit chain's head: concurrent writers queue instead of forking the chain (lib/audit/data/record-audit-event.ts). */
  auditChain: 727_275,
  /** Changes to users that could leave no enabled admin (lib/users/data/update-user.ts). */
  adminSet: 727_276,
  /** Writers of the credential status columns (lib/credentials/status-columns.ts). */
  credentialStatusColumns: 727_277,
  /** A class: one lock per sign-in throttle key, the key's hash as second argument (lib/auth/data/sign-in.ts). */
  signInThrottleClass: 727_278,
} as const;

/** The SQL that takes a transaction-scoped single-key advisory lock from ADVISORY_LOCKS. */
export function advisoryXactLockSql(lock: keyof typeof ADVISORY_LOCKS): string {
  return `SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS[lock]})`;
}
