import { listApplicationTimeline } from "@/lib/applications/data/list-application-timeline";
import { ZTimelinePage, ZTimelineQuery } from "@/lib/applications/timeline-schemas";
import { searchParamsOf, withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(
  async ({ req, params }) => listApplicationTimeline({ applicationId: params.id ?? "", query: searchParamsOf(req) }),
  {
    permission: "read",
    docs: {
      tag: "applications",
      summary:
        "One timeline of an application: its deployments, rollbacks, approval decisions, syncs, drift events and pins, newest first, without a cap (pass `nextCursor` back as `cursor`); entries that may be rolled back to say how",
      query: ZTimelineQuery,
      returns: "A page of entries and the cursor of the next one (null on the last page).",
      response: ZTimelinePage,
    },
  },
);
