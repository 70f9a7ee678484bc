import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { listPolicies } from "@/lib/credentials/data/list-policies";
import { createPolicy } from "@/lib/credentials/data/save-policy";
import { ZCredentialPolicy, ZCredentialPolicyListQuery } from "@/lib/credentials/schemas";

// GET /api/policies — credential policies by name, cursor-paginated
export const GET = withAuth(async ({ req }) => listPolicies(ZCredentialPolicyListQuery.parse(searchParamsOf(req))), {
  permission: "read",
});

// POST /api/policies — create a credential policy
export const POST = withAuth(
  async ({ req, actor, request }) =>
    createPolicy({ input: ZCredentialPolicy.parse(await readJson(req)), actor, request }),
  { permission: "policies.manage", successStatus: 201 },
);
