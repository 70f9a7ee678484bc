// Plain Node on purpose (no imports): lib/kube and lib/agent retry with it too.

/**
 * How a delay is drawn below its ceiling, so many clients that failed together spread out instead of stampeding:
 * - `full`: anywhere in [0, ceiling) — the widest spread (a client retrying a throttled API server);
 * - `full-half-floor`: full jitter, but never below half the ceiling, so a draw near zero does not hammer a flapping
 *   dependency (the pull agent);
 * - `equal`: anywhere in [ceiling/2, ceiling] (rows retried by the dashboard: rotations, scope checks, deliveries).
 */
export type TJitter = "full" | "full-half-floor" | "equal";

export interface BackoffOptions {
  /** The ceiling of the first retry (attempt 0), in ms; it doubles with each attempt. */
  base: number;
  /** The largest ceiling, in ms. */
  cap: number;
  jitter: TJitter;
  /** Never less than this many ms, whatever the draw. */
  min?: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (0-based: the retry after the first failure is attempt 0): a ceiling of
 * `base × 2^attempt`, capped at `cap`, jittered as `jitter` says, then raised to `min`. Whole milliseconds.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.cap, opts.base * 2 ** Math.max(0, attempt));
  const r = (opts.random ?? Math.random)();
  let delay: number;
  if (opts.jitter === "full") delay = Math.floor(r * ceiling);
  else if (opts.jitter === "full-half-floor") delay = Math.max(Math.floor(ceiling / 2), Math.floor(r * ceiling));
  else delay = Math.floor(ceiling / 2 + r * (ceiling / 2));
  return Math.max(opts.min ?? 0, delay);
}
