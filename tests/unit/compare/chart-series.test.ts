import { describe, expect, it } from "vitest";
import { bucketOf, DURATION_BUCKET_COUNT } from "@/lib/rollups/buckets";
import { ageChart, dailyBars, durationBars } from "@/lib/compare/chart-series";
import { ageBars } from "@/lib/compare/figures";

const MIN = 60_000;

describe("daily bars", () => {
  it("stacks failures on the rest and links each day to its rows", () => {
    const bars = dailyBars(
      [
        { day: "2026-02-01", deployments: 5, failures: 2 },
        { day: "2026-02-02", deployments: 0, failures: 0 },
      ],
      (day, failed) => `/deployments?day=${day}${failed ? "&state=failed" : ""}`,
    );
    expect(bars).toEqual([
      {
        day: "2026-02-01",
        tick: "02-01",
        succeeded: 3,
        failed: 2,
        total: 5,
        href: "/deployments?day=2026-02-01",
        failedHref: "/deployments?day=2026-02-01&state=failed",
      },
      {
        day: "2026-02-02",
        tick: "02-02",
        succeeded: 0,
        failed: 0,
        total: 0,
        href: "/deployments?day=2026-02-02",
        failedHref: "/deployments?day=2026-02-02&state=failed",
      },
    ]);
  });

  it("never draws a negative success bar when failures exceed deliveries", () => {
    const [bar] = dailyBars([{ day: "2026-02-01", deployments: 1, failures: 3 }], () => "/");
    expect(bar).toMatchObject({ succeeded: 0, failed: 1, total: 1 });
  });
});

describe("duration bars", () => {
  it("is empty when nothing was measured", () => {
    expect(durationBars(new Array<number>(DURATION_BUCKET_COUNT).fill(0))).toEqual([]);
  });

  it("keeps the used buckets plus one empty bucket on each side", () => {
    const b = new Array<number>(DURATION_BUCKET_COUNT).fill(0);
    b[bucketOf(4 * MIN)] = 2; // ≤ 5 min
    b[bucketOf(50 * MIN)] = 1; // ≤ 1 h
    const bars = durationBars(b);
    expect(bars.map((x) => x.tick)).toEqual(["2 min", "5 min", "10 min", "15 min", "30 min", "45 min", "1 h", "2 h"]);
    expect(bars.map((x) => x.count)).toEqual([0, 2, 0, 0, 0, 0, 1, 0]);
    expect(bars[1]?.label).toBe("≤ 5 min");
  });

  it("does not run past either end of the buckets", () => {
    const b = new Array<number>(DURATION_BUCKET_COUNT).fill(0);
    b[0] = 1;
    b[DURATION_BUCKET_COUNT - 1] = 1;
    const bars = durationBars(b);
    expect(bars).toHaveLength(DURATION_BUCKET_COUNT);
    expect(bars[bars.length - 1]?.label).toBe("> 30 days");
  });
});

describe("age chart", () => {
  const links = { href: "/credentials", beyondPolicyHref: "/credentials?status=overdue" };

  it("places the policy line on a bar boundary and links the bars past it to the overdue list", () => {
    const c = ageChart(
      ageBars([
        { ageDays: 3, policyMaxAgeDays: 90 },
        { ageDays: 100, policyMaxAgeDays: 90 },
        { ageDays: 400, policyMaxAgeDays: 90 },
      ]),
      links,
    );
    expect(c.total).toBe(3);
    expect(c.policyMaxAgeDays).toBe(90);
    // Bars: 0–7, 7–14, 14–30, 30–60, 60–90 | 90–180, 180–365, > 365.
    expect(c.policyX).toBe(5);
    expect(c.bars.map((b) => b.beyondPolicy)).toEqual([false, false, false, false, false, true, true, true]);
    expect(c.bars[5]).toMatchObject({
      label: "90–180 days",
      tick: "90–180",
      count: 1,
      x: 5.5,
      href: "/credentials?status=overdue",
    });
    expect(c.bars[0]).toMatchObject({ count: 1, x: 0.5, href: "/credentials" });
  });

  it("interpolates the line inside the bar that holds the max age; that bar is not all past it", () => {
    const c = ageChart(ageBars([{ ageDays: 1, policyMaxAgeDays: 45 }]), links);
    expect(c.policyX).toBe(3.5); // 30–60: 45 is halfway
    expect(c.bars[3]?.beyondPolicy).toBe(false);
    expect(c.bars[4]?.beyondPolicy).toBe(true);
  });

  it("has no line and nothing past policy without a policy", () => {
    const c = ageChart(ageBars([{ ageDays: 500, policyMaxAgeDays: null }]), links);
    expect(c.policyX).toBeNull();
    expect(c.bars.every((b) => !b.beyondPolicy && b.href === "/credentials")).toBe(true);
  });
});
