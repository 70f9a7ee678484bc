import { readJson, requestContextOf } from "@/lib/api/with-auth";
import { ZEnrolRequest, ZEnrolResponse } from "@/lib/agent/protocol";
import { enrolAgent } from "@/lib/agents/data/enrol-agent";
import { AGENT_ROUTE, agentErrorResponse, agentRespond } from "@/lib/agents/with-agent-auth";
import { AppError } from "@/lib/errors";
import { timedRoute } from "@/lib/metrics/timed-route";
import { ROUTE_DOCS, type RouteDocs } from "@/lib/api/route-docs";

// Not `withAgentAuth`: the caller has no agent credential yet, the enrolment token in the body is what authenticates.
const handle = timedRoute(async (req: Request): Promise<Response> => {
  const request = requestContextOf(req);
  try {
    const body = await readJson(req);
    const token = (body as { enrolmentToken?: unknown } | null)?.enrolmentToken;
    // The enrolment token is this route's credential: without one it is 401 like every other agent route.
    if (typeof token !== "string" || token.trim() === "")
      throw new AppError("ENROLMENT_TOKEN_INVALID", "Send the agent's enrolment token (wharfe_…).");
    return agentRespond(await enrolAgent({ input: ZEnrolRequest.parse(body), request }), 201);
  } catch (err) {
    return agentErrorResponse(err, request.requestId);
  }
});

export const POST = Object.assign(handle, {
  [AGENT_ROUTE]: "enrolment-token",
  [ROUTE_DOCS]: {
    tag: "agent protocol",
    summary: "Trade a one-time enrolment token for the agent's credential (shown once)",
    body: ZEnrolRequest,
    returns: "The agent id and its credential.",
    response: ZEnrolResponse,
    success: 201,
  } satisfies RouteDocs,
});
