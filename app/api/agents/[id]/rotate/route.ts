import { withAuth } from "@/lib/api/with-auth";
import { rotateAgentCredential } from "@/lib/agents/data/rotate-agent-credential";
import { ZAgentSecretView } from "@/lib/agents/schemas";

export const POST = withAuth(
  async ({ params, actor, request }) => rotateAgentCredential({ agentId: params.id ?? "", actor, request }),
  {
    permission: "targets.manage",
    docs: {
      tag: "agents",
      summary: "Issue a new agent credential (shown once); the old one stops working",
      returns: "The new credential, once.",
      response: ZAgentSecretView,
    },
  },
);
