import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listSyncEvents } from "@/lib/sync/data/list-sync-events";
import { ZSyncEventListQuery, ZSyncEventPage } from "@/lib/sync/schemas";

export const GET = withAuth(async ({ req }) => listSyncEvents(searchParamsOf(req)), {
  permission: "read",
  docs: {
    tag: "pull",
    summary:
      "Sync history of all pull targets (filters target/environment/repo/result(s)/trigger, [from, to) on occurredAt, recovery and commit-time rows; cursor pages)",
    query: ZSyncEventListQuery,
    returns: "A page of sync events and the next cursor.",
    response: ZSyncEventPage,
  },
});
