import { readJson } from "@/lib/api/with-auth";
import { ZHeartbeatRequest, type THeartbeatRequest, ZHeartbeatResponse } from "@/lib/agent/protocol";
import { recordHeartbeat } from "@/lib/agents/data/record-heartbeat";
import { withAgentAuth } from "@/lib/agents/with-agent-auth";

export const POST = withAgentAuth(
  async ({ req, agent, request }) => {
    return recordHeartbeat({ agent, input: (await readJson(req)) as THeartbeatRequest, request });
  },
  {
    tag: "agent protocol",
    summary: "Agent version, hostname and each repository's applied revision and state",
    body: ZHeartbeatRequest,
    returns: "Acknowledgement.",
    response: ZHeartbeatResponse,
  },
);
