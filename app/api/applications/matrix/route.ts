import { getEnvironmentMatrix } from "@/lib/applications/data/get-environment-matrix";
import { ZEnvironmentMatrix, ZEnvironmentMatrixQuery } from "@/lib/applications/matrix-schemas";
import { searchParamsOf, withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(
  async ({ req }) => getEnvironmentMatrix(ZEnvironmentMatrixQuery.parse(searchParamsOf(req))),
  {
    permission: "read",
    docs: {
      tag: "applications",
      summary:
        "Applications × environments: what is live where, the last result and health (cursor pagination by name)",
      query: ZEnvironmentMatrixQuery,
      returns:
        "The environment columns (WHARF_ENVIRONMENT_ORDER first) and a page of application names, each with one cell per environment listing its targets there, the live revision, last result and health, marked where it differs from the previous environment.",
      response: ZEnvironmentMatrix,
    },
  },
);
