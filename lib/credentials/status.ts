import type { TRotationStatus } from "./schemas";

export const DAY_MS = 86_400_000;

/**
 * Without a policy there is no age limit, but a credential that expires on its own still deserves a warning: this
 * many days before its expiry it is `due-soon`.
 */
export const DEFAULT_EXPIRY_WARN_DAYS = 7;

export interface RotationPolicyLimits {
  maxAgeDays: number;
  warnBeforeDays: number;
}

export interface RotationStatusInput {
  lastRotatedAt: Date;
  expiresAt: Date | null;
  now: Date;
  policy: RotationPolicyLimits | null;
  /** The stored message of the last failed automatic rotation; set means `rotation-failed` unless overdue/expired. */
  rotationError?: string | null;
}

export interface RotationStatusResult {
  status: TRotationStatus;
  /** The earlier of the max-age deadline and the credential's own expiry; null when neither exists. */
  nextRotationDue: Date | null;
}

/**
 * The one rule for a credential's rotation status. Each limit is an instant at which the credential stops being
 * acceptable, so the instant itself already counts as past it:
 * - `expired`  when now ≥ expiresAt (a JWT is invalid at its `exp`);
 * - `overdue`  when now ≥ lastRotatedAt + maxAgeDays;
 * - `rotation-failed` while the last automatic rotation's failure is stored (it clears when one succeeds): a
 *   stored failure says more than a clock-computed ok/due-soon, but an overdue or expired credential is worse news;
 * - `due-soon` when now ≥ a limit − warnBeforeDays (the policy's window; DEFAULT_EXPIRY_WARN_DAYS for expiry
 *   when there is no policy);
 * - `ok` otherwise. Precedence: expired > overdue > rotation-failed > due-soon > ok.
 */
export function rotationStatus(input: RotationStatusInput): RotationStatusResult {
  const now = input.now.getTime();
  const expiresAt = input.expiresAt?.getTime() ?? null;
  const maxAgeDeadline = input.policy ? input.lastRotatedAt.getTime() + input.policy.maxAgeDays * DAY_MS : null;
  const warnMs = (input.policy ? input.policy.warnBeforeDays : DEFAULT_EXPIRY_WARN_DAYS) * DAY_MS;

  const deadlines = [expiresAt, maxAgeDeadline].filter((d): d is number => d !== null);
  const nextRotationDue = deadlines.length ? new Date(Math.min(...deadlines)) : null;

  let status: TRotationStatus = "ok";
  if (expiresAt !== null && now >= expiresAt) status = "expired";
  else if (maxAgeDeadline !== null && now >= maxAgeDeadline) status = "overdue";
  else if (input.rotationError) status = "rotation-failed";
  else if (deadlines.some((d) => now >= d - warnMs)) status = "due-soon";
  return { status, nextRotationDue };
}
