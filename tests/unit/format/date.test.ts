import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatRelative, toDateTimeAttribute } from "@/lib/format/date";

const at = "2026-12-06T08:15:42.123Z";

describe("formatDateTime and formatDate", () => {
  it("writes the instant in UTC with the zone shown", () => {
    expect(formatDateTime(at)).toBe("2026-12-06 08:15 UTC");
    expect(formatDateTime(at, { seconds: true })).toBe("2026-12-06 08:15:42 UTC");
    expect(formatDateTime(new Date(at))).toBe("2026-12-06 08:15 UTC");
    expect(formatDateTime(Date.parse(at))).toBe("2026-12-06 08:15 UTC");
    expect(formatDate(at)).toBe("2026-12-06");
  });

  it("converts an offset to UTC, including across the day boundary", () => {
    expect(formatDateTime("2026-12-06T23:30:00-02:00")).toBe("2026-12-07 01:30 UTC");
    expect(formatDate("2026-12-06T23:30:00-02:00")).toBe("2026-12-07");
  });

  it("writes midnight as 00:00 (not 24:00) and keeps the year's end in its year", () => {
    expect(formatDateTime("2026-12-31T00:00:00Z")).toBe("2026-12-31 00:00 UTC");
    expect(formatDateTime("2026-12-31T23:59:59.999Z", { seconds: true })).toBe("2026-12-31 23:59:59 UTC");
    expect(formatDate("2036-12-03T00:00:00Z")).toBe("2036-12-03");
  });

  it("has a dash (or the caller's word) for none or an unreadable value", () => {
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime(undefined, { empty: "never" })).toBe("never");
    expect(formatDateTime("not a date")).toBe("—");
    expect(formatDate(null)).toBe("—");
    expect(toDateTimeAttribute(null)).toBeUndefined();
    expect(toDateTimeAttribute("2026-12-06T08:15:00+01:00")).toBe("2026-12-06T07:15:00.000Z");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2026-12-06T12:00:00Z");
  const before = (ms: number) => now - ms;

  it("says how long ago, in whole units", () => {
    expect(formatRelative(before(45_000), now)).toBe("45 s ago");
    expect(formatRelative(before(3 * 60_000), now)).toBe("3 min ago");
    expect(formatRelative(before(2.4 * 3_600_000), now)).toBe("2 h ago");
    expect(formatRelative(before(24 * 3_600_000), now)).toBe("1 day ago");
    expect(formatRelative(before(4 * 24 * 3_600_000), now)).toBe("4 days ago");
  });

  it("says how far ahead a future instant is", () => {
    expect(formatRelative(now + 2 * 24 * 3_600_000, now)).toBe("in 2 days");
    expect(formatRelative(now + 5 * 60_000, now)).toBe("in 5 min");
  });

  it("is 'just now' under a second, and under a minute ahead (clock skew)", () => {
    expect(formatRelative(now, now)).toBe("just now");
    expect(formatRelative(before(999), now)).toBe("just now");
    expect(formatRelative(now + 30_000, now)).toBe("just now");
    expect(formatRelative(before(1000), now)).toBe("1 s ago");
  });

  it("has a dash (or the caller's word) for none", () => {
    expect(formatRelative(null, now)).toBe("—");
    expect(formatRelative(null, now, { empty: "never" })).toBe("never");
  });
});
