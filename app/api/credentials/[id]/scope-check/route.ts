import { withAuth } from "@/lib/api/with-auth";
import { checkCredentialScope } from "@/lib/compare/data/check-credential-scope";

// POST /api/credentials/:id/scope-check — ask the cluster what the credential may do (SelfSubjectRulesReview); flags cluster-admin equivalents
export const POST = withAuth(async ({ params, actor, request }) => checkCredentialScope({ credentialId: params.id ?? "", actor, request }), {
  permission: "credentials.replace",
});
