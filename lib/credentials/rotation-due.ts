import { DAY_MS } from "./status";

/** Automatic rotation renews a token once this share of its lifetime (issuedAt → expiresAt) has passed. */
export const LIFETIME_FRACTION = 0.8;

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
