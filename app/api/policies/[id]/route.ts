import { readJson, withAuth } from "@/lib/api/with-auth";
import { deletePolicy } from "@/lib/credentials/data/delete-policy";
import { getPolicy } from "@/lib/credentials/data/get-policy";
import { updatePolicy } from "@/lib/credentials/data/save-policy";
import { ZUpdateCredentialPolicy, ZCredentialPolicyView } from "@/lib/credentials/schemas";

export const GET = withAuth(async ({ params }) => getPolicy({ id: params.id ?? "" }), {
  permission: "read",
  docs: {
    tag: "credentials",
    summary: "One credential policy",
    returns: "The policy.",
    response: ZCredentialPolicyView,
  },
});

export const PATCH = withAuth(
  async ({ req, params, actor, request }) =>
    updatePolicy({ id: params.id ?? "", input: ZUpdateCredentialPolicy.parse(await readJson(req)), actor, request }),
  {
    permission: "policies.manage",
    docs: {
      tag: "credentials",
      summary: "Change a credential policy (any subset of its fields)",
      body: ZUpdateCredentialPolicy,
      returns: "The policy.",
      response: ZCredentialPolicyView,
    },
  },
);

export const DELETE = withAuth(
  async ({ params, actor, request }) => {
    await deletePolicy({ id: params.id ?? "", actor, request });
    return null;
  },
  {
    permission: "policies.manage",
    docs: {
      tag: "credentials",
      summary: "Delete a credential policy; targets naming it fall back to their environment's",
      returns: "Nothing.",
      success: 204,
    },
  },
);
