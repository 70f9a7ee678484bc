import { describe, expect, it } from "vitest";
import {
  bucketLabel,
  bucketOf,
  bucketRange,
  DURATION_BUCKET_BOUNDS_MS,
  DURATION_BUCKET_COUNT,
  quantileFromBuckets,
} from "@/lib/rollups/buckets";

const MIN = 60_000;

describe("duration buckets", () => {
  it("puts a duration in the first bucket whose upper bound it does not exceed (bounds inclusive)", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-5)).toBe(0);
    expect(bucketOf(1 * MIN)).toBe(0);
    expect(bucketOf(1 * MIN + 1)).toBe(1);
    expect(bucketOf(60 * MIN)).toBe(DURATION_BUCKET_BOUNDS_MS.indexOf(60 * MIN));
    expect(bucketOf(365 * 24 * 60 * MIN)).toBe(DURATION_BUCKET_COUNT - 1);
  });

  it("bounds are strictly increasing and ranges chain", () => {
    for (let i = 1; i < DURATION_BUCKET_BOUNDS_MS.length; i++)
      expect(DURATION_BUCKET_BOUNDS_MS[i]!).toBeGreaterThan(DURATION_BUCKET_BOUNDS_MS[i - 1]!);
    for (let i = 1; i < DURATION_BUCKET_COUNT - 1; i++) expect(bucketRange(i)[0]).toBe(bucketRange(i - 1)[1]);
  });

  it("estimates quantiles by nearest rank and linear interpolation inside the bucket", () => {
    const counts = new Array<number>(DURATION_BUCKET_COUNT).fill(0);
    expect(quantileFromBuckets(counts, 0.5)).toBeNull();
    // Four observations in (5, 10 min]: p50 is rank 2 of 4 → 5 + 5·2/4 = 7.5 min; p90 rank 4 → 10 min.
    counts[bucketOf(7 * MIN)] = 4;
    expect(quantileFromBuckets(counts, 0.5)).toBe(7.5 * MIN);
    expect(quantileFromBuckets(counts, 0.9)).toBe(10 * MIN);
    // One more far out (> 30 d): p90 rank ceil(4.5)=5 lands in the open bucket → its lower bound.
    counts[DURATION_BUCKET_COUNT - 1] = 1;
    expect(quantileFromBuckets(counts, 0.9)).toBe(DURATION_BUCKET_BOUNDS_MS[DURATION_BUCKET_BOUNDS_MS.length - 1]);
    expect(quantileFromBuckets(counts, 0.5)).toBe(8.75 * MIN); // rank 3 of the 4 in (5, 10]
  });

  it("labels buckets in the one duration style (lib/format/duration)", () => {
    expect(bucketLabel(2)).toBe("≤ 5 min");
    expect(bucketLabel(DURATION_BUCKET_BOUNDS_MS.indexOf(24 * 60 * MIN))).toBe("≤ 1 day");
    expect(bucketLabel(DURATION_BUCKET_BOUNDS_MS.indexOf(2 * 24 * 60 * MIN))).toBe("≤ 2 days");
    expect(bucketLabel(DURATION_BUCKET_COUNT - 1)).toBe("> 30 days");
  });
});
