import { backoffDelay } from "@/lib/jobs/backoff";

/** Backoff tuning for one failing repo (or the Wharf connection). */
export interface BackoffOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/**
 * Consecutive-failure counter with capped exponential backoff and full jitter (lib/jobs' `backoffDelay`), so many
 * agents retrying an unreachable Git host or Wharf spread out instead of stampeding. Never below half the ceiling
 * (`full-half-floor`), so a flapping dependency is not hammered when the random draw comes out near zero.
 */
export class Backoff {
  #failures = 0;
  readonly #opts: Required<Omit<BackoffOptions, "random">> & Pick<BackoffOptions, "random">;

  constructor(opts: BackoffOptions = {}) {
    this.#opts = {
      baseDelayMs: opts.baseDelayMs ?? 1000,
      maxDelayMs: opts.maxDelayMs ?? 5 * 60_000,
      ...(opts.random ? { random: opts.random } : {}),
    };
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Records a failure; returns how long to wait before the next attempt. */
  fail(): number {
    return backoffDelay(this.#failures++, {
      base: this.#opts.baseDelayMs,
      cap: this.#opts.maxDelayMs,
      jitter: "full-half-floor",
      ...(this.#opts.random ? { random: this.#opts.random } : {}),
    });
  }

  reset(): void {
    this.#failures = 0;
  }
}

/** A delay with ±`fraction` random spread, so timers of many repos registered together do not fire together. */
export function withJitter(ms: number, fraction = 0.1, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 - fraction + 2 * fraction * random())));
}
