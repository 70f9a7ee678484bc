/**
 * How often something happens, in the unit that gives a readable number: "3.2 per day", "2 per week", "1.3 per
 * month", never "0.03 per day". Plain module (no Next, no server-only).
 */

import { formatNumber } from "./number";

export type RateUnit = "day" | "week" | "month";

/** Days per unit; a month is 30 days, as close as a rate over a range of days needs. */
const DAYS: Record<RateUnit, number> = { day: 1, week: 7, month: 30 };

/**
 * A rate given per day, as a number and the unit it reads best in: per day from one a day up, per week from one a
 * week up, else per month. One decimal under ten ("1.4"), whole from ten up ("12"); a rate too small to show a
 * tenth per month reads "< 0.1". Zero stays "0" per day. Not finite or negative → "—" per day.
 */
export function rateOf(perDay: number | null | undefined): { value: string; unit: RateUnit } {
  if (perDay === null || perDay === undefined || !Number.isFinite(perDay) || perDay < 0)
    return { value: "—", unit: "day" };
  if (perDay === 0) return { value: "0", unit: "day" };
  // Units are chosen after rounding, so 0.999 a day reads "1 per day", not "7 per week".
  const unit: RateUnit =
    Math.round(perDay * 10) >= 10 ? "day" : Math.round(perDay * DAYS.week * 10) >= 10 ? "week" : "month";
  const n = perDay * DAYS[unit];
  if (n < 0.05) return { value: "< 0.1", unit };
  return { value: formatNumber(n, n >= 9.95 ? 0 : 1), unit };
}

/** "3.2 per day", "2 per week", "0.3 per month". */
export function formatRate(perDay: number | null | undefined): string {
  const { value, unit } = rateOf(perDay);
  return `${value} per ${unit}`;
}
