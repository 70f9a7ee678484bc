import "server-only";
import { AppError } from "@/lib/errors";
import type { RequestTiming } from "@/lib/metrics/timed-route";
import { ensureWakeListener } from "./listener";
import { waitForWake, type TWakeTopic } from "./notifier";

/**
 * How often a waiting long poll re-reads the database. The fallback that makes every change arrive: on PostgreSQL
 * other processes' changes normally arrive at once through LISTEN/NOTIFY (./listener.ts), but a notification sent
 * while that connection is down (or behind a pooler that drops LISTEN sessions) is lost, and a change written without
 * a wake-up is still seen within a second.
 */
export const LONG_POLL_RECHECK_MS = 1000;

interface Holds {
  count: Map<TWakeTopic, number>;
}
// One count per process even when Next bundles this module into several chunks.
const holds: Holds = ((globalThis as { __wharfLongPollHolds?: Holds }).__wharfLongPollHolds ??= { count: new Map() });

/** Long polls of `topic` held in this process right now (tests check that none leak). */
export function heldLongPolls(topic: TWakeTopic): number {
  return holds.count.get(topic) ?? 0;
}

export interface LongPollOptions<T> {
  topic: TWakeTopic;
  /** The id whose wake-ups end the wait (an agent id, a deployment id). */
  id: string;
  /** Reads the current value; called once, then again on every wake-up and re-check. */
  read: () => Promise<T>;
  /** Whether a value is news to the client (answered at once) rather than what it already holds. */
  isNew: (value: T) => boolean;
  /** How long to hold the request when nothing changes; 0 answers after the first read. */
  waitMs: number;
  /** Aborted when the client goes away: the wait ends and the waiter is dropped. */
  signal?: AbortSignal | undefined;
  /** The route's request timer: the hold is handed to `timing.idle`, so only the reads count as the request's work. */
  timing?: RequestTiming | undefined;
  /**
   * At most this many requests of `topic` held at once in this process; one more gets RATE_LIMITED (the client backs
   * off) instead of growing memory without bound. Unlimited when absent.
   */
  maxHeld?: number;
}

/**
 * The long poll shared by the agents' assignments and the deployment page's progress: answers at once with
 * `changed: true` when the read value is news to the client; otherwise holds the request, waking on this process's
 * notifier (fed by changes served here and, on PostgreSQL, by NOTIFY from the other dashboard processes) and re-reading
 * every LONG_POLL_RECHECK_MS, and answers `changed: false` with the last read value after `waitMs` or when the client
 * goes away.
 */
export async function longPoll<T>(opts: LongPollOptions<T>): Promise<{ changed: boolean; value: T }> {
  const deadline = Date.now() + Math.max(opts.waitMs, 0);
  let held = false;
  try {
    for (;;) {
      const value = await opts.read();
      if (opts.isNew(value)) return { changed: true, value };
      const remaining = deadline - Date.now();
      if (remaining <= 0 || opts.signal?.aborted) return { changed: false, value };
      if (!held) {
        const count = heldLongPolls(opts.topic);
        if (opts.maxHeld !== undefined && count >= opts.maxHeld)
          throw new AppError("RATE_LIMITED", "Too many live views are open on this server; retry shortly.", {
            headers: { "Retry-After": "1" },
          });
        holds.count.set(opts.topic, count + 1);
        held = true;
        ensureWakeListener();
      }
      const wake = waitForWake(opts.topic, opts.id, Math.min(LONG_POLL_RECHECK_MS, remaining), opts.signal);
      await (opts.timing ? opts.timing.idle(wake) : wake);
    }
  } finally {
    if (held) holds.count.set(opts.topic, heldLongPolls(opts.topic) - 1);
  }
}
