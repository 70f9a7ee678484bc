import { readJson } from "@/lib/api/with-auth";
import { ZLiveStateRequest, ZLiveStateResponse, type TLiveStateRequest } from "@/lib/agent/protocol";
import { recordLiveStates } from "@/lib/agents/data/record-live-states";
import { withAgentAuth } from "@/lib/agents/with-agent-auth";

export const POST = withAgentAuth(
  async ({ req, agent, request }) => {
    return recordLiveStates({ agent, input: (await readJson(req)) as TLiveStateRequest, request });
  },
  {
    tag: "agent protocol",
    summary:
      "The latest live state (resource tree and health) of some of the agent's applications; an identical state is confirmed, not rewritten",
    body: ZLiveStateRequest,
    returns: "Counts of changed, unchanged and ignored states.",
    response: ZLiveStateResponse,
  },
);
