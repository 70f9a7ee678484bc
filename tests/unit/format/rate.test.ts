import { describe, expect, it } from "vitest";
import { formatRate, rateOf } from "@/lib/format/rate";

describe("formatRate", () => {
  it("keeps per day from one a day up", () => {
    expect(formatRate(1)).toBe("1 per day");
    expect(formatRate(3.24)).toBe("3.2 per day");
    expect(formatRate(12.4)).toBe("12 per day");
    // Rounds before choosing the unit: 0.97 a day reads "1 per day", not "6.8 per week".
    expect(formatRate(0.97)).toBe("1 per day");
  });

  it("switches to per week, then per month, when under one a day", () => {
    expect(formatRate(0.5)).toBe("3.5 per week");
    expect(formatRate(1 / 7)).toBe("1 per week");
    // The Overview's "0.03 syncs per day".
    expect(formatRate(0.03)).toBe("0.9 per month");
    // Under one a week is per month: "3 per month", not "0.7 per week".
    expect(formatRate(0.1)).toBe("3 per month");
    expect(formatRate(0.01)).toBe("0.3 per month");
    expect(formatRate(0.0001)).toBe("< 0.1 per month");
  });

  it("reads nothing as 0 per day and a missing rate as a dash", () => {
    expect(formatRate(0)).toBe("0 per day");
    expect(rateOf(null)).toEqual({ value: "—", unit: "day" });
    expect(rateOf(Number.NaN)).toEqual({ value: "—", unit: "day" });
    expect(rateOf(-1)).toEqual({ value: "—", unit: "day" });
  });

  it("splits into value and unit for a figure and its label", () => {
    expect(rateOf(0.03)).toEqual({ value: "0.9", unit: "month" });
    expect(rateOf(2)).toEqual({ value: "2", unit: "day" });
  });
});
