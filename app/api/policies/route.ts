import { readJson, withAuth } from "@/lib/api/with-auth";
import { createPolicy, listPolicies } from "@/lib/credentials/data/policies";
import { ZCredentialPolicy } from "@/lib/credentials/schemas";

// GET /api/policies — every credential policy
export const GET = withAuth(async () => ({ items: await listPolicies() }), { permission: "read" });

// POST /api/policies — create a credential policy
export const POST = withAuth(
  async ({ req, actor, request }) => createPolicy({ input: ZCredentialPolicy.parse(await readJson(req)), actor, request }),
  { permission: "policies.manage", successStatus: 201 },
);
