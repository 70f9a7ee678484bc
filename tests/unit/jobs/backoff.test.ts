import { describe, expect, it } from "vitest";
import { backoffDelay } from "@/lib/jobs/backoff";

const at = (r: number) => () => r;

describe("backoffDelay", () => {
  it("doubles the ceiling from base with each attempt up to cap", () => {
    const opts = { base: 100, cap: 1000, jitter: "full" as const, random: at(0.999) };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, opts))).toEqual([99, 199, 399, 799, 999, 999]);
    // Far past the cap (2^attempt overflows to Infinity) and before the first attempt it stays within bounds.
    expect(backoffDelay(5000, opts)).toBe(999);
    expect(backoffDelay(-1, opts)).toBe(99);
  });

  it("full jitter draws anywhere below the ceiling", () => {
    const opts = { base: 200, cap: 5000, jitter: "full" as const };
    expect(backoffDelay(2, { ...opts, random: at(0) })).toBe(0);
    expect(backoffDelay(3, { ...opts, random: at(0.5) })).toBe(800);
    expect(backoffDelay(20, { ...opts, random: at(0.999) })).toBe(4995);
  });

  it("full-half-floor is full jitter never below half the ceiling", () => {
    const opts = { base: 100, cap: 1000, jitter: "full-half-floor" as const };
    expect(backoffDelay(2, { ...opts, random: at(0) })).toBe(200);
    expect(backoffDelay(2, { ...opts, random: at(0.25) })).toBe(200);
    expect(backoffDelay(2, { ...opts, random: at(0.75) })).toBe(300);
    expect(backoffDelay(0, { ...opts, random: at(0.999) })).toBe(99);
  });

  it("equal jitter draws over the upper half of the ceiling", () => {
    const opts = { base: 30_000, cap: 3_600_000, jitter: "equal" as const };
    expect(backoffDelay(0, { ...opts, random: at(0) })).toBe(15_000);
    expect(backoffDelay(0, { ...opts, random: at(1) })).toBe(30_000);
    expect(backoffDelay(2, { ...opts, random: at(0.5) })).toBe(90_000);
    expect(backoffDelay(29, { ...opts, random: at(0) })).toBe(1_800_000);
  });

  it("is never below min", () => {
    const opts = { base: 60_000, cap: 6 * 3600_000, jitter: "equal" as const, min: 60_000 };
    expect(backoffDelay(0, { ...opts, random: at(0) })).toBe(60_000);
    expect(backoffDelay(1, { ...opts, random: at(0) })).toBe(60_000);
    expect(backoffDelay(2, { ...opts, random: at(0) })).toBe(120_000);
  });

  it("spreads draws with the default random", () => {
    const delays = new Set(
      Array.from({ length: 20 }, () => backoffDelay(10, { base: 100, cap: 100_000, jitter: "full" })),
    );
    expect(delays.size).toBeGreaterThan(1);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(0);
  });
});
