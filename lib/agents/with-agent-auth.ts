import "server-only";
import { bearerTokenOf } from "@/lib/api/bearer-token";
import { errorResponse, routeResponse, type RouteResult } from "@/lib/api/route-response";
import { requestContextOf, routeParamsOf } from "@/lib/api/with-auth";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { sha256Hex } from "@/lib/auth/secrets";
import { AppError } from "@/lib/errors";
import { timedRoute, type RequestTiming, type RouteContext } from "@/lib/metrics/timed-route";
import { ROUTE_DOCS, type RouteDocs } from "@/lib/api/route-docs";
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
  /** The route's dynamic segments (`/manifests/[sha256]`); empty for the others. */
  params: Record<string, string>;
  /** The request-duration timer: a long poll hands it its hold (`timing.idle`) so the wait is not counted. */
  timing: RequestTiming;
}

/** The audit actor for an agent: kind `agent`, named `agent:<name>` so it reads apart from people. */
export function agentActor(agent: { agentId: string; name: string }): Actor {
  return { kind: "agent", id: agent.agentId, name: `agent:${agent.name}` };
}

/** The shared error answer (`errorResponse`), logged as an agent request; also for enrolment, which has no wrapper. */
export function agentErrorResponse(err: unknown, requestId: string | null): Response {
  return errorResponse(err, requestId, "agent request");
}

/** The shared success answer, never cached: assignments and credentials are the agent's alone and change any time. */
export function agentRespond(result: RouteResult, status = 200): Response {
  return routeResponse(result, { status, headers: { "cache-control": "no-store" } });
}

/**
 * The wrapper for agent-protocol routes: `Authorization: Bearer wharfa_…` → the agent and the targets it serves. An
 * unknown or revoked credential is 401 AGENT_UNAUTHENTICATED. No session cookies and no Origin check: the credential
 * carries no ambient authority. Scope checks (target/repo belongs to this agent) are the handler's job, through
 * `assertAgentScope`, which audits refusals. Timed like every API route (`timedRoute`).
 */
export function withAgentAuth(handler: (ctx: AgentHandlerContext) => Promise<RouteResult>, docs?: RouteDocs) {
  const wrapped = timedRoute(
    async (req: Request, ctx: RouteContext | undefined, timing: RequestTiming): Promise<Response> => {
      const request = requestContextOf(req);
      try {
        const credential = bearerTokenOf(req);
        const agent = credential ? await findAgentByCredentialHash(sha256Hex(credential)) : null;
        if (!agent)
          throw new AppError(
            "AGENT_UNAUTHENTICATED",
            "Send a valid agent credential (Authorization: Bearer wharfa_…).",
          );
        const params = await routeParamsOf(req, ctx);
        return agentRespond(await handler({ req, agent, actor: agentActor(agent), request, params, timing }));
      } catch (err) {
        return agentErrorResponse(err, request.requestId);
      }
    },
  );
  return Object.assign(wrapped, { [AGENT_ROUTE]: "credential", [ROUTE_DOCS]: docs });
}
