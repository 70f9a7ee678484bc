import { withAuth } from "@/lib/api/with-auth";
import { rotateCredentialNow } from "@/lib/rotation/data/rotate-credential";

export const POST = withAuth(
  async ({ params, principal, actor, request }) =>
    rotateCredentialNow({ credentialId: params.id ?? "", actor, actorRole: principal.role, request }),
  // Like replacing: the governing policy's minReplaceRole (admin without a policy) decides who may.
  {
    permission: "credentials.replace",
    docs: {
      tag: "credentials",
      summary: "Rotate a service account token now through the TokenRequest API",
      returns:
        "The rotation: the old and new credential ids and fingerprints and the new token's expiry (never material).",
    },
  },
);
