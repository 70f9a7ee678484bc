import { describe, expect, it } from "vitest";
import {
  DAY_MS,
  DEFAULT_EXPIRY_WARN_DAYS,
  rotationStatus,
  rotationStatusInstants,
  statusAt,
} from "@/lib/credentials/status";

const rotated = new Date("2026-01-01T00:00:00.000Z");
const policy = { maxAgeDays: 90, warnBeforeDays: 14 };
const maxAgeAt = rotated.getTime() + 90 * DAY_MS;
const warnAt = maxAgeAt - 14 * DAY_MS;
const at = (ms: number) => new Date(ms);

describe("rotationStatus: max age", () => {
  it.each([
    ["just rotated", rotated.getTime(), "ok"],
    ["1 ms before the warn window", warnAt - 1, "ok"],
    ["exactly at the warn window", warnAt, "due-soon"],
    ["1 ms into the warn window", warnAt + 1, "due-soon"],
    ["1 ms before max age", maxAgeAt - 1, "due-soon"],
    ["exactly at max age", maxAgeAt, "overdue"],
    ["1 ms after max age", maxAgeAt + 1, "overdue"],
  ])("%s → %s", (_name, now, expected) => {
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt: null, now: at(now), policy }).status).toBe(expected);
  });

  it("reports the max-age deadline as the next rotation", () => {
    expect(
      rotationStatus({ lastRotatedAt: rotated, expiresAt: null, now: rotated, policy }).nextRotationDue?.getTime(),
    ).toBe(maxAgeAt);
  });

  it("with a zero-day warn window goes straight from ok to overdue", () => {
    const p = { maxAgeDays: 90, warnBeforeDays: 0 };
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt: null, now: at(maxAgeAt - 1), policy: p }).status).toBe(
      "ok",
    );
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt: null, now: at(maxAgeAt), policy: p }).status).toBe(
      "overdue",
    );
  });
});

describe("rotationStatus: own expiry", () => {
  const expiresAt = new Date(rotated.getTime() + 30 * DAY_MS);
  const exp = expiresAt.getTime();
  it.each([
    ["1 ms before the warn window", exp - 14 * DAY_MS - 1, "ok"],
    ["exactly at the warn window", exp - 14 * DAY_MS, "due-soon"],
    ["1 ms before expiry", exp - 1, "due-soon"],
    ["exactly at expiry", exp, "expired"],
    ["1 ms after expiry", exp + 1, "expired"],
  ])("%s → %s", (_name, now, expected) => {
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt, now: at(now), policy }).status).toBe(expected);
  });

  it("next rotation is the earlier of expiry and max age", () => {
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt, now: rotated, policy }).nextRotationDue?.getTime()).toBe(
      exp,
    );
    const late = new Date(maxAgeAt + DAY_MS);
    expect(
      rotationStatus({ lastRotatedAt: rotated, expiresAt: late, now: rotated, policy }).nextRotationDue?.getTime(),
    ).toBe(maxAgeAt);
  });

  it("without a policy warns DEFAULT_EXPIRY_WARN_DAYS before expiry and has no age limit", () => {
    const warn = exp - DEFAULT_EXPIRY_WARN_DAYS * DAY_MS;
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt, now: at(warn - 1), policy: null }).status).toBe("ok");
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt, now: at(warn), policy: null }).status).toBe("due-soon");
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt, now: at(exp), policy: null }).status).toBe("expired");
    expect(
      rotationStatus({
        lastRotatedAt: rotated,
        expiresAt: null,
        now: at(rotated.getTime() + 3650 * DAY_MS),
        policy: null,
      }),
    ).toEqual({ status: "ok", nextRotationDue: null });
  });
});

