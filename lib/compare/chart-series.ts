import { bucketLabel } from "@/lib/rollups/buckets";
import type { AgeBars, DayPoint } from "./figures";

/**
 * Figures → chart rows for the comparison charts. Pure and serialisable: the server computes every value and link
 * here and hands plain objects to the client charts (props from a server component cannot carry functions).
 */

export interface DailyBar {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Axis tick: MM-DD. */
  tick: string;
  succeeded: number;
  failed: number;
  total: number;
  /** The rows behind the day's bar (deployments or sync events of that UTC day). */
  href: string;
  /** The failed rows of that day. */
  failedHref: string;
}

/** What a daily bar's two parts are called in its legend and tooltip ("succeeded"/"failed", "synced"/"failed"). */
export interface DailyParts {
  succeeded: string;
  failed: string;
}

export const DELIVERY_PARTS: DailyParts = { succeeded: "succeeded", failed: "failed" };

/** The list link of one day (`YYYY-MM-DD`); `failed` narrows to its failures. */
export type DayHref = (day: string, failed: boolean) => string;

/** One bar per day: failures stacked on the rest, each day linking to its rows. */
export function dailyBars(series: readonly DayPoint[], hrefOf: DayHref): DailyBar[] {
  return series.map((d) => {
    // A failure is counted once among the deliveries, so the green part is what is left.
    const failed = Math.min(d.failures, d.deployments);
    return {
      day: d.day,
      tick: d.day.slice(5),
      succeeded: d.deployments - failed,
      failed,
      total: d.deployments,
      href: hrefOf(d.day, false),
      failedHref: hrefOf(d.day, true),
    };
  });
}

export interface DurationBar {
  bucket: number;
  /** "≤ 5 min", "> 30 d". */
  label: string;
  /** Axis tick without the "≤". */
  tick: string;
  count: number;
}

/**
 * The buckets of a duration histogram that matter: from one before the first used bucket to one after the last
 * (so the shape has an edge on both sides). Empty when nothing was measured.
 */
export function durationBars(buckets: readonly number[]): DurationBar[] {
  const used = buckets.flatMap((c, i) => (c > 0 ? [i] : []));
  const firstUsed = used[0];
  const lastUsed = used[used.length - 1];
  if (firstUsed === undefined || lastUsed === undefined) return [];
  const first = Math.max(0, firstUsed - 1);
  const last = Math.min(buckets.length - 1, lastUsed + 1);
  const out: DurationBar[] = [];
  for (let bucket = first; bucket <= last; bucket++) {
    const label = bucketLabel(bucket);
    out.push({ bucket, label, tick: label.replace("≤ ", ""), count: buckets[bucket] ?? 0 });
  }
  return out;
}

export interface AgeBarPoint {
  label: string;
  tick: string;
  count: number;
  /** Centre of the bar on a numeric axis where bar i spans [i, i + 1]; lets the policy line sit between bars. */
  x: number;
  /** Every credential in this bar is at or past the policy's max age. */
  beyondPolicy: boolean;
  href: string;
}

export interface AgeChart {
  bars: AgeBarPoint[];
  total: number;
  policyMaxAgeDays: number | null;
  /** Where the policy line goes on the same axis: linear inside the bar whose range holds the max age. */
  policyX: number | null;
}

/**
 * Credential age bars for the chart. Bars entirely past the policy link to `beyondPolicyHref` (the overdue list)
 * when given, the others to `href`.
 */
export function ageChart(ages: AgeBars, links: { href: string; beyondPolicyHref?: string | undefined }): AgeChart {
  const policy = ages.policyMaxAgeDays;
  const bars = ages.bars.map((b, i) => {
    const lower = i === 0 ? 0 : (ages.bars[i - 1]?.upperDays ?? 0);
    const beyondPolicy = policy !== null && lower >= policy;
    return {
      label: b.label,
      tick: b.label.replace(" days", ""),
      count: b.count,
      x: i + 0.5,
      beyondPolicy,
      href: beyondPolicy && links.beyondPolicyHref ? links.beyondPolicyHref : links.href,
    };
  });
  let policyX: number | null = null;
  if (policy !== null && ages.bars.length > 0) {
    const i = ages.bars.findIndex((b) => b.upperDays !== null && policy <= b.upperDays);
    const index = i === -1 ? ages.bars.length - 1 : i;
    const upper = ages.bars[index]?.upperDays ?? policy;
    const lower = index === 0 ? 0 : (ages.bars[index - 1]?.upperDays ?? 0);
    const frac = upper > lower ? Math.min(1, Math.max(0, (policy - lower) / (upper - lower))) : 1;
    policyX = index + frac;
  }
  return { bars, total: ages.bars.reduce((a, b) => a + b.count, 0), policyMaxAgeDays: policy, policyX };
}
