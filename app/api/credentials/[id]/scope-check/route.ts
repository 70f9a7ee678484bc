import { withAuth } from "@/lib/api/with-auth";
import { checkCredentialScope } from "@/lib/compare/data/check-credential-scope";

// POST /api/credentials/:id/scope-check — ask the cluster what the credential may do (SelfSubjectRulesReview); flags cluster-admin equivalents
export const POST = withAuth(
  async ({ params, principal, actor, request }) =>
    checkCredentialScope({ credentialId: params.id ?? "", actor, actorRole: principal.role, request }),
  // It decrypts the credential: like rotating, the governing policy's minReplaceRole (admin without a policy) decides.
  { permission: "credentials.replace" },
);
