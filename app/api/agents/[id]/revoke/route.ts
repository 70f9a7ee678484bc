import { withAuth } from "@/lib/api/with-auth";
import { revokeAgent } from "@/lib/agents/data/revoke-agent";

// POST /api/agents/:id/revoke — revoke an agent: its credential and enrolment token stop working at once
export const POST = withAuth(
  async ({ params, actor, request }) => ({ agent: await revokeAgent({ agentId: params.id ?? "", actor, request }) }),
  {
    permission: "targets.manage",
  },
);
