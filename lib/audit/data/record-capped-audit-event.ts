import "server-only";
import { db, type Tx } from "@/lib/db";
import { Prisma } from "@/lib/db/generated/sqlite/client";
import { env } from "@/lib/env";
import type { Actor, AuditEntry, TAuditAction } from "../schemas";
import { lockAuditChain, recordAuditEvent } from "./record-audit-event";

/** Caps look back this far; summaries count per minute of the clock. */
export const FLOOD_WINDOW_MS = 60_000;

/** The actor of summary rows. Caps never count rows of this actor, so a summary does not use up the cap it reports. */
export const FLOOD_SUMMARY_ACTOR: Actor = { kind: "system", id: null, name: "wharf (flood summary)" };

/**
 * SQL for the number of events a set of audit rows stands for: one per row, and a flood summary row (actor
 * FLOOD_SUMMARY_ACTOR) its `details.suppressed`. Every count of events over audit rows (the comparison's denied
 * attempts) sums this instead of COUNT(*), so what the caps held back is counted too; summaries are at most one per
 * action, subject type and minute, so this reads the rows the count's own index range reads, nothing more.
 */
export function auditEventCountSql(): Prisma.Sql {
  const suppressed =
    env().databaseKind === "postgresql"
      ? Prisma.sql`("details"::jsonb ->> 'suppressed')::bigint`
      : Prisma.sql`CAST(json_extract("details", '$.suppressed') AS INTEGER)`;
  const isSummary = Prisma.sql`"actorKind" = ${FLOOD_SUMMARY_ACTOR.kind} AND "actorId" IS NULL AND "actorName" = ${FLOOD_SUMMARY_ACTOR.name}`;
  return Prisma.sql`COALESCE(SUM(CASE WHEN ${isSummary} THEN COALESCE(${suppressed}, 1) ELSE 1 END), 0)`;
}

/** At most `max` rows of the entry's action and subject type in the last minute that match `match`. */
export interface AuditCap {
  match: { ip?: string | null; actorName?: string; actorId?: string | null };
  max: number;
}

export type CappedAuditOutcome = { recorded: true } | { recorded: false; cap: number };

function windowStartOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / FLOOD_WINDOW_MS) * FLOOD_WINDOW_MS);
}

/** Most minutes one flush summarises in one transaction; the rest wait for the next flush. */
const FLUSH_BATCH = 100;

/**
 * Turns the counts of minutes that are over into one summary audit row each: the counted action and subject type,
 * outcome denied, `details.suppressed` the number of events and the minute they fell in, the way syslog reports
 * "last message repeated N times". Each count is taken by a conditional delete (its id and the count read) in the
 * transaction that writes its summary row, under the audit chain's lock: whoever else flushes the same minute at the
 * same time (another process's capped write or background flush) deletes nothing and writes nothing, so a minute is
 * summarised exactly once; a count that moved meanwhile is left for the next flush. Returns the rows written.
 */
async function summariseEndedWindows(tx: Tx, now: Date): Promise<number> {
  const ended = await tx.auditFloodCount.findMany({
    where: { windowStart: { lt: windowStartOf(now) } },
    orderBy: { windowStart: "asc" },
    take: FLUSH_BATCH,
  });
  let written = 0;
  for (const c of ended) {
    const { count: taken } = await tx.auditFloodCount.deleteMany({ where: { id: c.id, count: c.count } });
    if (taken !== 1) continue;
    await recordAuditEvent(tx, {
      actor: FLOOD_SUMMARY_ACTOR,
      action: c.action as TAuditAction,
      subjectType: c.subjectType,
      outcome: "denied",
      details: {
        suppressed: c.count,
        from: c.windowStart.toISOString(),
        to: new Date(c.windowStart.getTime() + FLOOD_WINDOW_MS).toISOString(),
      },
    });
    written++;
  }
  return written;
}

/**
 * Writes the summary rows of every minute that is over (`summariseEndedWindows`). Capped writes do it on their way;
 * the dashboard's background loop calls this every minute (lib/audit/flood-summaries.ts), so a flood's last minute
 * reaches the audit trail soon after it ends even when no capped event follows. Safe to run in several processes at
 * once. Returns how many summary rows it wrote.
 */
export async function flushAuditFloodSummaries(opts: { now?: Date } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  // Nothing to do is the usual case: one indexed read, no write lock and no chain lock.
  if (
    !(await db().auditFloodCount.findFirst({
      where: { windowStart: { lt: windowStartOf(now) } },
      select: { id: true },
    }))
  )
    return 0;
  return db().$transaction(async (tx) => {
    await lockAuditChain(tx);
    return summariseEndedWindows(tx, now);
  });
}

/**
 * The one flood valve of the audit trail, for events anyone can cause at will (a made-up API token, a webhook with
 * a wrong signature): writes `entry` unless one of `caps` is used up; then the event is counted instead of dropped,
 * and each minute's count becomes one summary row (`summariseEndedWindows`). Caps are counted and rows written in one
 * transaction under the audit chain's lock, so the bounds hold across dashboard processes and concurrent requests.
 * Returns which cap, if any, held the row back (callers may answer 429 for a per-source cap).
 */
export async function recordCappedAuditEvent(opts: {
  entry: AuditEntry;
  caps: AuditCap[];
  now?: Date;
}): Promise<CappedAuditOutcome> {
  const now = opts.now ?? new Date();
  const { action, subjectType } = opts.entry;
  return db().$transaction(async (tx) => {
    await lockAuditChain(tx);
    await summariseEndedWindows(tx, now);
    const recent = {
      action,
      subjectType,
      at: { gte: new Date(now.getTime() - FLOOD_WINDOW_MS) },
      actorName: { not: FLOOD_SUMMARY_ACTOR.name },
    };
    for (const [cap, { match, max }] of opts.caps.entries()) {
      if ((await tx.auditEvent.count({ where: { ...recent, ...match } })) < max) continue;
      const windowStart = windowStartOf(now);
      await tx.auditFloodCount.upsert({
        where: { action_subjectType_windowStart: { action, subjectType, windowStart } },
        create: { action, subjectType, windowStart, count: 1 },
        update: { count: { increment: 1 } },
      });
      return { recorded: false, cap };
    }
    await recordAuditEvent(tx, opts.entry);
    return { recorded: true };
  });
}
