import { backoffDelay } from "../jobs/backoff";
import { isRetryable, KubeError } from "./errors";

export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  attempts?: number;
  /** First backoff ceiling in ms (default 200). */
  baseDelayMs?: number;
  /** Largest backoff ceiling in ms (default 5000). */
  maxDelayMs?: number;
  /** Upper bound for a server-requested Retry-After, so a hostile or confused server cannot park us (default 30 s). */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  /** Decides what is retryable; defaults to 429/5xx/connection errors. */
  shouldRetry?: (err: unknown) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Injected for tests. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Delay before retry number `attempt` (0-based): full jitter over a capped exponential ceiling (200 ms … 5 s by
 * default; lib/jobs' `backoffDelay`), so many clients retrying together spread out instead of stampeding. A server's
 * Retry-After is a floor, not a suggestion.
 */
export function retryDelay(
  attempt: number,
  opts: {
    baseDelayMs?: number;
    maxDelayMs?: number;
    retryAfterMs?: number;
    maxRetryAfterMs?: number;
    random?: () => number;
  } = {},
): number {
  const jittered = backoffDelay(attempt, {
    base: opts.baseDelayMs ?? 200,
    cap: opts.maxDelayMs ?? 5000,
    jitter: "full",
    ...(opts.random ? { random: opts.random } : {}),
  });
  if (opts.retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(opts.retryAfterMs, opts.maxRetryAfterMs ?? 30_000));
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `fn`, retrying only retryable failures (429, 5xx, connection errors by default) with capped exponential
 * backoff and full jitter, honouring Retry-After. The last error is rethrown unchanged.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const shouldRetry = opts.shouldRetry ?? isRetryable;
  const wait = opts.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt + 1 >= attempts || !shouldRetry(error) || opts.signal?.aborted) throw error;
      const delayMs = retryDelay(attempt, {
        ...(opts.baseDelayMs === undefined ? {} : { baseDelayMs: opts.baseDelayMs }),
        ...(opts.maxDelayMs === undefined ? {} : { maxDelayMs: opts.maxDelayMs }),
        ...(opts.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: opts.maxRetryAfterMs }),
        ...(error instanceof KubeError && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
        ...(opts.random ? { random: opts.random } : {}),
      });
      opts.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await wait(delayMs, opts.signal);
    }
  }
}
