// Plain Node on purpose (no imports): the store side (lib/agents/data/record-events.ts) and the long poll
// (app/api/sync-events/changes) share it in one process.
import { randomBytes } from "node:crypto";

/**
 * In-process "new sync events" signal for open sync-history pages. Each dashboard process counts the batches of
 * events it stored; a page's long poll waits on that count and refetches when it moves. Events stored by another
 * dashboard process do not wake this one's pages: those pages still see them on their few-second poll (SYNC_POLL_MS),
 * so a missed wake only costs latency, as with the agents' notifier.
 *
 * The version is `<process>.<count>`: a version from another process (a restart, or another replica behind a
 * round-robin proxy) is never "stale" here, or alternating replicas would answer every poll at once.
 */
interface Registry {
  process: string;
  count: number;
  waiters: Set<() => void>;
}

// One registry per process even when Next bundles this module into several chunks.
const registry: Registry = ((globalThis as { __wharfSyncLive?: Registry }).__wharfSyncLive ??= {
  process: randomBytes(6).toString("hex"),
  count: 0,
  waiters: new Set(),
});

/** This process's version of "the sync events it has stored". */
export function syncEventsVersion(): string {
  return `${registry.process}.${registry.count}`;
}

/** Called after a batch of sync events is committed: wakes every page waiting in this process. */
export function announceSyncEvents(): void {
  registry.count++;
  for (const wake of [...registry.waiters]) wake();
}

/**
 * Resolves true as soon as events newer than `since` are stored in this process (at once when `since` is an older
 * version of this process), false after `ms` or when `signal` aborts.
 */
export function waitForSyncEvents(since: string | undefined, ms: number, signal?: AbortSignal): Promise<boolean> {
  const [proc, count] = since?.split(".") ?? [];
  if (proc === registry.process && Number(count) !== registry.count) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (woken: boolean) => {
      clearTimeout(timer);
      registry.waiters.delete(waiter);
      signal?.removeEventListener("abort", onAbort);
      resolve(woken);
    };
    const waiter = () => finish(true);
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), Math.max(0, ms));
    registry.waiters.add(waiter);
    if (signal?.aborted) finish(false);
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
