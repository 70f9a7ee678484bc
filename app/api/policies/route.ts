import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listPolicies } from "@/lib/credentials/data/list-policies";
import { createPolicy } from "@/lib/credentials/data/save-policy";
import {
  ZCredentialPolicy,
  ZCredentialPolicyListQuery,
  ZCredentialPolicyPage,
  ZCredentialPolicyView,
} from "@/lib/credentials/schemas";

export const GET = withAuth(async ({ req }) => listPolicies(ZCredentialPolicyListQuery.parse(searchParamsOf(req))), {
  permission: "read",
  docs: {
    tag: "credentials",
    summary: "Credential policies by name, cursor-paginated",
    query: ZCredentialPolicyListQuery,
    returns: "A page of policies ({ items, nextCursor }; nextCursor is null on the last page).",
    response: ZCredentialPolicyPage,
  },
});

export const POST = withAuth(
  async ({ req, actor, request }) =>
    createPolicy({ input: ZCredentialPolicy.parse(await readJson(req)), actor, request }),
  {
    permission: "policies.manage",
    successStatus: 201,
    docs: {
      tag: "credentials",
      summary: "Create a credential policy",
      body: ZCredentialPolicy,
      returns: "The policy.",
      response: ZCredentialPolicyView,
    },
  },
);
