// A load balancer for benchmarks: a node:http proxy on loopback that sends each request to the next upstream in turn
// (round robin per request, not per connection, so one keep-alive client still reaches every process). It passes the
// Host header through, as a proxy that preserves it does, so the dashboards see the proxy's origin.
import http from "node:http";
import type net from "node:net";

export interface RoundRobinProxy {
  url: string;
  port: number;
  /** Requests sent to each upstream, in the order given. */
  counts: number[];
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` (0: any free port) and forwards to `upstreams` (http://host:port) in turn. */
export async function startRoundRobinProxy(upstreams: string[], port = 0): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error("a proxy needs at least one upstream");
  const targets = upstreams.map((u) => new URL(u));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const counts = upstreams.map(() => 0);
  let next = 0;
  /**
   * Sends one request upstream. A keep-alive socket the upstream closed just as it was reused fails with ECONNRESET
   * before any answer (Node's documented race): that request is sent once more on a fresh socket, as load balancers
   * do, which is why the body is buffered (benchmark bodies are small).
   */
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, target: URL, body: Buffer, retry: boolean) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.pipe(res);
      },
    );
    upstream.on("error", (err: NodeJS.ErrnoException) => {
      if (retry && upstream.reusedSocket && err.code === "ECONNRESET") return forward(req, res, target, body, false);
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`upstream ${target.host}: ${err.message}`);
    });
    upstream.end(body);
  };
  const server = http.createServer((req, res) => {
    const i = next;
    next = (next + 1) % targets.length;
    counts[i]!++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => forward(req, res, targets[i]!, Buffer.concat(chunks), true));
  });
  server.keepAliveTimeout = 30_000;
  const sockets = new Set<net.Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
