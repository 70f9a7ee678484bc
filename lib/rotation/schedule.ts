import { backoffDelay } from "@/lib/jobs/backoff";

/** TokenRequest bounds: the API refuses less than 10 minutes; Wharf asks for at most a year. */
export const MIN_TOKEN_SECONDS = 600;
export const MAX_TOKEN_SECONDS = 365 * 24 * 3600;

/** Backoff after failed rotations: from one minute, doubling, never more than six hours. */
export const RETRY_BASE_MS = 60_000;
export const RETRY_CAP_MS = 6 * 3600_000;

/**
 * The lifetime to request for the new token: the old token's own lifetime (so rotation keeps what the platform team
 * chose), else the policy's max age, else one hour; bounded to 600 s … 1 year.
 */
export function requestedLifetimeSeconds(input: {
  issuedAt: Date | null;
  expiresAt: Date | null;
  maxAgeDays: number | null;
}): number {
  let seconds: number;
  if (input.issuedAt && input.expiresAt && input.expiresAt > input.issuedAt)
    seconds = Math.round((input.expiresAt.getTime() - input.issuedAt.getTime()) / 1000);
  else if (input.maxAgeDays !== null) seconds = input.maxAgeDays * 86_400;
  else seconds = 3600;
  return Math.min(MAX_TOKEN_SECONDS, Math.max(MIN_TOKEN_SECONDS, seconds));
}

/**
 * Delay before retry after the `attempts`-th consecutive failure (1-based): a ceiling of 1 min × 2^(attempts−1),
 * capped at 6 h, with jitter over its upper half so processes that failed together spread out; never below 1 min.
 */
export function rotationRetryDelayMs(attempts: number, random: () => number = Math.random): number {
  return backoffDelay(attempts - 1, {
    base: RETRY_BASE_MS,
    cap: RETRY_CAP_MS,
    jitter: "equal",
    min: RETRY_BASE_MS,
    random,
  });
}

/** `system:serviceaccount:NS:NAME` → its namespace and name; null for any other subject. */
export function serviceAccountOf(subject: string | null): { namespace: string; name: string } | null {
  const m = /^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(
    subject ?? "",
  );
  return m?.[1] && m[3] ? { namespace: m[1], name: m[3] } : null;
}
