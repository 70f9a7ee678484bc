import { observeHttpRequest } from "./registry";

type RouteParams = Record<string, string | string[] | undefined>;

/** The second argument Next passes to a route handler. */
export interface RouteContext {
  params?: Promise<RouteParams>;
}

/** What a handler can tell the request timer while it runs. */
export interface RequestTiming {
  /**
   * Awaits `wait` without counting its duration. For a long poll's hold: how long a request waits for something to
   * happen is the client's choice (`?wait=`), not time the server spent answering it.
   */
  idle<T>(wait: Promise<T>): Promise<T>;
  /**
   * Whether the handler held the request (called `idle`): its caller was checked before the hold, so `withAuth` checks
   * it again before the answer goes out (the agents' assignments poll re-reads its agent itself, buildAssignments).
   */
  readonly held: boolean;
}

/**
 * Times a route handler into `wharf_http_request_duration_seconds` by method, route pattern (ids replaced by
 * `:name`, so series stay few) and status. Shared by `withAuth`, `withPublic` and the agent-protocol wrappers, so
 * every API route is measured the same way. Time spent inside `timing.idle(…)` is left out.
 */
export function timedRoute(
  inner: (req: Request, ctx: RouteContext | undefined, timing: RequestTiming) => Promise<Response>,
) {
  return async (req: Request, ctx?: RouteContext): Promise<Response> => {
    const startedAt = performance.now();
    let idleMs = 0;
    let held = false;
    const timing: RequestTiming = {
      get held() {
        return held;
      },
      idle: async (wait) => {
        held = true;
        const idleFrom = performance.now();
        try {
          return await wait;
        } finally {
          idleMs += performance.now() - idleFrom;
        }
      },
    };
    const response = await inner(req, ctx, timing);
    const params = ctx?.params ? await ctx.params.catch(() => ({})) : {};
    observeHttpRequest(req, params, response.status, (performance.now() - startedAt - idleMs) / 1000);
    return response;
  };
}
