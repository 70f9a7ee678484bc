/**
 * In-process wake-ups for agents' long polls. A registration, notify or approval served by this process wakes the
 * waiting requests at once; requests served by another dashboard process see the change through their once-a-second
 * database re-check instead (lib/agents/data/assignments.ts), so this is an optimisation, never the only path.
 */
type Waiter = () => void;

interface Registry {
  waiters: Map<string, Set<Waiter>>;
}

// One registry per process even when Next bundles this module into several chunks.
const registry: Registry = ((globalThis as { __wharfAgentNotifier?: Registry }).__wharfAgentNotifier ??= {
  waiters: new Map(),
});

/** Wakes every long poll of these agents in this process. */
export function wakeAgents(agentIds: Iterable<string>): void {
  for (const id of agentIds) {
    const set = registry.waiters.get(id);
    if (!set) continue;
    for (const wake of [...set]) wake();
  }
}

/**
 * Resolves after `ms`, when the agent is woken, or when `signal` aborts, whichever comes first. Returns true when
 * woken.
 */
export function waitForAgentWake(agentId: string, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    let set = registry.waiters.get(agentId);
    if (!set) registry.waiters.set(agentId, (set = new Set()));
    const waiters = set;
    const finish = (woken: boolean) => {
      clearTimeout(timer);
      waiters.delete(waiter);
      if (waiters.size === 0 && registry.waiters.get(agentId) === waiters) registry.waiters.delete(agentId);
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
