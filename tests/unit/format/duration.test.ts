import { describe, expect, it } from "vitest";
import { formatDays, formatDuration, plural } from "@/lib/format/duration";

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

describe("formatDuration", () => {
  it("writes a length in the largest unit it fills", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(300)).toBe("0.3 s");
    expect(formatDuration(2340)).toBe("2.3 s");
    expect(formatDuration(45 * S)).toBe("45 s");
    expect(formatDuration(3 * MIN)).toBe("3 min");
    expect(formatDuration(90 * MIN)).toBe("1.5 h");
    expect(formatDuration(12.4 * H)).toBe("12 h");
    expect(formatDuration(DAY)).toBe("1 day");
    expect(formatDuration(2 * DAY)).toBe("2 days");
    expect(formatDuration(3.24 * DAY)).toBe("3.2 days");
    expect(formatDuration(45.4 * DAY)).toBe("45 days");
    expect(formatDuration(1234 * DAY)).toBe("1,234 days");
  });

  it("says 1 day, never 1 days, and counts a fraction as many", () => {
    expect(formatDuration(DAY + 2 * MIN)).toBe("1 day");
    expect(formatDuration(1.5 * DAY)).toBe("1.5 days");
    expect(formatDuration(1 * H)).toBe("1 h");
    expect(formatDuration(1 * S)).toBe("1 s");
  });

  it("picks the unit after rounding, so a boundary never reads 60 s, 60 min or 24 h", () => {
    expect(formatDuration(59.4 * S)).toBe("59 s");
    expect(formatDuration(59.6 * S)).toBe("1 min");
    expect(formatDuration(59.6 * MIN)).toBe("1 h");
    expect(formatDuration(23.96 * H)).toBe("1 day");
    expect(formatDuration(9.96 * H)).toBe("10 h");
    expect(formatDuration(9.96 * S)).toBe("10 s");
  });

  it("drops the tenth when asked for whole units", () => {
    expect(formatDuration(2.4 * H, { whole: true })).toBe("2 h");
    expect(formatDuration(3.6 * DAY, { whole: true })).toBe("4 days");
  });

  it("has a dash for no value and counts a negative length (clock skew) as zero", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(undefined)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("—");
    expect(formatDuration(-5 * S)).toBe("0 s");
  });
});

describe("plural and formatDays", () => {
  it("is singular for exactly one only", () => {
    expect(formatDays(1)).toBe("1 day");
    expect(formatDays(0)).toBe("0 days");
    expect(formatDays(90)).toBe("90 days");
    expect(plural(1, "credential")).toBe("1 credential");
    expect(plural(2, "credential")).toBe("2 credentials");
    expect(plural(2, "entry", "entries")).toBe("2 entries");
  });
});
