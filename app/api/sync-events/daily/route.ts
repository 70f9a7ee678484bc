import { z } from "zod";
import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { dailySyncCounts } from "@/lib/sync/data/daily-sync-counts";
import { ZSyncDailyQuery, ZSyncDailyCount } from "@/lib/sync/schemas";

export const GET = withAuth(async ({ req }) => ({ days: await dailySyncCounts(searchParamsOf(req)) }), {
  permission: "read",
  docs: {
    tag: "pull",
    summary: "Syncs and failures per UTC day (last `days`, default 30) for the timeline chart",
    query: ZSyncDailyQuery,
    returns: "{ days }",
    response: z.object({ days: z.array(ZSyncDailyCount) }),
  },
});
