import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { formatNumber } from "@/lib/format/number";

describe("formatNumber", () => {
  it("writes what Intl's en-US format writes, at 0 and 1 decimals", () => {
    const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
    const tenth = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
    const values = [0, 1, 2.5, 3.5, 9.95, 10, 12.34, 999.95, 1000, 1234.5, 99_999.96, 1_000_000, 1_234_567.89, 2 ** 53];
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values.push((seed / 2 ** 31) * 10 ** (i % 9), Math.round(seed / 1000) / 100);
    }
    for (const v of values) {
      expect(formatNumber(v, 0), String(v)).toBe(whole.format(v));
      expect(formatNumber(v, 1), String(v)).toBe(tenth.format(v));
      expect(formatNumber(-v - 1, 1), String(-v - 1)).toBe(tenth.format(-v - 1));
    }
  });

  it("never writes a negative zero, and a dash for what is not a number", () => {
    expect(formatNumber(-0.04, 1)).toBe("0");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(Number.NaN)).toBe("—");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("—");
  });
});

// A browser tab's first Intl formatter loads ICU before it returns (40–100 ms on 2 cores), so the formatters that
// client components use must not touch Intl or toLocaleString, at import or when they format.
const WITHOUT_INTL = `
delete globalThis.Intl;
for (const proto of [Number.prototype, Date.prototype, String.prototype])
  for (const name of ["toLocaleString", "toLocaleDateString", "toLocaleTimeString", "localeCompare"])
    if (name in proto) proto[name] = () => { throw new Error(name + " called"); };
const { formatDate, formatDateTime, formatRelative } = await import("@/lib/format/date");
const { formatDays, formatDuration, plural } = await import("@/lib/format/duration");
const { formatRate } = await import("@/lib/format/rate");
const { formatNumber } = await import("@/lib/format/number");
console.log(JSON.stringify([
  formatDateTime("2026-12-09T08:05:07.000Z", { seconds: true }),
  formatDate(Date.UTC(2026, 0, 2)),
  formatRelative("2026-12-09T08:05:00.000Z", "2026-12-10T09:00:00.000Z"),
  formatDuration(90 * 60_000),
  formatDays(1),
  plural(1234, "credential"),
  formatRate(0.03),
  formatNumber(1234567.89, 1),
]));
`;

describe("lib/format without Intl", () => {
  it("formats dates, durations, rates and numbers in a runtime that has no Intl", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", WITHOUT_INTL], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_ENV: "test" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(JSON.parse(out.trim().split("\n").pop() ?? "")).toEqual([
      "2026-12-09 08:05:07 UTC",
      "2026-01-02",
      "1 day ago",
      "1.5 h",
      "1 day",
      "1,234 credentials",
      "0.9 per month",
      "1,234,567.9",
    ]);
  }, 60_000);
});
