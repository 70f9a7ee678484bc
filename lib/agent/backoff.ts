import { backoffDelay } from "@/lib/kube";

/** Backoff tuning for one failing repo (or the Wharf connection). */
export interface BackoffOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/**
 * Consecutive-failure counter with capped exponential backoff and full jitter (lib/kube's `backoffDelay`), so many
 * agents retrying an unreachable Git host or Wharf spread out instead of stampeding. A floor keeps a flapping
 * dependency from being hammered when the random draw comes out near zero.
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
    const attempt = this.#failures++;
    const jittered = backoffDelay(attempt, {
      baseDelayMs: this.#opts.baseDelayMs,
      maxDelayMs: this.#opts.maxDelayMs,
      ...(this.#opts.random ? { random: this.#opts.random } : {}),
    });
    const floor = Math.min(this.#opts.maxDelayMs, this.#opts.baseDelayMs * 2 ** attempt) / 2;
    return Math.max(Math.floor(floor), jittered);
  }

  reset(): void {
    this.#failures = 0;
  }
}

/** A delay with ±`fraction` random spread, so timers of many repos registered together do not fire together. */
export function withJitter(ms: number, fraction = 0.1, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 - fraction + 2 * fraction * random())));
}
