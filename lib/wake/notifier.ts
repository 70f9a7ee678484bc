/**
 * In-process wake-ups for long polls, one topic per kind of change: `agent` (an agent's assignments changed; keyed by
 * agent id) and `deployment` (a deployment's state or progress changed; keyed by deployment id). A change served by
 * this process wakes the waiting requests at once; requests held by another dashboard process hear of it through
 * PostgreSQL NOTIFY (./listener.ts) or, failing that, their once-a-second database re-check (./long-poll.ts), so this
 * is an optimisation, never the only path.
 */
export const WAKE_TOPICS = ["agent", "deployment"] as const;
export type TWakeTopic = (typeof WAKE_TOPICS)[number];

type Waiter = () => void;

interface Registry {
  waiters: Map<string, Set<Waiter>>;
}

// One registry per process even when Next bundles this module into several chunks.
const registry: Registry = ((globalThis as { __wharfWakeNotifier?: Registry }).__wharfWakeNotifier ??= {
  waiters: new Map(),
});

const keyOf = (topic: TWakeTopic, id: string) => `${topic}:${id}`;

/** Wakes every waiter on these ids of `topic` in this process. */
export function wake(topic: TWakeTopic, ids: Iterable<string>): void {
  for (const id of ids) {
    const set = registry.waiters.get(keyOf(topic, id));
    if (!set) continue;
    for (const w of [...set]) w();
  }
}

/** Requests of `topic` waiting in this process right now (tests check that none leak). */
export function waiterCount(topic: TWakeTopic): number {
  let n = 0;
  for (const [key, set] of registry.waiters) if (key.startsWith(`${topic}:`)) n += set.size;
  return n;
}

/**
 * Resolves after `ms`, when `id` of `topic` is woken, or when `signal` aborts, whichever comes first. Returns true when
 * woken.
 */
export function waitForWake(topic: TWakeTopic, id: string, ms: number, signal?: AbortSignal): Promise<boolean> {
  const key = keyOf(topic, id);
  return new Promise((resolve) => {
    let set = registry.waiters.get(key);
    if (!set) registry.waiters.set(key, (set = new Set()));
    const waiters = set;
    const finish = (woken: boolean) => {
      clearTimeout(timer);
      waiters.delete(waiter);
      if (waiters.size === 0 && registry.waiters.get(key) === waiters) registry.waiters.delete(key);
      signal?.removeEventListener("abort", onAbort);
      resolve(woken);
    };
    const waiter: Waiter = () => finish(true);
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), Math.max(0, ms));
    waiters.add(waiter);
    if (signal?.aborted) finish(false);
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
