import { describe, expect, it } from "vitest";
import { bucketOf } from "@/lib/rollups/buckets";
import { ageBars, deliveryFigures, type RollupDayRow } from "@/lib/compare/figures";

const MIN = 60_000;
const day = (d: string) => new Date(`${d}T00:00:00Z`);
const row = (over: Partial<RollupDayRow> & Pick<RollupDayRow, "day" | "mode">): RollupDayRow => ({
  deployments: 0,
  succeeded: 0,
  failures: 0,
  leadTimeCount: 0,
  leadTimeSumMs: 0,
  approvalWaitCount: 0,
  approvalWaitSumMs: 0,
  restoreCount: 0,
  restoreSumMs: 0,
  driftDetected: 0,
  driftCorrected: 0,
  ...over,
});

describe("delivery figures from rollup sums", () => {
  const range = { from: day("2026-02-01"), days: 3 };

  it("sums per mode, rates over the whole range, one series point per day", () => {
    const rows = [
      row({
        day: day("2026-02-01"),
        mode: "push",
        deployments: 3,
        succeeded: 2,
        failures: 1,
        leadTimeCount: 2,
        leadTimeSumMs: 30 * MIN,
      }),
      row({
        day: day("2026-02-03"),
        mode: "push",
        deployments: 1,
        succeeded: 1,
        leadTimeCount: 1,
        leadTimeSumMs: 60 * MIN,
        restoreCount: 1,
        restoreSumMs: 90 * MIN,
      }),
      row({ day: day("2026-02-02"), mode: "pull", deployments: 2, succeeded: 2, driftDetected: 4, driftCorrected: 1 }),
      // Outside the range's days: summed (the query bounds the range) but has no series point.
      row({ day: day("2026-03-01"), mode: "other", deployments: 9 }),
    ];
    const hist = [
      { mode: "push", metric: "lead-time", bucket: bucketOf(10 * MIN), count: 1 },
      { mode: "push", metric: "lead-time", bucket: bucketOf(20 * MIN), count: 1 },
      { mode: "push", metric: "lead-time", bucket: bucketOf(60 * MIN), count: 1 },
      { mode: "pull", metric: "lead-time", bucket: bucketOf(60 * MIN), count: 5 },
    ];
    const f = deliveryFigures(rows, hist, range);
    expect(f.push.deployments).toBe(4);
    expect(f.push.failures).toBe(1);
    expect(f.push.changeFailureRate).toBe(0.25);
    expect(f.push.deploymentsPerDay).toBeCloseTo(4 / 3, 10);
    expect(f.push.leadTime.meanMs).toBe(30 * MIN);
    expect(f.push.leadTime.p50Ms).toBe(30 * MIN); // rank 2 → (15, 30 min], 1 of 1
    expect(f.push.leadTime.p90Ms).toBe(60 * MIN);
    expect(f.push.restore).toMatchObject({ count: 1, meanMs: 90 * MIN });
    expect(f.push.series.map((p) => [p.day, p.deployments, p.failures])).toEqual([
      ["2026-02-01", 3, 1],
      ["2026-02-02", 0, 0],
      ["2026-02-03", 1, 0],
    ]);
    expect(f.pull).toMatchObject({
      deployments: 2,
      failures: 0,
      changeFailureRate: 0,
      driftDetected: 4,
      driftCorrected: 1,
    });
    expect(f.pull.leadTime.count).toBe(0); // counts come from the rollup rows, buckets from the histogram
    expect(f.pull.leadTime.p50Ms).toBe(54 * MIN); // rank 3 of 5 in (45 min, 1 h] → 45 + 15·3/5
  });

  it("no deliveries: no rate, no percentiles", () => {
    const f = deliveryFigures([], [], range);
    expect(f.push.changeFailureRate).toBeNull();
    expect(f.pull.leadTime.p90Ms).toBeNull();
    expect(f.pull.approvalWait.meanMs).toBeNull();
    expect(f.pull.series).toHaveLength(3);
  });
});

describe("credential age bars", () => {
  it("buckets ages and draws the line at the most common policy max age", () => {
    const bars = ageBars([
      { ageDays: 1, policyMaxAgeDays: 30 },
      { ageDays: 7, policyMaxAgeDays: 30 },
      { ageDays: 40, policyMaxAgeDays: 90 },
      { ageDays: 400, policyMaxAgeDays: null },
    ]);
    expect(bars.bars.map((b) => b.count)).toEqual([2, 0, 0, 1, 0, 0, 0, 1]);
    expect(bars.bars[bars.bars.length - 1]!.label).toBe("> 365 days");
    expect(bars.policyMaxAgeDays).toBe(30);
    expect(ageBars([{ ageDays: 3, policyMaxAgeDays: null }]).policyMaxAgeDays).toBeNull();
  });
});
