import { toErrorResponse } from "@/lib/errors";

/** What a route handler returns: a finished Response, a body to send as JSON, or null for "204 No Content". */
export type RouteResult = Response | object | null;

/**
 * The success answer of every route wrapper (`withAuth`, `withPublic`, `withAgentAuth`): a Response passes through
 * untouched, null is 204, anything else is JSON with `status` and the wrapper's own `headers`.
 */
export function routeResponse(result: RouteResult, opts: { status?: number; headers?: HeadersInit } = {}): Response {
  if (result instanceof Response) return result;
  if (result === null) return new Response(null, { status: 204 });
  return Response.json(result, { status: opts.status ?? 200, ...(opts.headers ? { headers: opts.headers } : {}) });
}

/**
 * The one error answer of every API route, wrapped or not (the webhook, agent enrolment, unknown paths): any thrown
 * value becomes `{error:{code,message}}` with its status through `toErrorResponse`, and the request id goes back in
 * `x-request-id`. A 5xx body says only that something went wrong, so the stack goes to the server log, labelled with
 * `source` ("request", "agent request", "webhook") to tell the callers apart there.
 */
export function errorResponse(err: unknown, requestId: string | null, source = "request"): Response {
  const { status, body, headers } = toErrorResponse(err);
  if (status >= 500)
    console.error(`[wharf] ${source} ${requestId ?? "-"} failed:`, err instanceof Error ? err.stack : err);
  return Response.json(body, { status, headers: { ...headers, ...(requestId ? { "x-request-id": requestId } : {}) } });
}
