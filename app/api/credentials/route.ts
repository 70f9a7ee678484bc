import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listCredentials } from "@/lib/credentials/data/list-credentials";
import { ZCredentialListFilter } from "@/lib/credentials/schemas";

// GET /api/credentials — active credentials of all targets with rotation status; ?status=&cursor=&limit=
export const GET = withAuth(async ({ req }) => listCredentials(ZCredentialListFilter.parse(searchParamsOf(req))), {
  permission: "read",
});
