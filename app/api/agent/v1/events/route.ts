import { readJson } from "@/lib/api/with-auth";
import { ZEventsRequest, type TEventsRequest, ZEventsResponse } from "@/lib/agent/protocol";
import { recordSyncEvents } from "@/lib/agents/data/record-events";
import { withAgentAuth } from "@/lib/agents/with-agent-auth";

export const POST = withAgentAuth(
  async ({ req, agent, request }) => {
    return recordSyncEvents({ agent, input: (await readJson(req)) as TEventsRequest, request });
  },
  {
    tag: "agent protocol",
    summary: "A batch of sync events, stored once each by event id",
    body: ZEventsRequest,
    returns: "Counts of accepted and duplicate events.",
    response: ZEventsResponse,
  },
);
