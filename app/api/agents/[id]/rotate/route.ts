import { withAuth } from "@/lib/api/with-auth";
import { rotateAgentCredential } from "@/lib/agents/data/rotate-agent-credential";

// POST /api/agents/:id/rotate — issue a new agent credential (shown once); the old one stops working
export const POST = withAuth(
  async ({ params, actor, request }) => rotateAgentCredential({ agentId: params.id ?? "", actor, request }),
  {
    permission: "targets.manage",
  },
);
