import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
/** A route module as `import * as m from "@/app/api/…/route"` gives it: GET/POST/… handlers. */
export type RouteModule = Record<string, unknown>;

export interface RouteServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  stop: () => Promise<void>;
}

interface CompiledRoute {
  pattern: RegExp;
  names: string[];
  module: RouteModule;
}

function compile(path: string, module: RouteModule): CompiledRoute {
  const names: string[] = [];
  const source = path
    .replace(/\/$/, "")
    .split("/")
    .map((part) => {
      const m = /^\[([^\]]+)\]$/.exec(part);
      if (!m?.[1]) return part.replace(/[.*+?^${}()|\\]/g, "\\$&");
      names.push(m[1]);
      return "([^/]+)";
    })
    .join("/");
  return { pattern: new RegExp(`^${source}/?$`), names, module };
}

/**
 * Serves Next route handlers over real HTTP on 127.0.0.1 without `next start`, so out-of-process clients (the pull
 * agent, curl, git hooks) can be tested against the real handlers. Keys are App Router paths with dynamic segments in
 * brackets, e.g. `{ "/api/agent/v1/assignments": assignmentsRoute, "/api/repos/[id]/pin": pinRoute }`.
 * A client that disconnects aborts the Request's signal, as Next does, so long polls stop waiting.
 */
export async function startRouteServer(
  routes: Record<string, RouteModule>,
  opts: { port?: number } = {},
): Promise<RouteServer> {
  const compiled = Object.entries(routes).map(([path, module]) => compile(path, module));
  const inFlight = new Set<Promise<void>>();
  const server = http.createServer((req, res) => {
    const handling = (async () => {
      const abort = new AbortController();
      res.on("close", () => {
        if (!res.writableFinished) abort.abort();
      });
      try {
        const base = `http://${req.headers.host ?? "127.0.0.1"}`;
        const url = new URL(req.url ?? "/", base);
        let params: Record<string, string> | null = null;
        let routeModule: RouteModule | null = null;
        for (const route of compiled) {
          const m = route.pattern.exec(url.pathname);
          if (!m) continue;
          params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(m[i + 1] ?? "")]));
          routeModule = route.module;
          break;
        }
        if (!routeModule || !params) {
          res
            .writeHead(404, { "content-type": "application/json" })
            .end(JSON.stringify({ error: { code: "NOT_FOUND", message: "No such route." } }));
          return;
        }
        const method = (req.method ?? "GET").toUpperCase();
        const handler = routeModule[method] as RouteHandler | undefined;
        if (typeof handler !== "function") {
          res
            .writeHead(405, { "content-type": "application/json" })
            .end(JSON.stringify({ error: { code: "METHOD_NOT_ALLOWED", message: "Method not allowed." } }));
          return;
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) {
          if (v === undefined) continue;
          for (const value of Array.isArray(v) ? v : [v]) headers.append(k, value);
        }
        const hasBody = method !== "GET" && method !== "HEAD";
        const request = new Request(url, {
          method,
          headers,
          signal: abort.signal,
          ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
        } as RequestInit);
        const response = await handler(request, { params: Promise.resolve(params) });
        const outHeaders: Record<string, string | string[]> = {};
        response.headers.forEach((value, key) => {
          outHeaders[key] = value;
        });
        res.writeHead(response.status, outHeaders);
        if (response.body) {
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
        }
        res.end();
      } catch (err) {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: { code: "INTERNAL", message: err instanceof Error ? err.message : String(err) } }),
        );
      }
    })();
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    // Closing the connections aborts long polls; waiting for their handlers means nothing touches the database after.
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.allSettled([...inFlight]);
      await closed;
    },
  };
}
