import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listRotationOverview } from "@/lib/rotation/data/list-rotation-overview";
import { ZRotationListFilter, ZRotationOverviewPage } from "@/lib/rotation/schemas";

export const GET = withAuth(async ({ req }) => listRotationOverview(ZRotationListFilter.parse(searchParamsOf(req))), {
  permission: "read",
  docs: {
    tag: "credentials",
    summary: "Active credentials with age, last/next rotation, policy and status, cursor-paginated",
    query: ZRotationListFilter,
    returns: "A page of the rotation overview.",
    response: ZRotationOverviewPage,
  },
});
