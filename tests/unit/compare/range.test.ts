import { describe, expect, it } from "vitest";
import { rangeParams, resolveRange } from "@/lib/compare/range";

const now = new Date("2026-05-10T15:00:00Z");

describe("comparison range", () => {
  it("presets end with today (UTC) and count whole days", () => {
    const r = resolveRange({ range: "7" }, now);
    expect(r.from.toISOString()).toBe("2026-05-04T00:00:00.000Z");
    expect(r.to.toISOString()).toBe("2026-05-11T00:00:00.000Z");
    expect(r.days).toBe(7);
    expect(resolveRange({}, now).days).toBe(30);
  });

  it("custom ranges include both days, swap nothing and clamp to a year", () => {
    const r = resolveRange({ range: "custom", from: "2026-04-01", to: "2026-04-03", environment: "prod" }, now);
    expect([r.from.toISOString(), r.to.toISOString(), r.days, r.environment]).toEqual([
      "2026-04-01T00:00:00.000Z",
      "2026-04-04T00:00:00.000Z",
      3,
      "prod",
    ]);
    expect(resolveRange({ range: "custom", from: "2026-04-05", to: "2026-04-03" }, now).days).toBe(1);
    expect(resolveRange({ range: "custom", from: "2020-01-01", to: "2026-04-03" }, now).days).toBe(366);
    expect(rangeParams(r)).toEqual({ range: "custom", from: "2026-04-01", to: "2026-04-03", environment: "prod" });
  });

  it("an unreadable query falls back to the default instead of failing the page", () => {
    const r = resolveRange({ range: "custom", from: "yesterday" }, now);
    expect(r.key).toBe("30");
    expect(resolveRange({ range: "12" }, now).days).toBe(30);
    expect(resolveRange({ environment: "" }, now).environment).toBeNull();
  });
});
