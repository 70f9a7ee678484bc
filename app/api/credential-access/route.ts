import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listCredentialAccess } from "@/lib/audit/data/list-credential-access";
import { nonEmptyQuery, ZCredentialAccessPage } from "@/lib/audit/credential-access";
import type { CredentialAccessPageView } from "@/lib/audit/views";

// GET /api/credential-access — credential events (decrypts, stores, replacements, denials), newest first, filtered, cursor-paginated
export const GET = withAuth(
  async ({ req }): Promise<CredentialAccessPageView> =>
    listCredentialAccess(ZCredentialAccessPage.parse(nonEmptyQuery(searchParamsOf(req)))),
  { permission: "credential-access.read" },
);
