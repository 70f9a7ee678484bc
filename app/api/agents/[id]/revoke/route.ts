import { z } from "zod";
import { withAuth } from "@/lib/api/with-auth";
import { revokeAgent } from "@/lib/agents/data/revoke-agent";
import { ZAgentView } from "@/lib/agents/schemas";

export const POST = withAuth(
  async ({ params, actor, request }) => ({ agent: await revokeAgent({ agentId: params.id ?? "", actor, request }) }),
  {
    permission: "targets.manage",
    docs: {
      tag: "agents",
      summary: "Revoke an agent: its credential and enrolment token stop working at once",
      returns: "The revoked agent.",
      response: z.object({ agent: ZAgentView }),
    },
  },
);
