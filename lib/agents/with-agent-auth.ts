import "server-only";
import { requestContextOf } from "@/lib/api/with-auth";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { sha256Hex } from "@/lib/auth/secrets";
import { AppError, toErrorResponse } from "@/lib/errors";
import { timedRoute, type RequestTiming, type RouteContext } from "@/lib/metrics/timed-route";
import { ROUTE_DOCS, type RouteDocs } from "@/lib/openapi/route-docs";
import { findAgentByCredentialHash, type AgentPrincipal } from "./data/find-agent";

export type { AgentPrincipal } from "./data/find-agent";

/**
 * Marks agent-protocol handlers (bearer agent credential, or the enrolment token for `enrol`). The route-authz test
 * recognises them by this marker and checks that they answer 401 without a credential.
 */
export const AGENT_ROUTE = Symbol.for("wharf.agent-route");

export interface AgentHandlerContext {
  req: Request;
  agent: AgentPrincipal;
  actor: Actor;
  request: RequestContext;
  /** The request-duration timer: a long poll hands it its hold (`timing.idle`) so the wait is not counted. */
  timing: RequestTiming;
}

type Result = Response | object | null;

/** The audit actor for an agent: kind `agent`, named `agent:<name>` so it reads apart from people. */
export function agentActor(agent: { agentId: string; name: string }): Actor {
  return { kind: "agent", id: agent.agentId, name: `agent:${agent.name}` };
}

export function agentErrorResponse(err: unknown, requestId: string | null): Response {
  const { status, body, headers } = toErrorResponse(err);
  if (status >= 500)
    console.error(`[wharf] agent request ${requestId ?? "-"} failed:`, err instanceof Error ? err.stack : err);
  return Response.json(body, { status, headers: { ...headers, ...(requestId ? { "x-request-id": requestId } : {}) } });
}

export function agentRespond(result: Result, status = 200): Response {
  if (result instanceof Response) return result;
  if (result === null) return new Response(null, { status: 204 });
  return Response.json(result, { status, headers: { "cache-control": "no-store" } });
}

/**
 * The wrapper for agent-protocol routes: `Authorization: Bearer wharfa_…` → the agent and the targets it serves. An
 * unknown or revoked credential is 401 AGENT_UNAUTHENTICATED. No session cookies and no Origin check: the credential
 * carries no ambient authority. Scope checks (target/repo belongs to this agent) are the handler's job, through
 * `assertAgentScope`, which audits refusals. Timed like every API route (`timedRoute`).
 */
export function withAgentAuth(handler: (ctx: AgentHandlerContext) => Promise<Result>, docs?: RouteDocs) {
  const wrapped = timedRoute(
    async (req: Request, _ctx: RouteContext | undefined, timing: RequestTiming): Promise<Response> => {
      const request = requestContextOf(req);
      try {
        const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
        const agent = match?.[1] ? await findAgentByCredentialHash(sha256Hex(match[1])) : null;
        if (!agent)
          throw new AppError(
            "AGENT_UNAUTHENTICATED",
            "Send a valid agent credential (Authorization: Bearer wharfa_…).",
          );
        return agentRespond(await handler({ req, agent, actor: agentActor(agent), request, timing }));
      } catch (err) {
        return agentErrorResponse(err, request.requestId);
      }
    },
  );
  return Object.assign(wrapped, { [AGENT_ROUTE]: "credential", [ROUTE_DOCS]: docs });
}
