import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { nonEmptyQuery } from "@/lib/audit/credential-access";
import { suggestAuditNames } from "@/lib/audit/data/suggest-audit-names";
import { ZAuditNameQuery, ZAuditNameSuggestions, type AuditNameSuggestions } from "@/lib/audit/names";
import { can } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";

export const GET = withAuth(
  async ({ req, principal }): Promise<AuditNameSuggestions> => {
    const query = ZAuditNameQuery.parse(nonEmptyQuery(searchParamsOf(req)));
    // Targets, applications and credential labels are what credential access rows show any reader; who the users
    // are (every email that ever signed in) is the audit trail's to tell.
    if (query.kind === "user" && !can(principal.role, "audit.read")) {
      throw new AppError("FORBIDDEN", `Your role (${principal.role}) does not allow this (audit.read).`);
    }
    return suggestAuditNames(query);
  },
  {
    permission: "credential-access.read",
    docs: {
      tag: "audit",
      summary: "Names of targets, applications, credentials or users that audit rows are about, by prefix (max 10)",
      query: ZAuditNameQuery,
      returns: "Matching names, alphabetically.",
      response: ZAuditNameSuggestions,
    },
  },
);
