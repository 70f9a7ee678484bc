import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { waitForSyncEvents, syncEventsVersion } from "@/lib/sync/live";
import { SYNC_CHANGES_WAIT_MAX_SECONDS, ZSyncChanges, ZSyncChangesQuery } from "@/lib/sync/schemas";

// A long poll holds the request up to 25 s; never cache or prerender it.
export const dynamic = "force-dynamic";

export const GET = withAuth(
  async ({ req, timing }) => {
    const q = ZSyncChangesQuery.parse(searchParamsOf(req));
    const waitMs = (q.wait ?? SYNC_CHANGES_WAIT_MAX_SECONDS) * 1000;
    const changed = await timing.idle(waitForSyncEvents(q.since, waitMs, req.signal));
    return { changed, version: syncEventsVersion() };
  },
  {
    permission: "read",
    docs: {
      tag: "pull",
      summary:
        "Long poll for open sync-history pages: answers `changed: true` as soon as this dashboard process stores sync events newer than `since`, else `changed: false` after `wait` seconds (default and maximum 25)",
      query: ZSyncChangesQuery,
      returns: "Whether events were stored, and the version to pass as `since` next.",
      response: ZSyncChanges,
    },
  },
);
