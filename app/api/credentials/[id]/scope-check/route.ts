import { withAuth } from "@/lib/api/with-auth";
import { checkCredentialScope } from "@/lib/credentials/data/check-credential-scope";

export const POST = withAuth(
  async ({ params, principal, actor, request }) =>
    checkCredentialScope({ credentialId: params.id ?? "", actor, actorRole: principal.role, request }),
  // It decrypts the credential: like rotating, the governing policy's minReplaceRole (admin without a policy) decides.
  {
    permission: "credentials.replace",
    docs: {
      tag: "credentials",
      summary:
        "Ask the cluster what the credential may do (SelfSubjectRulesReview); flags cluster-admin equivalents (decrypt audited)",
      returns: "{ credentialId, clusterAdmin, namespace, incomplete, checkedAt }",
    },
  },
);
