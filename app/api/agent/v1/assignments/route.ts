import { searchParamsOf } from "@/lib/api/with-auth";
import { ZAssignmentsQuery, ZAssignments } from "@/lib/agent/protocol";
import { pollAssignments } from "@/lib/agents/data/assignments";
import { withAgentAuth } from "@/lib/agents/with-agent-auth";

// A long poll holds the request up to 25 s; never cache or prerender it.
export const dynamic = "force-dynamic";

export const GET = withAgentAuth(
  async ({ req, agent, timing }) => {
    const q = ZAssignmentsQuery.parse(searchParamsOf(req));
    return pollAssignments({
      agent,
      since: q.since,
      ...(q.wait !== undefined ? { waitMs: q.wait * 1000 } : {}),
      signal: req.signal,
      timing,
    });
  },
  {
    tag: "agent protocol",
    summary: "Long poll: the agent's targets and repositories, at once when changed since `since`",
    query: ZAssignmentsQuery,
    returns: "The assignments and their version.",
    response: ZAssignments,
  },
);
