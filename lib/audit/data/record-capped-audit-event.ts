import "server-only";
import { db, type Tx } from "@/lib/db";
import type { Actor, AuditEntry, TAuditAction } from "../schemas";
import { lockAuditChain, recordAuditEvent } from "./record-audit-event";

/** Caps look back this far; summaries count per minute of the clock. */
export const FLOOD_WINDOW_MS = 60_000;

/** The actor of summary rows. Caps never count rows of this actor, so a summary does not use up the cap it reports. */
export const FLOOD_SUMMARY_ACTOR: Actor = { kind: "system", id: null, name: "wharf (flood summary)" };

/** At most `max` rows of the entry's action and subject type in the last minute that match `match`. */
export interface AuditCap {
  match: { ip?: string | null; actorName?: string; actorId?: string | null };
  max: number;
}

export type CappedAuditOutcome = { recorded: true } | { recorded: false; cap: number };

function windowStartOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / FLOOD_WINDOW_MS) * FLOOD_WINDOW_MS);
}

/**
 * Turns the counts of minutes that are over into one summary audit row each: the counted action and subject type,
 * outcome denied, `details.suppressed` the number of events and the minute they fell in. Runs inside every capped
 * write (under the chain lock, so two processes never summarise the same minute), the way syslog reports "last
 * message repeated N times" with the next message.
 */
async function flushFloodCounts(tx: Tx, now: Date): Promise<void> {
  const ended = await tx.auditFloodCount.findMany({ where: { windowStart: { lt: windowStartOf(now) } }, orderBy: { windowStart: "asc" } });
  for (const c of ended) {
    await recordAuditEvent(tx, {
      actor: FLOOD_SUMMARY_ACTOR,
      action: c.action as TAuditAction,
      subjectType: c.subjectType,
      outcome: "denied",
      details: { suppressed: c.count, from: c.windowStart.toISOString(), to: new Date(c.windowStart.getTime() + FLOOD_WINDOW_MS).toISOString() },
    });
    await tx.auditFloodCount.delete({ where: { id: c.id } });
  }
}

/**
 * The one flood valve of the audit trail, for events anyone can cause at will (a made-up API token, a webhook with
 * a wrong signature): writes `entry` unless one of `caps` is used up; then the event is counted instead of dropped,
 * and each minute's count becomes one summary row (`flushFloodCounts`). Caps are counted and rows written in one
 * transaction under the audit chain's lock, so the bounds hold across dashboard processes and concurrent requests.
 * Returns which cap, if any, held the row back (callers may answer 429 for a per-source cap).
 */
export async function recordCappedAuditEvent(opts: { entry: AuditEntry; caps: AuditCap[]; now?: Date }): Promise<CappedAuditOutcome> {
  const now = opts.now ?? new Date();
  const { action, subjectType } = opts.entry;
  return db().$transaction(async (tx) => {
    await lockAuditChain(tx);
    await flushFloodCounts(tx, now);
    const recent = { action, subjectType, at: { gte: new Date(now.getTime() - FLOOD_WINDOW_MS) }, actorName: { not: FLOOD_SUMMARY_ACTOR.name } };
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
