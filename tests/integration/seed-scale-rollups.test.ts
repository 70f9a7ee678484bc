import { beforeAll, describe, expect, it } from "vitest";
import { seedScale } from "@/lib/cli/seed-scale";
import { getDeliveryComparison } from "@/lib/compare/data/get-comparison";
import { rebuildRollups } from "@/lib/rollups/data/rebuild-rollups";
import { recordDeliveryOutcome } from "@/lib/rollups/data/record-delivery-outcome";
import { resolveRange } from "@/lib/compare/range";
import { db } from "@/lib/db";
import { expectFleetOfTargets } from "../support/fleet-rollups";
import { useTestDatabase } from "../support/test-db";

// `seed:scale` fills the database with what the live system would have written: besides the rows, the comparison's
// rollups and the row marks behind its figures (recovery marks, commit times). Checked against the live path itself:
// replaying every seeded outcome through recordDeliveryOutcome, in time order, gives the same rollups and marks; the
// fleet rows are the GROUP BY of the per-target rows each time.
useTestDatabase();

const DAY = 86_400_000;

async function snapshot() {
  const rollups = await db().deliveryRollup.findMany({ orderBy: [{ day: "asc" }, { targetId: "asc" }] });
  const histogram = await db().deliveryHistogram.findMany({
    orderBy: [{ day: "asc" }, { targetId: "asc" }, { metric: "asc" }, { bucket: "asc" }],
  });
  const deployments = await db().deployment.findMany({
    where: { outageStartedAt: { not: null } },
    orderBy: { id: "asc" },
    select: { id: true, outageStartedAt: true },
  });
  const events = await db().syncEvent.findMany({
    where: { outageStartedAt: { not: null } },
    orderBy: { id: "asc" },
    select: { id: true, outageStartedAt: true },
  });
  return {
    rollups: rollups.map(({ id: _id, updatedAt: _u, ...r }) => r),
    histogram: histogram.map(({ id: _id, ...h }) => h),
    fleet: await expectFleetOfTargets(db()),
    deployments,
    events,
  };
}

let seeded: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  await seedScale(db(), { targets: 24, events: 2500, deployments: 300, extraAudit: 10, log: () => {} });
  seeded = await snapshot();
}, 120_000);

describe("seed:scale writes the comparison's rollups and row marks", () => {
  it("the comparison shows every delivery figure for both modes, each equal to its rows", async () => {
    const range = resolveRange({ range: "90" });
    const { push, pull } = await getDeliveryComparison({ range });
    const inRange = { gte: range.from, lt: range.to };
    for (const [mode, d] of [
      ["push", push],
      ["pull", pull],
    ] as const) {
      expect(d.deployments, mode).toBeGreaterThan(0);
      expect(d.failures, mode).toBeGreaterThan(0);
      expect(d.leadTime.count, mode).toBeGreaterThan(0);
      expect(d.restore.count, mode).toBeGreaterThan(0);
    }
    expect(push.approvalWait.count).toBeGreaterThan(0);
    expect(pull.driftDetected).toBeGreaterThan(0);
    expect(pull.driftCorrected).toBeGreaterThan(0);

    expect(push.deployments).toBe(
      await db().deployment.count({ where: { state: { in: ["succeeded", "failed"] }, finishedAt: inRange } }),
    );
    expect(push.restore.count).toBe(
      await db().deployment.count({ where: { outageStartedAt: { not: null }, finishedAt: inRange } }),
    );
    expect(pull.deployments).toBe(
      await db().syncEvent.count({ where: { result: { in: ["synced", "failed"] }, occurredAt: inRange } }),
    );
    // Every seeded event carries its revision's commit time, as the agent reports it.
    expect(pull.leadTime.count).toBe(await db().syncEvent.count({ where: { result: "synced", occurredAt: inRange } }));
    expect(await db().syncEvent.count({ where: { committedAt: null } })).toBe(0);
    expect(pull.restore.count).toBe(
      await db().syncEvent.count({ where: { outageStartedAt: { not: null }, occurredAt: inRange } }),
    );

    // Fleet rows sum several targets each; an environment's figures read its own, a target's page its target's rows.
    expect(seeded.fleet.rollups.length).toBeLessThan(seeded.rollups.length);
    const prod = await getDeliveryComparison({ range: resolveRange({ range: "90", environment: "prod" }) });
    expect(prod.push.deployments).toBe(
      await db().deployment.count({
        where: { state: { in: ["succeeded", "failed"] }, finishedAt: inRange, target: { environment: "prod" } },
      }),
    );
    expect(prod.pull.deployments).toBe(
      await db().syncEvent.count({
        where: { result: { in: ["synced", "failed"] }, occurredAt: inRange, environment: "prod" },
      }),
    );
    const { targetId } = await db().deployment.findFirstOrThrow({
      where: { state: "failed", finishedAt: inRange },
      select: { targetId: true },
    });
    const one = await getDeliveryComparison({ range, targetId });
    expect(one.push.deployments).toBe(
      await db().deployment.count({ where: { state: { in: ["succeeded", "failed"] }, finishedAt: inRange, targetId } }),
    );
    expect(one.push.failures).toBeGreaterThan(0);
  });

  it("equal what the live path writes for the same outcomes, and a rebuild", async () => {
    await db().deliveryRollup.deleteMany({});
    await db().deliveryHistogram.deleteMany({});
    await db().fleetDeliveryRollup.deleteMany({});
    await db().fleetDeliveryHistogram.deleteMany({});
    await db().deployment.updateMany({ data: { outageStartedAt: null } });
    await db().syncEvent.updateMany({ data: { outageStartedAt: null } });
    const empty = await snapshot();
    expect(empty.rollups).toEqual([]);
    expect(empty.fleet).toEqual({ rollups: [], histogram: [] });

    // The outcomes in the order they happened: approvals, finished deployments and sync events.
    const deployments = await db().deployment.findMany({
      select: { id: true, state: true, approvedAt: true, finishedAt: true },
    });
    const events = await db().syncEvent.findMany({
      select: { id: true, targetId: true, repoId: true, occurredAt: true, result: true, committedAt: true },
    });
    const outcomes = [
      ...deployments.flatMap((d) =>
        d.approvedAt
          ? [{ at: d.approvedAt, run: () => ({ kind: "deployment" as const, deploymentId: d.id, state: "approved" }) }]
          : [],
      ),
      ...deployments.flatMap((d) =>
        d.finishedAt && (d.state === "succeeded" || d.state === "failed")
          ? [{ at: d.finishedAt, run: () => ({ kind: "deployment" as const, deploymentId: d.id, state: d.state }) }]
          : [],
      ),
      ...events.map((e) => ({
        at: e.occurredAt,
        run: () => ({
          kind: "sync" as const,
          eventId: e.id,
          targetId: e.targetId,
          repoId: e.repoId,
          occurredAt: e.occurredAt,
          result: e.result,
          committedAt: e.committedAt,
        }),
      })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const o of outcomes) await db().$transaction((tx) => recordDeliveryOutcome(tx, o.run()));
    expect(await snapshot()).toEqual(seeded);

    const now = Date.now();
    const rebuilt = await rebuildRollups({ from: new Date(now - 92 * DAY), to: new Date(now + DAY) });
    expect(rebuilt.marks).toBe(0);
    expect(rebuilt.committedAt).toBe(0);
    expect(await snapshot()).toEqual(seeded);
  }, 180_000);
});
