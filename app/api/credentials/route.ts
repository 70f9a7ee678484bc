import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listCredentials } from "@/lib/credentials/data/list-credentials";
import { ZCredentialListFilter, ZCredentialListPage } from "@/lib/credentials/schemas";

export const GET = withAuth(async ({ req }) => listCredentials(ZCredentialListFilter.parse(searchParamsOf(req))), {
  permission: "read",
  docs: {
    tag: "credentials",
    summary: "Active credentials of all targets with rotation status, cursor-paginated",
    query: ZCredentialListFilter,
    returns: "A page of credentials (never material) and status counts.",
    response: ZCredentialListPage,
  },
});
