import { describe, expect, it } from "vitest";
import { isoToUtcInput, utcInputToIso } from "@/components/audit/filter-form";

// The audit filters' From/To fields read and show UTC, the zone every date on the dashboard is shown in (issue 17,
// item 7): the same instant whatever the browser's zone, and labelled so.
describe("audit filter date-time fields", () => {
  it("read a datetime-local value as UTC", () => {
    expect(utcInputToIso("2026-12-06T08:15")).toBe("2026-12-06T08:15:00.000Z");
    expect(utcInputToIso("2026-12-06T08:15:30")).toBe("2026-12-06T08:15:30.000Z");
    expect(utcInputToIso("")).toBeUndefined();
    expect(utcInputToIso("yesterday")).toBeUndefined();
  });

  it("show an instant in UTC, round-tripping what was typed", () => {
    expect(isoToUtcInput("2026-12-06T08:15:00.000Z")).toBe("2026-12-06T08:15");
    expect(isoToUtcInput("2026-12-06T09:15:00+01:00")).toBe("2026-12-06T08:15");
    expect(isoToUtcInput(utcInputToIso("2026-01-31T23:59"))).toBe("2026-01-31T23:59");
    expect(isoToUtcInput(undefined)).toBe("");
  });
});
