import "server-only";
import { db } from "@/lib/db";
import { DAILY_FAILED_RESULTS, DAILY_SYNCED_RESULTS, ZSyncDailyQuery, type SyncDailyCount } from "../schemas";

const DAY_MS = 86_400_000;

/**
 * Syncs and failures per UTC day for the last `days` days (today included), oldest first, for the timeline chart.
 * Counted per day with the (result, occurredAt) index rather than by loading events, so a busy history stays cheap.
 */
export async function dailySyncCounts(query: unknown, now = new Date()): Promise<SyncDailyCount[]> {
  const q = ZSyncDailyQuery.parse(query);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: q.days }, (_, i) => today - (q.days - 1 - i) * DAY_MS);
  const count = (start: number, results: readonly string[]) =>
    db().syncEvent.count({
      where: {
        result: { in: [...results] },
        occurredAt: { gte: new Date(start), lt: new Date(start + DAY_MS) },
        ...(q.targetId ? { targetId: q.targetId } : {}),
      },
    });
  return Promise.all(
    days.map(async (start) => {
      const [synced, failed] = await Promise.all([
        count(start, DAILY_SYNCED_RESULTS),
        count(start, DAILY_FAILED_RESULTS),
      ]);
      return { day: new Date(start).toISOString().slice(0, 10), synced, failed };
    }),
  );
}
