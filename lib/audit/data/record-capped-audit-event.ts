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
 * The actor of a use summary (`countAuditEvent`): one row standing for `details.count` uses of one subject in one
 * window, e.g. a push target's credential read for live status by whoever was looking.
 */
export const USE_SUMMARY_ACTOR: Actor = { kind: "system", id: null, name: "wharf (use summary)" };

/**
 * SQL for the number of events one audit row stands for: one, a flood summary row (actor FLOOD_SUMMARY_ACTOR) its
 * `details.suppressed` and a use summary row (USE_SUMMARY_ACTOR) its `details.count`. Every count of events over audit
 * rows (the comparison's access counts) sums this instead of COUNT(*), so what the caps held back is counted too;
 * summaries are at most one per action, subject type and minute, so this reads the rows the count's own index range
 * reads, nothing more.
 */
export function auditEventWeightSql(): Prisma.Sql {
  const suppressed =
    env().databaseKind === "postgresql"
      ? Prisma.sql`("details"::jsonb ->> 'suppressed')::bigint`
      : Prisma.sql`CAST(json_extract("details", '$.suppressed') AS INTEGER)`;
  const counted =
    env().databaseKind === "postgresql"
      ? Prisma.sql`("details"::jsonb ->> 'count')::bigint`
      : Prisma.sql`CAST(json_extract("details", '$.count') AS INTEGER)`;
  const isSummary = Prisma.sql`"actorKind" = ${FLOOD_SUMMARY_ACTOR.kind} AND "actorId" IS NULL AND "actorName" = ${FLOOD_SUMMARY_ACTOR.name}`;
  const isUseSummary = Prisma.sql`"actorKind" = ${USE_SUMMARY_ACTOR.kind} AND "actorId" IS NULL AND "actorName" = ${USE_SUMMARY_ACTOR.name}`;
  return Prisma.sql`CASE WHEN ${isSummary} THEN COALESCE(${suppressed}, 1) WHEN ${isUseSummary} THEN COALESCE(${counted}, 1) ELSE 1 END`;
}

/** At most `max` rows of the entry's action and subject type in the last minute that match `match`. */
export interface AuditCap {
  match: { ip?: string | null; actorName?: string; actorId?: string | null };
  max: number;
}

export type CappedAuditOutcome = { recorded: true } | { recorded: false; cap: number };

function windowStartOf(at: Date, windowMs = FLOOD_WINDOW_MS): Date {
  return new Date(Math.floor(at.getTime() / windowMs) * windowMs);
}

/** Windows a use count may have (`countAuditEvent`): each is summarised once it is over. */
export const USE_WINDOWS_MS = [5 * 60_000] as const;
export type UseWindowMs = (typeof USE_WINDOWS_MS)[number];

/** The counts whose windows are over at `now`: floods per minute, uses per their own window. */
function endedWindows(now: Date): Prisma.AuditFloodCountWhereInput {
  return {
    OR: [
      { windowMs: FLOOD_WINDOW_MS, windowStart: { lt: windowStartOf(now) } },
      ...USE_WINDOWS_MS.map((windowMs) => ({ windowMs, windowStart: { lt: windowStartOf(now, windowMs) } })),
    ],
  };
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
    where: endedWindows(now),
    orderBy: { windowStart: "asc" },
    take: FLUSH_BATCH,
  });
  let written = 0;
  for (const c of ended) {
    const { count: taken } = await tx.auditFloodCount.deleteMany({ where: { id: c.id, count: c.count } });
    if (taken !== 1) continue;
    const to = new Date(c.windowStart.getTime() + c.windowMs).toISOString();
    if (c.kind === "use") {
      await recordAuditEvent(tx, {
        actor: USE_SUMMARY_ACTOR,
        action: c.action as TAuditAction,
        subjectType: c.subjectType,
        subjectId: c.subjectId || null,
        targetId: c.targetId,
        credentialId: c.credentialId,
        details: {
          ...(JSON.parse(c.details ?? "{}") as Record<string, unknown>),
          count: c.count,
          from: c.windowStart.toISOString(),
          to,
        },
      });
      written++;
      continue;
    }
    await recordAuditEvent(tx, {
      actor: FLOOD_SUMMARY_ACTOR,
      action: c.action as TAuditAction,
      subjectType: c.subjectType,
      outcome: "denied",
      details: {
        suppressed: c.count,
        from: c.windowStart.toISOString(),
        to,
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
      where: endedWindows(now),
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
        where: { action_subjectType_subjectId_windowStart: { action, subjectType, subjectId: "", windowStart } },
        create: { action, subjectType, windowStart, count: 1 },
        update: { count: { increment: 1 } },
      });
      return { recorded: false, cap };
    }
    await recordAuditEvent(tx, opts.entry);
    return { recorded: true };
  });
}

/**
 * Accounts for one use of a subject that happens often by design (a push target's credential read for live status
 * while someone looks at the application) inside the caller's transaction, the one that makes the use: instead of a
 * row per use, the use is counted per subject and window, and each window's count becomes one chained summary row
 * once the window is over (action and subject of `entry`, actor USE_SUMMARY_ACTOR, `details` plus `count`, `from` and
 * `to`). Nothing is lost (the count commits with the use or not at all) and the trail stays append-only: counts are
 * never rows of it, and a summary is written once (`summariseEndedWindows`). Ended windows are summarised on the way,
 * as capped writes do; the background flush does the rest.
 */
export async function countAuditEvent(
  tx: Tx,
  opts: {
    entry: Omit<AuditEntry, "actor" | "outcome" | "request"> & { subjectId: string };
    windowMs: UseWindowMs;
    now?: Date;
  },
): Promise<void> {
  const now = opts.now ?? new Date();
  const { action, subjectType, subjectId } = opts.entry;
  const windowStart = windowStartOf(now, opts.windowMs);
  await lockAuditChain(tx);
  await summariseEndedWindows(tx, now);
  await tx.auditFloodCount.upsert({
    where: { action_subjectType_subjectId_windowStart: { action, subjectType, subjectId, windowStart } },
    create: {
      kind: "use",
      action,
      subjectType,
      subjectId,
      windowStart,
      windowMs: opts.windowMs,
      targetId: opts.entry.targetId ?? null,
      credentialId: opts.entry.credentialId ?? null,
      details: JSON.stringify(opts.entry.details ?? {}),
      count: 1,
    },
    update: { count: { increment: 1 } },
  });
}
