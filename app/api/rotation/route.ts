import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listRotationOverview } from "@/lib/rotation/data/list-rotation-overview";
import { ZRotationListFilter } from "@/lib/rotation/schemas";

// GET /api/rotation — active credentials with age, last/next rotation, policy and status; ?status=&cursor=&limit=
export const GET = withAuth(async ({ req }) => listRotationOverview(ZRotationListFilter.parse(searchParamsOf(req))), {
  permission: "read",
});
