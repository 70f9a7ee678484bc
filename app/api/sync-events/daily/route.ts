import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { dailySyncCounts } from "@/lib/sync/data/daily-sync-counts";

// GET /api/sync-events/daily — syncs and failures per UTC day (last `days`, default 30) for the timeline chart
export const GET = withAuth(async ({ req }) => ({ days: await dailySyncCounts(searchParamsOf(req)) }), {
  permission: "read",
});
