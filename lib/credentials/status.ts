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
 * The instants at which a credential's status changes, fixed by the row and its policy (the clock only decides which
 * side of each instant "now" is on). They are stored on the Credential row, so counts by status are indexed range
 * counts instead of a computation per row; `rotationStatus` derives the status from the same instants, so there is
 * one rule.
 */
export interface RotationStatusInstants {
  /** The credential's own expiry (JWT `exp`, certificate `notAfter`); from this instant it is `expired`. */
  expiresAt: Date | null;
  /** lastRotatedAt + the policy's maxAgeDays; from this instant it is `overdue`. Null without a policy. */
  overdueAt: Date | null;
  /** The earlier deadline minus the warning window; from this instant it is at least `due-soon`. Null without deadlines. */
  dueSoonAt: Date | null;
  /** The earlier of `expiresAt` and `overdueAt`. */
  nextRotationDue: Date | null;
}

/** The status boundaries of one credential under `policy` (see RotationStatusInstants). */
export function rotationStatusInstants(
  input: Omit<RotationStatusInput, "now" | "rotationError">,
): RotationStatusInstants {
  const expiresAt = input.expiresAt?.getTime() ?? null;
  const overdueAt = input.policy ? input.lastRotatedAt.getTime() + input.policy.maxAgeDays * DAY_MS : null;
  const warnMs = (input.policy ? input.policy.warnBeforeDays : DEFAULT_EXPIRY_WARN_DAYS) * DAY_MS;
  const deadlines = [expiresAt, overdueAt].filter((d): d is number => d !== null);
  const next = deadlines.length ? Math.min(...deadlines) : null;
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  return {
    expiresAt: date(expiresAt),
    overdueAt: date(overdueAt),
    dueSoonAt: date(next === null ? null : next - warnMs),
    nextRotationDue: date(next),
  };
}

/** Whether a stored rotation error counts as a failure: any non-empty message (an empty one is no failure). */
export function isRotationFailing(rotationError: string | null | undefined): boolean {
  return !!rotationError;
}

/**
 * The status at `now` from the stored instants. Each instant already counts as past it; precedence
 * expired > overdue > rotation-failed > due-soon > ok. The SQL counts (countCredentialStatuses) mirror exactly this.
 */
export function statusAt(
  instants: Pick<RotationStatusInstants, "expiresAt" | "overdueAt" | "dueSoonAt">,
  failing: boolean,
  now: Date,
): TRotationStatus {
  const t = now.getTime();
  const reached = (d: Date | null) => d !== null && t >= d.getTime();
  if (reached(instants.expiresAt)) return "expired";
  if (reached(instants.overdueAt)) return "overdue";
  if (failing) return "rotation-failed";
  if (reached(instants.dueSoonAt)) return "due-soon";
  return "ok";
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
  const instants = rotationStatusInstants(input);
  return {
    status: statusAt(instants, isRotationFailing(input.rotationError), input.now),
    nextRotationDue: instants.nextRotationDue,
  };
}
