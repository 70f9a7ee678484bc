import "server-only";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/errors";

export interface LeaseOptions {
  /** The lease's name: one per kind of singleton work (`rotation`, `notifications`) or per claimed item (`scope-check:<credentialId>`). */
  name: string;
  /** Who asks: unique per scheduler instance (`<host>:<pid>:<random>`). */
  holder: string;
  leaseMs: number;
  now?: Date;
}

/**
 * Takes or renews a named lease. The conditional update only matches while the lease is ours or has run out, so of
 * several processes asking at once exactly one gets it (a row lock on PostgreSQL, the single writer on SQLite).
 * The first ever call creates the row; a concurrent creator loses on the primary key and gets false.
 */
export async function acquireSchedulerLease(opts: LeaseOptions): Promise<boolean> {
  const now = opts.now ?? new Date();
  const leaseUntil = new Date(now.getTime() + opts.leaseMs);
  const { count } = await db().schedulerLease.updateMany({
    where: { name: opts.name, OR: [{ holder: opts.holder }, { leaseUntil: { lte: now } }] },
    data: { holder: opts.holder, leaseUntil },
  });
  if (count === 1) return true;
  const existing = await db().schedulerLease.findUnique({ where: { name: opts.name }, select: { name: true } });
  if (existing) return false;
  try {
    await db().schedulerLease.create({ data: { name: opts.name, holder: opts.holder, leaseUntil } });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** Gives the lease up at once (on shutdown), so another process need not wait for it to run out. */
export async function releaseSchedulerLease(opts: { name: string; holder: string }): Promise<void> {
  await db().schedulerLease.updateMany({
    where: { name: opts.name, holder: opts.holder },
    data: { leaseUntil: new Date(0) },
  });
}

/**
 * Gives the lease up and removes its row: for leases named per item (a claim on one credential, `scope-check:<id>`),
 * whose rows would otherwise pile up. Only the holder's row goes; a taker after expiry keeps its own.
 */
export async function dropSchedulerLease(opts: { name: string; holder: string }): Promise<void> {
  await db().schedulerLease.deleteMany({ where: { name: opts.name, holder: opts.holder } });
}
