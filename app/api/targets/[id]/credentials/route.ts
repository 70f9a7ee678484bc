import { z } from "zod";
import { readJson, withAuth } from "@/lib/api/with-auth";
import { listTargetCredentials } from "@/lib/credentials/data/list-credentials";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { ZStoreCredential, ZTargetCredentialsView, ZCredentialView } from "@/lib/credentials/schemas";

export const GET = withAuth(async ({ params }) => listTargetCredentials({ targetId: params.id ?? "" }), {
  permission: "read",
  docs: {
    tag: "credentials",
    summary: "The target's active credential, its history and policy (never material)",
    returns: "Active credential, history, policy.",
    response: ZTargetCredentialsView,
  },
});

export const POST = withAuth(
  async ({ req, params, principal, actor, request }) => {
    const input = ZStoreCredential.parse(await readJson(req));
    return saveCredential({
      targetId: params.id ?? "",
      input,
      actor,
      actorRole: principal.role,
      actorUserId: principal.userId,
      request,
    });
  },
  // The policy decides who may replace (minReplaceRole); storing a first credential stays admin-only.
  {
    permission: "credentials.replace",
    successStatus: 201,
    docs: {
      tag: "credentials",
      summary: "Store a credential, or replace the active one (manual rotation)",
      body: ZStoreCredential,
      returns: "The stored credential (never material) and whether it replaced an active one.",
      response: z.object({ credential: ZCredentialView, replaced: z.boolean() }),
    },
  },
);
