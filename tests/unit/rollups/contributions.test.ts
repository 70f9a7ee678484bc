import { describe, expect, it } from "vitest";
import { bucketOf } from "@/lib/rollups/buckets";
import {
  approvalDelta,
  deploymentFinishDelta,
  histogramIncrements,
  isEmptyDelta,
  pushDriftDelta,
  syncDelta,
  utcDay,
} from "@/lib/rollups/contributions";

const t = (iso: string) => new Date(iso);

describe("what one outcome adds to the rollups", () => {
  it("a day is the UTC day of the instant", () => {
    expect(utcDay(t("2026-03-04T23:59:59.999Z")).toISOString()).toBe("2026-03-04T00:00:00.000Z");
    expect(utcDay(t("2026-03-05T00:30:00+02:00")).toISOString()).toBe("2026-03-04T00:00:00.000Z");
  });

  it("a push success: lead time from the commit when known, else from the request; restore when it ends an outage", () => {
    const git = deploymentFinishDelta({
      state: "succeeded",
      finishedAt: t("2026-01-02T10:00:00Z"),
      createdAt: t("2026-01-02T09:50:00Z"),
      commitAt: t("2026-01-02T09:00:00Z"),
      restoreFrom: t("2026-01-02T08:00:00Z"),
    });
    expect(git).toMatchObject({
      deployments: 1,
      succeeded: 1,
      failures: 0,
      leadTimeMs: 3_600_000,
      restoreMs: 2 * 3_600_000,
    });
    expect(git.day.toISOString()).toBe("2026-01-02T00:00:00.000Z");
    const manifests = deploymentFinishDelta({
      state: "succeeded",
      finishedAt: t("2026-01-02T10:00:00Z"),
      createdAt: t("2026-01-02T09:50:00Z"),
      commitAt: null,
      restoreFrom: null,
    });
    expect(manifests).toMatchObject({ leadTimeMs: 600_000, restoreMs: null });
  });

  it("a push failure counts, with no lead time and no restore", () => {
    expect(
      deploymentFinishDelta({
        state: "failed",
        finishedAt: t("2026-01-02T10:00:00Z"),
        createdAt: t("2026-01-02T09:00:00Z"),
        commitAt: null,
        restoreFrom: t("2026-01-01T00:00:00Z"),
      }),
    ).toMatchObject({
      deployments: 1,
      failures: 1,
      succeeded: 0,
      leadTimeMs: null,
      restoreMs: null,
    });
  });

  it("clock skew never makes a negative duration", () => {
    expect(
      deploymentFinishDelta({
        state: "succeeded",
        finishedAt: t("2026-01-02T10:00:00Z"),
        createdAt: t("2026-01-02T09:00:00Z"),
        commitAt: t("2026-01-02T11:00:00Z"),
        restoreFrom: null,
      }).leadTimeMs,
    ).toBe(0);
  });

  it("approval wait is counted on the day of the approval", () => {
    const d = approvalDelta({ createdAt: t("2026-01-01T23:00:00Z"), approvedAt: t("2026-01-02T01:00:00Z") });
    expect(d.day.toISOString()).toBe("2026-01-02T00:00:00.000Z");
    expect(d).toMatchObject({ approvalWaitMs: 2 * 3_600_000, deployments: 0 });
    expect(histogramIncrements(d)).toEqual([{ metric: "approval-wait", bucket: bucketOf(2 * 3_600_000) }]);
  });

  it("pull: synced and failed are deliveries, drift is drift, pending approval is nothing", () => {
    const at = t("2026-01-02T10:00:00Z");
    expect(
      syncDelta({ result: "synced", occurredAt: at, committedAt: t("2026-01-02T09:30:00Z"), restoreFrom: null }),
    ).toMatchObject({ deployments: 1, succeeded: 1, leadTimeMs: 1_800_000 });
    expect(syncDelta({ result: "synced", occurredAt: at, committedAt: null, restoreFrom: null })).toMatchObject({
      deployments: 1,
      leadTimeMs: null,
    });
    expect(
      syncDelta({ result: "failed", occurredAt: at, committedAt: null, restoreFrom: t("2026-01-01T00:00:00Z") }),
    ).toMatchObject({ deployments: 1, failures: 1, restoreMs: null });
    expect(syncDelta({ result: "drift-detected", occurredAt: at, committedAt: null, restoreFrom: null })).toMatchObject(
      { deployments: 0, driftDetected: 1 },
    );
    expect(
      syncDelta({
        result: "drift-corrected",
        occurredAt: at,
        committedAt: null,
        restoreFrom: t("2026-01-02T09:00:00Z"),
      }),
    ).toMatchObject({ deployments: 0, driftDetected: 1, driftCorrected: 1, restoreMs: 3_600_000 });
    expect(syncDelta({ result: "pending-approval", occurredAt: at, committedAt: null, restoreFrom: null })).toBeNull();
  });

  it("push drift counts exactly as a pull drift-detected event: one detected, nothing corrected, no delivery", () => {
    const at = t("2026-01-02T23:59:00Z");
    expect(pushDriftDelta({ occurredAt: at })).toEqual(
      syncDelta({ result: "drift-detected", occurredAt: at, committedAt: null, restoreFrom: null }),
    );
    expect(pushDriftDelta({ occurredAt: at })).toMatchObject({
      day: t("2026-01-02T00:00:00Z"),
      deployments: 0,
      driftDetected: 1,
      driftCorrected: 0,
      restoreMs: null,
    });
  });

  it("histogram increments follow the measured durations; an empty delta writes nothing", () => {
    const d = deploymentFinishDelta({
      state: "succeeded",
      finishedAt: t("2026-01-02T10:00:00Z"),
      createdAt: t("2026-01-02T09:50:00Z"),
      commitAt: null,
      restoreFrom: t("2026-01-02T09:00:00Z"),
    });
    expect(histogramIncrements(d)).toEqual([
      { metric: "lead-time", bucket: bucketOf(600_000) },
      { metric: "restore", bucket: bucketOf(3_600_000) },
    ]);
    expect(isEmptyDelta(d)).toBe(false);
    expect(isEmptyDelta({ ...d, deployments: 0, succeeded: 0, leadTimeMs: null, restoreMs: null })).toBe(true);
  });
});
