import { Histogram, Registry } from "prom-client";

/**
 * The process's own metrics (what only this process sees: HTTP request durations). One dedicated Registry kept on
 * globalThis, so Next's several module instances (route bundles, instrumentation) share it and never register a
 * metric twice; prom-client's global default registry is not used at all.
 */
interface ProcessMetrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
}

const KEY = Symbol.for("wharf.metrics.process");

export function processMetrics(): ProcessMetrics {
  const g = globalThis as typeof globalThis & { [KEY]?: ProcessMetrics };
  if (!g[KEY]) {
    const registry = new Registry();
    const httpDuration = new Histogram({
      name: "wharf_http_request_duration_seconds",
      help: "Time to answer API requests, by method, route pattern and status.",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    g[KEY] = { registry, httpDuration };
  }
  return g[KEY];
}

/**
 * The route pattern of a request: its path with each dynamic segment's value replaced by `:name`, so label values
 * stay few (`/api/deployments/:id/approvals`, not one series per deployment).
 */
export function routePattern(pathname: string, params: Record<string, string | string[] | undefined>): string {
  const byValue = new Map<string, string>();
  for (const [name, value] of Object.entries(params)) if (typeof value === "string") byValue.set(value, name);
  return pathname
    .split("/")
    .map((segment) => {
      const name = byValue.get(decodeURIComponent(segment));
      return name ? `:${name}` : segment;
    })
    .join("/");
}

/** Records one answered API request that took `seconds`. Never throws: metrics must not break a request. */
export function observeHttpRequest(
  req: Request,
  params: Record<string, string | string[] | undefined>,
  status: number,
  seconds: number,
): void {
  try {
    const route = routePattern(new URL(req.url).pathname, params);
    processMetrics().httpDuration.observe({ method: req.method, route, status: String(status) }, Math.max(0, seconds));
  } catch {
    // ignore: a malformed URL cannot reach a handler anyway
  }
}
