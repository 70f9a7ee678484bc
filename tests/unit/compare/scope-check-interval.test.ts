import { afterEach, describe, expect, it } from "vitest";
import { env, resetEnvCache } from "@/lib/env";

// WHARF_SCOPE_CHECK_INTERVAL: how often the scope sweeper re-checks each credential, or off.
const saved = process.env.WHARF_SCOPE_CHECK_INTERVAL;

function parsed(value: string | undefined): number | null {
  if (value === undefined) delete process.env.WHARF_SCOPE_CHECK_INTERVAL;
  else process.env.WHARF_SCOPE_CHECK_INTERVAL = value;
  resetEnvCache();
  return env().WHARF_SCOPE_CHECK_INTERVAL;
}

afterEach(() => {
  if (saved === undefined) delete process.env.WHARF_SCOPE_CHECK_INTERVAL;
  else process.env.WHARF_SCOPE_CHECK_INTERVAL = saved;
  resetEnvCache();
});

describe("WHARF_SCOPE_CHECK_INTERVAL", () => {
  it("defaults to a day and reads seconds or a unit", () => {
    expect(parsed(undefined)).toBe(86_400_000);
    expect(parsed("3600")).toBe(3_600_000);
    expect(parsed("90s")).toBe(90_000);
    expect(parsed("30m")).toBe(1_800_000);
    expect(parsed(" 12H ")).toBe(43_200_000);
    expect(parsed("7d")).toBe(7 * 86_400_000);
  });

  it("is off with off or 0", () => {
    expect(parsed("off")).toBeNull();
    expect(parsed("OFF")).toBeNull();
    expect(parsed("0")).toBeNull();
  });

  it("refuses anything else, naming the variable", () => {
    for (const bad of ["10s", "1.5h", "daily", "400d", "-1h"])
      expect(() => parsed(bad), bad).toThrow(/WHARF_SCOPE_CHECK_INTERVAL/);
  });
});
