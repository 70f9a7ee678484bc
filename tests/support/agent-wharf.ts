import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  AGENT_PATHS,
  ZEventsRequest,
  ZHeartbeatRequest,
  ZLiveStateRequest,
  type TAssignments,
  type TLiveState,
  type THeartbeatRequest,
  type TRepoAssignment,
  type TSyncEvent,
  type TTargetAssignment,
} from "@/lib/agent/protocol";

/**
 * A stand-in for the dashboard's side of the agent protocol, for agent tests that need no database: serves the
 * v1 endpoints on 127.0.0.1 with the shared zod schemas, long-polls assignments, stores events once per id (as the
 * dashboard does) and records heartbeats. `goDown()` closes the listener (the agent sees connection refused), `comeBack()`
 * listens again on the same port. The end-to-end tests use the real route handlers instead.
 */
export interface FakeWharf {
  url: string;
  credential: string;
  /** Events stored, in arrival order, each id once. */
  events: TSyncEvent[];
  /** Events received again with an id already stored. */
  duplicates: number;
  /** Sum of `dropped` counts the agent reported. */
  dropped: number;
  heartbeats: THeartbeatRequest[];
  /** Live states received (POST /live-state), in arrival order. */
  liveStates: TLiveState[];
  /** Every authenticated request's method and path, in arrival order (a manifests upload answers 404 here). */
  requests: { method: string; path: string }[];
  setTargets(targets: TTargetAssignment[]): void;
  /** Changes one repo's assignment (e.g. approvedRevision) and wakes the long poll. */
  updateRepo(repoId: string, change: Partial<TRepoAssignment>): void;
  /** Answers 403 to any batch holding an event of this repo, as Wharf does for a repo outside the agent's scope. */
  forbidRepo(repoId: string): void;
  /** What a push webhook does: bump the repo's notifySeq. */
  notify(repoId: string): void;
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  /** Resolves when an event matching `predicate` has been stored; rejects after `timeoutMs`. */
  waitForEvent(predicate: (event: TSyncEvent) => boolean, timeoutMs?: number): Promise<TSyncEvent>;
  stop(): Promise<void>;
}

