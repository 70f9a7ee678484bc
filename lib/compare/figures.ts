import { DURATION_BUCKET_COUNT, quantileFromBuckets, type TRollupMetric } from "@/lib/rollups/buckets";
import { DAY_MS } from "@/lib/credentials/status";
import { isoDayOf, type ComparisonRange } from "./range";
import { zeroRollupSums, type RollupSums } from "@/lib/rollups/sums";

export const MODES = ["push", "pull"] as const;
export type TMode = (typeof MODES)[number];

export interface RollupDayRow extends RollupSums {
  day: Date;
  mode: string;
}

export interface HistogramRow {
  mode: string;
  metric: string;
  bucket: number;
  count: number;
}

export interface DurationFigure {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  /** Counts per bucket of lib/rollups/buckets.ts, for the distribution chart. */
  buckets: number[];
}

export interface DayPoint {
  day: string;
  deployments: number;
  failures: number;
}

export interface ModeDelivery {
  deployments: number;
  succeeded: number;
  failures: number;
  /** Deliveries per day over the whole range (days without any count too). */
  deploymentsPerDay: number;
  /** failures / deliveries; null when there were none. */
  changeFailureRate: number | null;
  leadTime: DurationFigure;
  approvalWait: DurationFigure;
  /** Time to restore: failure → next success on the same target (push) or repository (pull). */
  restore: DurationFigure;
  driftDetected: number;
  driftCorrected: number;
  /** One point per day of the range, oldest first. */
  series: DayPoint[];
}

export type DeliveryComparison = Record<TMode, ModeDelivery>;

function durationFigure(count: number, sumMs: number, buckets: number[]): DurationFigure {
  return {
    count,
    meanMs: count > 0 ? sumMs / count : null,
    p50Ms: quantileFromBuckets(buckets, 0.5),
    p90Ms: quantileFromBuckets(buckets, 0.9),
    buckets,
  };
}

/**
 * The delivery side of the comparison from rollup rows (grouped by day and mode) and histogram rows (grouped by
 * mode, metric and bucket) of the range. Pure: the data layer only sums rows, every rule lives here.
 */
export function deliveryFigures(
  rows: readonly RollupDayRow[],
  histogram: readonly HistogramRow[],
  range: Pick<ComparisonRange, "from" | "days">,
): DeliveryComparison {
  const out = {} as DeliveryComparison;
  for (const mode of MODES) {
    const sums = zeroRollupSums();
    const perDay = new Map<string, DayPoint>();
    for (let i = 0; i < range.days; i++) {
      const day = isoDayOf(new Date(range.from.getTime() + i * DAY_MS));
      perDay.set(day, { day, deployments: 0, failures: 0 });
    }
    for (const r of rows) {
      if (r.mode !== mode) continue;
      for (const k of Object.keys(sums) as (keyof RollupSums)[]) sums[k] += r[k];
      const point = perDay.get(isoDayOf(r.day));
      if (point) {
        point.deployments += r.deployments;
        point.failures += r.failures;
      }
    }
    const bucketsOf = (metric: TRollupMetric) => {
      const b = new Array<number>(DURATION_BUCKET_COUNT).fill(0);
      for (const h of histogram)
        if (h.mode === mode && h.metric === metric && h.bucket >= 0 && h.bucket < b.length)
          b[h.bucket] = (b[h.bucket] ?? 0) + h.count;
      return b;
    };
    out[mode] = {
      deployments: sums.deployments,
      succeeded: sums.succeeded,
      failures: sums.failures,
      deploymentsPerDay: range.days > 0 ? sums.deployments / range.days : 0,
      changeFailureRate: sums.deployments > 0 ? sums.failures / sums.deployments : null,
      leadTime: durationFigure(sums.leadTimeCount, sums.leadTimeSumMs, bucketsOf("lead-time")),
      approvalWait: durationFigure(sums.approvalWaitCount, sums.approvalWaitSumMs, bucketsOf("approval-wait")),
      restore: durationFigure(sums.restoreCount, sums.restoreSumMs, bucketsOf("restore")),
      driftDetected: sums.driftDetected,
      driftCorrected: sums.driftCorrected,
      series: [...perDay.values()],
    };
  }
  return out;
}

/** Credential ages bucketed for the bar chart (days), with the policy's max age drawn as a line. */
export const AGE_BAR_BOUNDS_DAYS = [7, 14, 30, 60, 90, 180, 365] as const;

export interface AgeBars {
  /** Labels and counts, youngest first; the last bar is "> 365 days". */
  bars: { label: string; count: number; upperDays: number | null }[];
  /** The max age of the policy most credentials fall under; null when none has a policy. */
  policyMaxAgeDays: number | null;
}

/** Buckets credential ages (days) into bars and picks the policy line: the most common max age. */
export function ageBars(items: readonly { ageDays: number; policyMaxAgeDays: number | null }[]): AgeBars {
  const counts: number[] = new Array<number>(AGE_BAR_BOUNDS_DAYS.length + 1).fill(0);
  const policyCounts = new Map<number, number>();
  for (const item of items) {
    const i = AGE_BAR_BOUNDS_DAYS.findIndex((b) => item.ageDays <= b);
    counts[i === -1 ? counts.length - 1 : i]!++;
    if (item.policyMaxAgeDays !== null)
      policyCounts.set(item.policyMaxAgeDays, (policyCounts.get(item.policyMaxAgeDays) ?? 0) + 1);
  }
  return ageBarsFromCounts(counts, policyCounts);
}

/**
 * The same bars from counts already made (e.g. by indexed counts per bucket): `counts[i]` for the bar ending at
 * AGE_BAR_BOUNDS_DAYS[i] (age ≤ bound, above the previous one), the last for older; `policyCounts` maps a policy's
 * max age to how many credentials it governs.
 */
export function ageBarsFromCounts(counts: readonly number[], policyCounts: ReadonlyMap<number, number>): AgeBars {
  const bars = AGE_BAR_BOUNDS_DAYS.map((upper, i) => ({
    label: `${i === 0 ? 0 : AGE_BAR_BOUNDS_DAYS[i - 1]}–${upper} days`,
    count: counts[i] ?? 0,
    upperDays: upper as number | null,
  }));
  bars.push({
    label: `> ${AGE_BAR_BOUNDS_DAYS[AGE_BAR_BOUNDS_DAYS.length - 1]} days`,
    count: counts[AGE_BAR_BOUNDS_DAYS.length] ?? 0,
    upperDays: null,
  });
  let policyMaxAgeDays: number | null = null;
  let best = 0;
  for (const [days, count] of policyCounts) {
    if (count > best || (count === best && policyMaxAgeDays !== null && days < policyMaxAgeDays)) {
      best = count;
      policyMaxAgeDays = days;
    }
  }
  return { bars, policyMaxAgeDays };
}
