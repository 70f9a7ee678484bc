import { describe, expect, it } from "vitest";
import { DAY_MS } from "@/lib/credentials/status";
import {
  MAX_TOKEN_SECONDS,
  MIN_TOKEN_SECONDS,
  RETRY_BASE_MS,
  RETRY_CAP_MS,
  requestedLifetimeSeconds,
  rotationRetryDelayMs,
  serviceAccountOf,
} from "@/lib/rotation/schedule";
import { nextRotation, rotationDueReason } from "@/lib/credentials/rotation-due";

const HOUR = 3_600_000;
const t0 = new Date("2026-03-01T00:00:00.000Z").getTime();
const at = (ms: number) => new Date(ms);

describe("nextRotation", () => {
  const token = { issuedAt: at(t0), expiresAt: at(t0 + 10 * DAY_MS), lastRotatedAt: at(t0) };

  it("automatic: 80 % of the lifetime when it comes before max age", () => {
    expect(nextRotation({ ...token, maxAgeDays: 30, autoRotate: true })).toEqual({
      at: at(t0 + 8 * DAY_MS),
      reason: "lifetime",
    });
  });
  it("automatic: max age when it comes before 80 % of the lifetime", () => {
    expect(nextRotation({ ...token, maxAgeDays: 5, autoRotate: true })).toEqual({
      at: at(t0 + 5 * DAY_MS),
      reason: "max-age",
    });
  });
  it("automatic: a tie names the policy's max age", () => {
    expect(nextRotation({ ...token, maxAgeDays: 8, autoRotate: true })).toEqual({
      at: at(t0 + 8 * DAY_MS),
      reason: "max-age",
    });
  });
  it("manual rotation only knows the policy's max age", () => {
    expect(nextRotation({ ...token, maxAgeDays: 30, autoRotate: false })).toEqual({
      at: at(t0 + 30 * DAY_MS),
      reason: "max-age",
    });
    expect(nextRotation({ ...token, maxAgeDays: null, autoRotate: false })).toBeNull();
  });
  it("lifetime counts from the token's iat, or from when it was stored when there is none", () => {
    expect(
      nextRotation({
        issuedAt: null,
        lastRotatedAt: at(t0 + DAY_MS),
        expiresAt: at(t0 + 11 * DAY_MS),
        maxAgeDays: 30,
        autoRotate: true,
      })?.at,
    ).toEqual(at(t0 + 9 * DAY_MS));
  });
  it("automatic without an expiry falls back to max age", () => {
    expect(
      nextRotation({ issuedAt: at(t0), lastRotatedAt: at(t0), expiresAt: null, maxAgeDays: 3, autoRotate: true }),
    ).toEqual({ at: at(t0 + 3 * DAY_MS), reason: "max-age" });
  });
});

describe("rotationDueReason: boundaries", () => {
  const base = {
    issuedAt: at(t0),
    lastRotatedAt: at(t0),
    expiresAt: at(t0 + 24 * HOUR),
    autoRotate: true,
    nextAttemptAt: null,
  };
  const lifetimeAt = t0 + Math.floor(24 * HOUR * 0.8);

  it.each([
    ["1 ms before 80 % of the lifetime", lifetimeAt - 1, null],
    ["exactly at 80 % of the lifetime", lifetimeAt, "lifetime"],
    ["after 80 % of the lifetime", lifetimeAt + HOUR, "lifetime"],
  ])("24 h token, max age 30 d: %s → %s", (_n, now, expected) => {
    expect(rotationDueReason({ ...base, maxAgeDays: 30, now: at(now) })).toBe(expected);
  });

  it.each([
    ["1 ms before max age", t0 + 12 * HOUR - 1, null],
    ["exactly at max age", t0 + 12 * HOUR, "max-age"],
  ])("max age reached first (last rotated 12 h before the 1-day limit): %s → %s", (_n, now, expected) => {
    const lastRotatedAt = at(t0 - 12 * HOUR);
    expect(rotationDueReason({ ...base, lastRotatedAt, maxAgeDays: 1, now: at(now) })).toBe(expected);
  });

  it("waits for the backoff after a failure, then is due again", () => {
    const nextAttemptAt = at(lifetimeAt + HOUR);
    expect(rotationDueReason({ ...base, maxAgeDays: 30, nextAttemptAt, now: at(lifetimeAt + HOUR - 1) })).toBeNull();
    expect(rotationDueReason({ ...base, maxAgeDays: 30, nextAttemptAt, now: at(lifetimeAt + HOUR) })).toBe("lifetime");
  });

  it("never for credentials that are not rotated automatically", () => {
    expect(rotationDueReason({ ...base, autoRotate: false, maxAgeDays: 1, now: at(t0 + 100 * DAY_MS) })).toBeNull();
  });
});

describe("requestedLifetimeSeconds", () => {
  it("keeps the old token's lifetime", () => {
    expect(requestedLifetimeSeconds({ issuedAt: at(t0), expiresAt: at(t0 + 2 * HOUR), maxAgeDays: 30 })).toBe(7200);
  });
  it("is bounded to 600 s … 1 year", () => {
    expect(requestedLifetimeSeconds({ issuedAt: at(t0), expiresAt: at(t0 + 60_000), maxAgeDays: null })).toBe(
      MIN_TOKEN_SECONDS,
    );
    expect(requestedLifetimeSeconds({ issuedAt: at(t0), expiresAt: at(t0 + 5 * 365 * DAY_MS), maxAgeDays: null })).toBe(
      MAX_TOKEN_SECONDS,
    );
  });
  it("without a known lifetime uses the policy's max age, else one hour", () => {
    expect(requestedLifetimeSeconds({ issuedAt: null, expiresAt: null, maxAgeDays: 2 })).toBe(2 * 86_400);
    expect(requestedLifetimeSeconds({ issuedAt: null, expiresAt: null, maxAgeDays: null })).toBe(3600);
  });
});

describe("rotationRetryDelayMs", () => {
  it("starts at a minute, doubles, and is capped at six hours", () => {
    expect(rotationRetryDelayMs(1, () => 0)).toBe(RETRY_BASE_MS);
    expect(rotationRetryDelayMs(1, () => 1)).toBe(RETRY_BASE_MS);
    expect(rotationRetryDelayMs(3, () => 1)).toBe(4 * RETRY_BASE_MS);
    expect(rotationRetryDelayMs(3, () => 0)).toBe(2 * RETRY_BASE_MS);
    expect(rotationRetryDelayMs(50, () => 1)).toBe(RETRY_CAP_MS);
    expect(rotationRetryDelayMs(50, () => 0)).toBe(RETRY_CAP_MS / 2);
  });
  it("jitters within the upper half of the ceiling", () => {
    const delays = new Set(Array.from({ length: 20 }, () => rotationRetryDelayMs(5)));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(8 * RETRY_BASE_MS);
      expect(d).toBeLessThanOrEqual(16 * RETRY_BASE_MS);
    }
    expect(delays.size).toBeGreaterThan(1);
  });
});

describe("serviceAccountOf", () => {
  it("reads namespace and name from a service account subject", () => {
    expect(serviceAccountOf("system:serviceaccount:kube-system:wharf-deployer")).toEqual({
      namespace: "kube-system",
      name: "wharf-deployer",
    });
  });
  it.each([null, "alice", "system:serviceaccount:ns", "system:serviceaccount:NS:x", "system:serviceaccount:ns:a:b"])(
    "%s → null",
    (s) => {
      expect(serviceAccountOf(s)).toBeNull();
    },
  );
});
