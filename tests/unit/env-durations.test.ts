import { afterEach, describe, expect, it, vi } from "vitest";
import { DEPRECATED_DURATIONS, env, formatDuration, parseDuration, resetEnvCache } from "@/lib/env";

// Every duration variable reads one style (30s, 5m, 24h, off); the names they had before still work, once warned.
const NAMES = [
  ...DEPRECATED_DURATIONS.flatMap((d) => [d.old, d.name]),
  "WHARF_SCOPE_CHECK_INTERVAL",
  "WHARF_AUDIT_CHECKPOINT_INTERVAL",
];
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));

function withEnv(values: Record<string, string>) {
  for (const n of NAMES) delete process.env[n];
  Object.assign(process.env, values);
  resetEnvCache();
  return env();
}

afterEach(() => {
  for (const n of NAMES) {
    if (saved[n] === undefined) delete process.env[n];
    else process.env[n] = saved[n];
  }
  resetEnvCache();
  vi.restoreAllMocks();
});

describe("parseDuration", () => {
  it("reads a whole number and a unit, ignoring case and spaces", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration(" 24H ")).toBe(86_400_000);
    expect(parseDuration("7d")).toBe(7 * 86_400_000);
    expect(parseDuration("30 m")).toBe(1_800_000);
  });

  it("reads off as null", () => {
    expect(parseDuration("off")).toBeNull();
    expect(parseDuration("OFF")).toBeNull();
  });

  it("reads a bare number only where a unit for it is given", () => {
    expect(parseDuration("90")).toBeUndefined();
    expect(parseDuration("90", { bareUnit: "s" })).toBe(90_000);
    expect(parseDuration("2000", { bareUnit: "ms" })).toBe(2000);
  });

  it("refuses anything else", () => {
    for (const bad of ["", "1.5h", "-1h", "daily", "5 minutes", "1w", "h"])
      expect(parseDuration(bad), bad).toBeUndefined();
  });

  it("formats with the largest unit that divides the value", () => {
    expect(formatDuration(100)).toBe("100ms");
    expect(formatDuration(90_000)).toBe("90s");
    expect(formatDuration(3_600_000)).toBe("1h");
    expect(formatDuration(366 * 86_400_000)).toBe("366d");
  });
});

describe("duration variables", () => {
  it("default to what the old ones did, in milliseconds", () => {
    const e = withEnv({});
    expect(e.WHARF_SESSION_TTL).toBe(12 * 3_600_000);
    expect(e.WHARF_EXECUTOR_LEASE).toBe(30_000);
    expect(e.WHARF_EXECUTOR_POLL_INTERVAL).toBe(2000);
    expect(e.WHARF_ROLLOUT_TIMEOUT).toBe(300_000);
    expect(e.WHARF_ROTATION_INTERVAL).toBe(60_000);
    expect(e.WHARF_NOTIFICATIONS_INTERVAL).toBe(5000);
    expect(e.WHARF_SCOPE_CHECK_INTERVAL).toBe(86_400_000);
    expect(e.WHARF_AUDIT_CHECKPOINT_INTERVAL).toBe(300_000);
  });

  it("read off as null where a loop can be switched off", () => {
    expect(withEnv({ WHARF_AUDIT_CHECKPOINT_INTERVAL: "off" }).WHARF_AUDIT_CHECKPOINT_INTERVAL).toBeNull();
    expect(withEnv({ WHARF_AUDIT_CHECKPOINT_INTERVAL: "30s" }).WHARF_AUDIT_CHECKPOINT_INTERVAL).toBe(30_000);
    expect(() => withEnv({ WHARF_AUDIT_CHECKPOINT_INTERVAL: "1s" })).toThrow(
      /WHARF_AUDIT_CHECKPOINT_INTERVAL: must be off or a duration from 10s to 7d/,
    );
  });

  it("read the new names in any unit", () => {
    const e = withEnv({ WHARF_EXECUTOR_LEASE: "1m", WHARF_EXECUTOR_POLL_INTERVAL: "250ms", WHARF_SESSION_TTL: "90m" });
    expect(e.WHARF_EXECUTOR_LEASE).toBe(60_000);
    expect(e.WHARF_EXECUTOR_POLL_INTERVAL).toBe(250);
    expect(e.WHARF_SESSION_TTL).toBe(5_400_000);
  });

  it("refuse values outside their range, off where it cannot be off, and bare numbers, naming the variable", () => {
    for (const [name, bad] of [
      ["WHARF_EXECUTOR_LEASE", "2s"],
      ["WHARF_EXECUTOR_POLL_INTERVAL", "2m"],
      ["WHARF_ROLLOUT_TIMEOUT", "off"],
      ["WHARF_SESSION_TTL", "12"],
      ["WHARF_NOTIFICATIONS_INTERVAL", "5 minutes"],
    ] as const)
      expect(() => withEnv({ [name]: bad }), `${name}=${bad}`).toThrow(new RegExp(`${name}: must be a duration`));
  });

  it("still read the old names in their old unit, with one deprecation line naming the new one", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const e = withEnv({
      WHARF_EXECUTOR_POLL_MS: "100",
      WHARF_EXECUTOR_LEASE_SECONDS: "10",
      WHARF_ROLLOUT_TIMEOUT_SECONDS: "30",
      WHARF_ROTATION_INTERVAL_SECONDS: "5",
      WHARF_NOTIFICATIONS_POLL_SECONDS: "2",
      WHARF_SESSION_TTL_HOURS: "24",
    });
    expect(e.WHARF_EXECUTOR_POLL_INTERVAL).toBe(100);
    expect(e.WHARF_EXECUTOR_LEASE).toBe(10_000);
    expect(e.WHARF_ROLLOUT_TIMEOUT).toBe(30_000);
    expect(e.WHARF_ROTATION_INTERVAL).toBe(5000);
    expect(e.WHARF_NOTIFICATIONS_INTERVAL).toBe(2000);
    expect(e.WHARF_SESSION_TTL).toBe(86_400_000);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(
      expect.arrayContaining([
        "[wharf] WHARF_EXECUTOR_POLL_MS is deprecated: set WHARF_EXECUTOR_POLL_INTERVAL=100ms instead (durations read 30s, 5m, 24h).",
        "[wharf] WHARF_SESSION_TTL_HOURS is deprecated: set WHARF_SESSION_TTL=24h instead (durations read 30s, 5m, 24h).",
      ]),
    );
    expect(warn).toHaveBeenCalledTimes(6);
    // Once per process, however often the environment is read again.
    withEnv({ WHARF_EXECUTOR_POLL_MS: "100" });
    expect(warn).toHaveBeenCalledTimes(6);
  });

  it("prefer the new name when both are set, and check an old value against the new range", () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(withEnv({ WHARF_ROLLOUT_TIMEOUT: "10m", WHARF_ROLLOUT_TIMEOUT_SECONDS: "30" }).WHARF_ROLLOUT_TIMEOUT).toBe(
      600_000,
    );
    expect(() => withEnv({ WHARF_EXECUTOR_LEASE_SECONDS: "1" })).toThrow(
      /WHARF_EXECUTOR_LEASE \(set as WHARF_EXECUTOR_LEASE_SECONDS\): must be a duration from 3s to 1h/,
    );
  });
});
