import "server-only";
import pg from "pg";
import { env } from "@/lib/env";
import { WAKE_TOPICS, wake, type TWakeTopic } from "./notifier";

/**
 * Cross-process wake-ups for long polls on PostgreSQL. A change sends `pg_notify(<its topic's channel>, <id>)` (see
 * data/notify-wake.ts), inside the transaction of the change where there is one, so PostgreSQL delivers it on commit
 * and never for a rolled-back change. Every dashboard process holds one connection that LISTENs on every topic's
 * channel and wakes its own waiting requests, so a change served by one process (an agent registration, an executor's
 * progress) answers a long poll held by another at once, whatever the load balancer did.
 *
 * Notifications sent while this connection is down are lost; the long poll's once-a-second database re-check
 * (./long-poll.ts) covers that gap, so this is a latency improvement with the polling as the guarantee. The same holds
 * behind a pooler that does not keep LISTEN sessions (PgBouncer in transaction mode). SQLite serves one process and
 * needs none of this: the in-process notifier reaches every waiter.
 */
export const WAKE_CHANNELS: Record<TWakeTopic, string> = {
  // The agents' channel keeps its name from before there were topics, so processes of both versions still hear each
  // other during a rolling upgrade.
  agent: "wharf_agent_wake",
  deployment: "wharf_deployment_wake",
};
const TOPIC_OF_CHANNEL = new Map(WAKE_TOPICS.map((t) => [WAKE_CHANNELS[t], t]));
/** Shows in pg_stat_activity, so an operator (and the reconnection test) can tell this connection apart. */
export const WAKE_APPLICATION_NAME = "wharf-wake";
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

interface ListenerState {
  url: string;
  client: pg.Client | null;
  connected: boolean;
  stopped: boolean;
  retryMs: number;
  retryTimer: NodeJS.Timeout | null;
  /** Whether the current outage has been logged: one warning per outage, not one per retry. */
  reported: boolean;
}

const KEY = Symbol.for("wharf.wake.listener");
type GlobalWithListener = typeof globalThis & { [KEY]?: ListenerState };

function connect(state: ListenerState): void {
  if (state.stopped) return;
  state.retryTimer = null;
  const client = new pg.Client({
    connectionString: state.url,
    application_name: WAKE_APPLICATION_NAME,
    keepAlive: true,
  });
  state.client = client;
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    state.connected = false;
    if (state.client === client) state.client = null;
    client.removeAllListeners("notification");
    void client.end().catch(() => undefined);
    if (state.stopped) return;
    if (!state.reported) {
      state.reported = true;
      console.warn(
        `[wharf] wake-up listener (PostgreSQL LISTEN) is down, retrying; long polls still see changes within a second meanwhile: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    state.retryTimer = setTimeout(() => connect(state), state.retryMs);
    state.retryTimer.unref();
    state.retryMs = Math.min(state.retryMs * 2, MAX_RETRY_MS);
  };
  // Without an "error" listener a dropped connection would crash the process.
  client.on("error", fail);
  client.on("end", () => fail(new Error("connection closed")));
  client.on("notification", (msg) => {
    const topic = TOPIC_OF_CHANNEL.get(msg.channel);
    if (topic && msg.payload) wake(topic, [msg.payload]);
  });
  client
    .connect()
    .then(() => client.query(WAKE_TOPICS.map((t) => `LISTEN ${WAKE_CHANNELS[t]}`).join("; ")))
    .then(() => {
      if (failed) return;
      if (state.stopped) return void client.end().catch(() => undefined);
      state.connected = true;
      state.reported = false;
      state.retryMs = FIRST_RETRY_MS;
    }, fail);
}

/**
 * Starts this process's listener for the configured PostgreSQL database, once; a no-op on SQLite or when it already
 * runs. Started lazily by the first long poll, so processes that never hold one keep no extra connection.
 */
export function ensureWakeListener(): void {
  const { databaseKind, DATABASE_URL } = env();
  if (databaseKind !== "postgresql") return;
  const g = globalThis as GlobalWithListener;
  const current = g[KEY];
  if (current && !current.stopped && current.url === DATABASE_URL) return;
  if (current) stopState(current);
  const state: ListenerState = {
    url: DATABASE_URL,
    client: null,
    connected: false,
    stopped: false,
    retryMs: FIRST_RETRY_MS,
    retryTimer: null,
    reported: false,
  };
  g[KEY] = state;
  connect(state);
}

/** Whether the listener is connected and LISTENing (for tests and diagnostics). */
export function wakeListenerConnected(): boolean {
  return (globalThis as GlobalWithListener)[KEY]?.connected ?? false;
}

function stopState(state: ListenerState): void {
  state.stopped = true;
  state.connected = false;
  if (state.retryTimer) clearTimeout(state.retryTimer);
  const client = state.client;
  state.client = null;
  if (client) {
    client.removeAllListeners("notification");
    void client.end().catch(() => undefined);
  }
}

/** Stops the listener (tests, before their database is dropped). The next long poll starts it again. */
export function stopWakeListener(): void {
  const g = globalThis as GlobalWithListener;
  const state = g[KEY];
  if (state) stopState(state);
  delete g[KEY];
}
