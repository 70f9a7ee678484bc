import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listCredentialAccess } from "@/lib/audit/data/list-credential-access";
import { nonEmptyQuery, ZCredentialAccessPage } from "@/lib/audit/credential-access";
import type { CredentialAccessPageView } from "@/lib/audit/views";

export const GET = withAuth(
  async ({ req }): Promise<CredentialAccessPageView> =>
    listCredentialAccess(ZCredentialAccessPage.parse(nonEmptyQuery(searchParamsOf(req)))),
  {
    permission: "credential-access.read",
    docs: {
      tag: "audit",
      summary: "Credential events (decrypts, stores, replacements, denials), newest first, filtered, cursor-paginated",
      query: ZCredentialAccessPage,
      returns: "A page of credential access rows.",
    },
  },
);
