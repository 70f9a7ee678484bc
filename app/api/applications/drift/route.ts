import { listPushDriftEvents } from "@/lib/applications/data/list-push-drift-events";
import { ZPushDriftEventPage, ZPushDriftListQuery } from "@/lib/applications/drift-schemas";
import { searchParamsOf, withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(async ({ req }) => listPushDriftEvents(searchParamsOf(req)), {
  permission: "read",
  docs: {
    tag: "applications",
    summary:
      "Drift push status reads found, across applications (filters target/application/environment, [from, to) on occurredAt; cursor pages): the rows of the comparison's push drift-detected figure",
    query: ZPushDriftListQuery,
    returns:
      "A page of drift events, each with its drifted fields as applied → live and their field managers, and the next cursor.",
    response: ZPushDriftEventPage,
  },
});
