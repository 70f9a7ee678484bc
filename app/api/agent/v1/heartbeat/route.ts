import { readJson } from "@/lib/api/with-auth";
import type { THeartbeatRequest } from "@/lib/agent/protocol";
import { recordHeartbeat } from "@/lib/agents/data/record-heartbeat";
import { withAgentAuth } from "@/lib/agents/with-agent-auth";

// POST /api/agent/v1/heartbeat — agent version, hostname and each repository's applied revision and state
export const POST = withAgentAuth(async ({ req, agent, request }) => {
  return recordHeartbeat({ agent, input: (await readJson(req)) as THeartbeatRequest, request });
});
