import { DAY_MS } from "@/lib/credentials/status";
import { backoffDelay } from "@/lib/jobs/backoff";

/** Automatic rotation renews a token once this share of its lifetime (issuedAt → expiresAt) has passed. */
export const LIFETIME_FRACTION = 0.8;

/** TokenRequest bounds: the API refuses less than 10 minutes; Wharf asks for at most a year. */
export const MIN_TOKEN_SECONDS = 600;
export const MAX_TOKEN_SECONDS = 365 * 24 * 3600;

/** Backoff after failed rotations: from one minute, doubling, never more than six hours. */
export const RETRY_BASE_MS = 60_000;
export const RETRY_CAP_MS = 6 * 3600_000;

export type TRotationReason = "max-age" | "lifetime";

export interface RotationScheduleInput {
  lastRotatedAt: Date;
  issuedAt: Date | null;
  expiresAt: Date | null;
  /** The governing policy's age limit; null without a policy. */
  maxAgeDays: number | null;
  /** Whether Wharf rotates this credential by itself (the lifetime rule only applies then). */
  autoRotate: boolean;
}

export interface RotationSchedule {
  at: Date;
  reason: TRotationReason;
}

/**
 * When a credential should next be rotated. Automatic rotation: the earlier of lastRotatedAt + maxAge and
 * start + 80 % of the token's lifetime (start is the token's `iat`, else when Wharf stored it) — on a tie the
 * policy's max age is named as the reason. Otherwise (people rotate) only the max age counts. Null when nothing
 * applies (no policy and, for automatic rotation, no expiry).
 */
export function nextRotation(input: RotationScheduleInput): RotationSchedule | null {
  const byAge = input.maxAgeDays !== null ? input.lastRotatedAt.getTime() + input.maxAgeDays * DAY_MS : null;
  let byLifetime: number | null = null;
  if (input.autoRotate && input.expiresAt) {
    const start = (input.issuedAt ?? input.lastRotatedAt).getTime();
    const end = input.expiresAt.getTime();
    if (end > start) byLifetime = start + Math.floor((end - start) * LIFETIME_FRACTION);
    else byLifetime = end;
  }
  if (byAge === null && byLifetime === null) return null;
  if (byLifetime !== null && (byAge === null || byLifetime < byAge))
    return { at: new Date(byLifetime), reason: "lifetime" };
  return { at: new Date(byAge!), reason: "max-age" };
}

/**
 * Whether automatic rotation should run now: the schedule's instant has come (the instant itself counts) and the
 * backoff after a failure has passed. Returns the reason, or null when not due.
 */
export function rotationDueReason(
  input: RotationScheduleInput & { now: Date; nextAttemptAt: Date | null },
): TRotationReason | null {
  if (!input.autoRotate) return null;
  if (input.nextAttemptAt && input.now.getTime() < input.nextAttemptAt.getTime()) return null;
  const next = nextRotation(input);
  if (!next || input.now.getTime() < next.at.getTime()) return null;
  return next.reason;
}

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