export async function startFakeWharf(opts: { credential?: string; longPollMs?: number } = {}): Promise<FakeWharf> {
  const credential = opts.credential ?? "wharfa_test-credential";
  let targets: TTargetAssignment[] = [];
  let version = 1;
  const waiters = new Set<() => void>();
  const eventWaiters = new Set<() => void>();
  const ids = new Set<string>();
  const sockets = new Set<Socket>();
  const forbidden = new Set<string>();

  const wake = () => {
    version++;
    for (const w of waiters) w();
    waiters.clear();
  };
  const assignments = (changed: boolean): TAssignments => ({
    changed,
    version: String(version),
    agent: { id: "agent-1", name: "test-agent" },
    targets,
  });

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  };
  const readBody = (req: http.IncomingMessage) =>
    new Promise<unknown>((resolve) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch {
          resolve(undefined);
        }
      });
    });

  const fake: FakeWharf = {
    url: "",
    credential,
    events: [],
    duplicates: 0,
    dropped: 0,
    heartbeats: [],
    liveStates: [],
    requests: [],
    setTargets(next) {
      targets = structuredClone(next);
      wake();
    },
    updateRepo(repoId, change) {
      for (const target of targets)
        for (const repo of target.repos) if (repo.repoId === repoId) Object.assign(repo, change);
      wake();
    },
    forbidRepo(repoId) {
      forbidden.add(repoId);
    },
    notify(repoId) {
      for (const target of targets) for (const repo of target.repos) if (repo.repoId === repoId) repo.notifySeq++;
      wake();
    },
    async goDown() {
      for (const w of waiters) w();
      waiters.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    async comeBack() {
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    },
    waitForEvent(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = fake.events.find(predicate);
          if (found) {
            eventWaiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          eventWaiters.delete(check);
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; got: ${fake.events.map((e) => `${e.kind}/${e.result}: ${e.message}`).join(" | ")}`,
            ),
          );
        }, timeoutMs);
        eventWaiters.add(check);
        check();
      });
    },
    async stop() {
      for (const w of waiters) w();
      waiters.clear();
      if (server.listening) await fake.goDown();
    },
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.headers.authorization !== `Bearer ${credential}`)
        return send(res, 401, { error: { code: "UNAUTHENTICATED", message: "unknown credential" } });
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      fake.requests.push({ method: req.method ?? "", path: url.pathname });
      if (req.method === "GET" && url.pathname === AGENT_PATHS.assignments) {
        const since = url.searchParams.get("since");
        if (since !== String(version)) return send(res, 200, assignments(true));
        const changed = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            waiters.delete(done);
            resolve(false);
          }, opts.longPollMs ?? 25_000);
          const done = () => {
            clearTimeout(timer);
            resolve(true);
          };
          waiters.add(done);
        });
        if (!res.destroyed) send(res, 200, assignments(changed));
        return;
      }
      if (req.method === "POST" && url.pathname === AGENT_PATHS.events) {
        const parsed = ZEventsRequest.safeParse(await readBody(req));
        if (!parsed.success)
          return send(res, 422, { error: { code: "VALIDATION_FAILED", message: parsed.error.message } });
        if (parsed.data.events.some((e) => forbidden.has(e.repoId)))
          return send(res, 403, { error: { code: "FORBIDDEN", message: "repo outside this agent's targets" } });
        let accepted = 0;
        let duplicates = 0;
        for (const event of parsed.data.events) {
          if (ids.has(event.id)) {
            duplicates++;
            continue;
          }
          ids.add(event.id);
          fake.events.push(event);
          accepted++;
        }
        fake.duplicates += duplicates;
        fake.dropped += parsed.data.dropped ?? 0;
        for (const w of [...eventWaiters]) w();
        return send(res, 200, { accepted, duplicates });
      }
      if (req.method === "POST" && url.pathname === AGENT_PATHS.heartbeat) {
        const parsed = ZHeartbeatRequest.safeParse(await readBody(req));
        if (!parsed.success)
          return send(res, 422, { error: { code: "VALIDATION_FAILED", message: parsed.error.message } });
        fake.heartbeats.push(parsed.data);
        return send(res, 200, { ok: true, serverTime: new Date().toISOString(), heartbeatIntervalMs: 15_000 });
      }
      if (req.method === "POST" && url.pathname === AGENT_PATHS.liveState) {
        const parsed = ZLiveStateRequest.safeParse(await readBody(req));
        if (!parsed.success)
          return send(res, 422, { error: { code: "VALIDATION_FAILED", message: parsed.error.message } });
        fake.liveStates.push(...parsed.data.states);
        return send(res, 200, { changed: parsed.data.states.length, unchanged: 0, ignored: 0 });
      }
      return send(res, 404, { error: { code: "NOT_FOUND", message: "no such endpoint" } });
    })();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${port}`;
  return fake;
}

/** A repo assignment with the protocol's defaults, for tests. */
export function repoAssignment(
  repo: Pick<TRepoAssignment, "repoId" | "url"> & Partial<TRepoAssignment>,
): TRepoAssignment {
  return {
    branch: "main",
    path: ".",
    pollIntervalSeconds: 60,
    prune: true,
    selfHeal: false,
    imagePolicies: [],
    approvedRevision: null,
    pinnedRevision: null,
    notifySeq: 0,
    ...repo,
  };
}

/** A target assignment holding `repos`. */
export function targetAssignment(
  target: Pick<TTargetAssignment, "targetId" | "defaultNamespace"> & Partial<TTargetAssignment>,
): TTargetAssignment {
  return {
    name: target.targetId,
    allowedNamespaces: [],
    allowClusterScoped: false,
    requiresApproval: false,
    repos: [],
    ...target,
  };
}