describe("rotationStatus: precedence", () => {
  it("expired beats overdue", () => {
    const expiresAt = at(maxAgeAt - DAY_MS);
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt, now: at(maxAgeAt), policy }).status).toBe("expired");
  });
  it("overdue beats due-soon on expiry", () => {
    const expiresAt = at(maxAgeAt + DAY_MS);
    expect(rotationStatus({ lastRotatedAt: rotated, expiresAt, now: at(maxAgeAt), policy }).status).toBe("overdue");
  });
  it("due-soon on expiry alone, while max age is far", () => {
    const expiresAt = at(rotated.getTime() + 5 * DAY_MS);
    expect(
      rotationStatus({ lastRotatedAt: rotated, expiresAt, now: at(rotated.getTime() + DAY_MS), policy }).status,
    ).toBe("due-soon");
  });
});

describe("rotationStatus: a stored rotation failure", () => {
  const failed = 'serviceaccounts "wharf" is forbidden';
  it("beats ok and due-soon", () => {
    expect(
      rotationStatus({ lastRotatedAt: rotated, expiresAt: null, now: rotated, policy, rotationError: failed }).status,
    ).toBe("rotation-failed");
    expect(
      rotationStatus({ lastRotatedAt: rotated, expiresAt: null, now: at(warnAt), policy, rotationError: failed })
        .status,
    ).toBe("rotation-failed");
  });
  it("loses to overdue and expired", () => {
    expect(
      rotationStatus({ lastRotatedAt: rotated, expiresAt: null, now: at(maxAgeAt), policy, rotationError: failed })
        .status,
    ).toBe("overdue");
    const expiresAt = at(rotated.getTime() + DAY_MS);
    expect(
      rotationStatus({ lastRotatedAt: rotated, expiresAt, now: expiresAt, policy, rotationError: failed }).status,
    ).toBe("expired");
  });
  it("no error (null or empty) computes as before", () => {
    expect(
      rotationStatus({ lastRotatedAt: rotated, expiresAt: null, now: rotated, policy, rotationError: null }).status,
    ).toBe("ok");
    expect(
      rotationStatus({ lastRotatedAt: rotated, expiresAt: null, now: rotated, policy, rotationError: "" }).status,
    ).toBe("ok");
  });
});

describe("rotationStatusInstants: the boundaries stored on the row", () => {
  it("with a policy: overdue at max age, due soon a warning window before the earlier deadline", () => {
    expect(rotationStatusInstants({ lastRotatedAt: rotated, expiresAt: null, policy })).toEqual({
      expiresAt: null,
      overdueAt: at(maxAgeAt),
      dueSoonAt: at(warnAt),
      nextRotationDue: at(maxAgeAt),
    });
    const expiresAt = at(rotated.getTime() + 30 * DAY_MS);
    expect(rotationStatusInstants({ lastRotatedAt: rotated, expiresAt, policy })).toEqual({
      expiresAt,
      overdueAt: at(maxAgeAt),
      dueSoonAt: at(expiresAt.getTime() - 14 * DAY_MS),
      nextRotationDue: expiresAt,
    });
  });

  it("without a policy: never overdue; due soon DEFAULT_EXPIRY_WARN_DAYS before its own expiry, if any", () => {
    expect(rotationStatusInstants({ lastRotatedAt: rotated, expiresAt: null, policy: null })).toEqual({
      expiresAt: null,
      overdueAt: null,
      dueSoonAt: null,
      nextRotationDue: null,
    });
    const expiresAt = at(rotated.getTime() + 30 * DAY_MS);
    expect(rotationStatusInstants({ lastRotatedAt: rotated, expiresAt, policy: null }).dueSoonAt).toEqual(
      at(expiresAt.getTime() - DEFAULT_EXPIRY_WARN_DAYS * DAY_MS),
    );
  });

  it("statusAt reads each boundary as reached at its own instant, with the rule's precedence", () => {
    const i = rotationStatusInstants({ lastRotatedAt: rotated, expiresAt: at(maxAgeAt + DAY_MS), policy });
    expect(statusAt(i, false, at(warnAt - 1))).toBe("ok");
    expect(statusAt(i, false, at(warnAt))).toBe("due-soon");
    expect(statusAt(i, true, at(warnAt))).toBe("rotation-failed");
    expect(statusAt(i, true, at(maxAgeAt))).toBe("overdue");
    expect(statusAt(i, true, at(maxAgeAt + DAY_MS))).toBe("expired");
  });
});
