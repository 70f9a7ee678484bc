/**
 * The one duration style of the dashboard, its notifications and its CLI: "45 s", "12 min", "1.5 h", "1 day",
 * "3.2 days". Plain module (no Next, no server-only), so the agent and CLI may use it too.
 */
import { formatNumber } from "./number";

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * `n` with its noun, singular only for exactly one: "1 day", "0 days", "2.5 days", "1,200 credentials".
 * `many` defaults to `one` + "s".
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n, Number.isInteger(n) ? 0 : 1)} ${n === 1 ? one : many}`;
}

interface Unit {
  ms: number;
  /** The rounded count at which the next unit takes over ("60 s" reads "1 min"). */
  limit: number;
  one: string;
  many: string;
  /** Whether a fraction carries meaning ("1.5 h", "0.3 s"); minutes are whole. */
  fractional: boolean;
}

const UNITS: readonly Unit[] = [
  { ms: SECOND_MS, limit: 60, one: "s", many: "s", fractional: true },
  { ms: MINUTE_MS, limit: 60, one: "min", many: "min", fractional: false },
  { ms: HOUR_MS, limit: 24, one: "h", many: "h", fractional: true },
  { ms: DAY_MS, limit: Infinity, one: "day", many: "days", fractional: true },
];

/** One decimal under ten ("3.2 days"), whole from ten up ("12 h", "45 days"), where a tenth no longer matters. */
function rounded(value: number, fractional: boolean): number {
  if (!fractional || Math.round(value) >= 10) return Math.round(value);
  return Math.round(value * 10) / 10;
}

/**
 * A length of time in the largest unit it fills: "0.3 s", "45 s", "12 min", "1.5 h", "12 h", "1 day", "3.2 days",
 * "45 days".
 * The unit is picked after rounding, so 59.6 s reads "1 min", never "60 s". `whole` drops the tenth (relative times
 * read "2 h ago", not "2.4 h ago"). Null, undefined or not finite → "—"; a negative length (clock skew) counts as 0.
 */
export function formatDuration(ms: number | null | undefined, opts: { whole?: boolean } = {}): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const abs = Math.max(0, ms);
  for (const unit of UNITS) {
    const n = rounded(abs / unit.ms, unit.fractional && !opts.whole);
    if (n < unit.limit) return plural(n, unit.one, unit.many);
  }
  // Unreachable: the last unit has no limit.
  return "—";
}

/** A whole number of days as a duration: "1 day", "90 days", "0 days" (policy settings are counted in days). */
export function formatDays(days: number): string {
  return plural(days, "day");
}
