import { readJson } from "@/lib/api/with-auth";
import type { TEventsRequest } from "@/lib/agent/protocol";
import { recordSyncEvents } from "@/lib/agents/data/record-events";
import { withAgentAuth } from "@/lib/agents/with-agent-auth";

// POST /api/agent/v1/events — a batch of sync events, stored once each by event id
export const POST = withAgentAuth(async ({ req, agent, request }) => {
  return recordSyncEvents({ agent, input: (await readJson(req)) as TEventsRequest, request });
});
