import { formatDuration } from "@/lib/format/duration";

/**
 * Fixed histogram buckets for delivery durations (lead time, approval wait, time to restore). The rollups store a
 * count per bucket, so p50/p90 over any range and any set of targets is a sum of counts — never a scan of the
 * deployments. Bounds are upper limits in milliseconds (inclusive); the last bucket is open-ended.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const DURATION_BUCKET_BOUNDS_MS: readonly number[] = [
  1 * MIN,
  2 * MIN,
  5 * MIN,
  10 * MIN,
  15 * MIN,
  30 * MIN,
  45 * MIN,
  1 * HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  1 * DAY,
  2 * DAY,
  3 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
];

/** Number of buckets: one per bound plus the open-ended one (> 30 days). */
export const DURATION_BUCKET_COUNT = DURATION_BUCKET_BOUNDS_MS.length + 1;

export const ROLLUP_METRICS = ["lead-time", "approval-wait", "restore"] as const;
export type TRollupMetric = (typeof ROLLUP_METRICS)[number];

/** The bucket a duration falls in: the first whose upper bound it does not exceed. Negative durations count as 0. */
export function bucketOf(ms: number): number {
  const v = Math.max(0, ms);
  const i = DURATION_BUCKET_BOUNDS_MS.findIndex((b) => v <= b);
  return i === -1 ? DURATION_BUCKET_BOUNDS_MS.length : i;
}

/** [lower, upper] of a bucket in ms; the open-ended bucket's upper is its lower bound (no larger value is known). */
export function bucketRange(bucket: number): [number, number] {
  const lower = bucket === 0 ? 0 : (DURATION_BUCKET_BOUNDS_MS[bucket - 1] ?? 0);
  const upper = DURATION_BUCKET_BOUNDS_MS[bucket] ?? lower;
  return [lower, upper];
}

/**
 * Estimates the q-quantile (0 < q ≤ 1) from bucket counts: take the nearest rank r = ceil(q·n), find the bucket that
 * holds it, and interpolate linearly inside that bucket, as Prometheus' histogram_quantile does:
 * lower + (upper − lower) · (r − countBefore) / countInBucket. Null when there are no observations.
 */
export function quantileFromBuckets(counts: readonly number[], q: number): number | null {
  const n = counts.reduce((a, c) => a + c, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let before = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c > 0 && before + c >= rank) {
      const [lower, upper] = bucketRange(i);
      return lower + ((upper - lower) * (rank - before)) / c;
    }
    before += c;
  }
  return null;
}

/** A short label for a bucket, for the lead-time chart's axis: "≤ 5 min", "> 30 days". */
export function bucketLabel(bucket: number): string {
  const bound = DURATION_BUCKET_BOUNDS_MS[bucket];
  if (bound === undefined)
    return `> ${formatDuration(DURATION_BUCKET_BOUNDS_MS[DURATION_BUCKET_BOUNDS_MS.length - 1] ?? 0)}`;
  return `≤ ${formatDuration(bound)}`;
}
