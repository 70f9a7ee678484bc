import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import type { Actor } from "@/lib/audit/schemas";
import { utcDay } from "@/lib/rollups/contributions";
import { rebuildRollups } from "@/lib/rollups/data/rebuild-rollups";
import { recordDeliveryOutcome } from "@/lib/rollups/data/record-delivery-outcome";
import { deliveryHistorySpan, rebuildDeliveryRollups } from "@/lib/rollups/rebuild-delivery-rollups";
import { db } from "@/lib/db";
import { createDb, type Db } from "@/lib/db/client";
import { listMigrations } from "@/lib/db/migrate";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import { callRoute, createCaller, type Caller } from "../support/api";
import { expectFleetOfTargets } from "../support/fleet-rollups";
import { createEnrolledAgent, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { createScratchDatabase, useTestDatabase } from "../support/test-db";

// The rebuild (lib/rollups/rebuild-delivery-rollups.ts) against the incremental path, where the two could part: a window that
// starts inside a run of failures (the line's state before the window comes from the database, for many lines per
// statement), slices of days that cut through runs (the state carries over), damaged marks and sums, and an upgrade
// from before SyncEvent.committedAt and the recovery marks existed (the rebuild runs at migrate time). The fleet rows
// (per day, mode and environment) are the GROUP BY of the per-target rows after each path, concurrent writers
// included, and after the upgrade that added them.
const t = useTestDatabase();

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** The fixture's first day: twenty whole days ago. */
const B = utcDay(new Date(Date.now() - 20 * DAY)).getTime();
const at = (ms: number) => new Date(B + ms);

let admin: Caller;
let actor: Actor;
let agent: AgentCaller;
let pushTarget = "";
let pullTarget = "";
let repoId = "";
const ids: Record<string, string> = {};

async function deployment(
  name: string,
  opts: { createdAt: Date; approvedAt?: Date; finishedAt: Date; to: "succeeded" | "failed" },
): Promise<void> {
  const d = await db().deployment.create({
    data: {
      targetId: pushTarget,
      state: "pending-approval",
      sourceKind: "git",
      manifests: "",
      manifestsDigest: randomBytes(8).toString("hex"),
      objectCount: 0,
      commitAt: new Date(opts.createdAt.getTime() - 15 * MIN),
      commitSha: fakeSha(),
      requestedById: admin.userId,
      requestedByKind: "user",
      requestedByName: admin.email,
      createdAt: opts.createdAt,
    },
  });
  ids[name] = d.id;
  await db().$transaction(async (tx) => {
    if (opts.approvedAt) {
      await tx.deploymentApproval.create({
        data: {
          deploymentId: d.id,
          approverId: admin.userId,
          approverEmail: admin.email,
          approverName: "A",
          approverKind: "user",
          decision: "approved",
          manifestsDigest: d.manifestsDigest,
          createdAt: opts.approvedAt,
        },
      });
    }
    const approvedAt = opts.approvedAt ?? opts.createdAt;
    expect(await transitionDeployment(tx, { deploymentId: d.id, to: "approved", actor, data: { approvedAt } })).toBe(
      true,
    );
    expect(
      await transitionDeployment(tx, { deploymentId: d.id, to: "queued", actor, data: { queuedAt: approvedAt } }),
    ).toBe(true);
    expect(
      await transitionDeployment(tx, { deploymentId: d.id, to: "running", actor, data: { startedAt: approvedAt } }),
    ).toBe(true);
    expect(
      await transitionDeployment(tx, { deploymentId: d.id, to: opts.to, actor, data: { finishedAt: opts.finishedAt } }),
    ).toBe(true);
  });
}

function pullEvent(result: "synced" | "failed" | "drift-detected" | "drift-corrected", occurredAt: Date) {
  const kind = result.startsWith("drift") ? "drift" : "sync";
  return syncEvent({
    targetId: pullTarget,
    repoId,
    kind,
    trigger: kind === "drift" ? "drift" : "poll",
    result,
    occurredAt: occurredAt.toISOString(),
    ...(result === "synced"
      ? { revision: { sha: fakeSha(), committedAt: new Date(occurredAt.getTime() - 25 * MIN).toISOString() } }
      : {}),
  });
}

/**
 * Everything a rebuild writes: the sums, the histogram, the recovery marks and the commit times; and the fleet rows,
 * checked to be the GROUP BY of the per-target rows.
 */
async function snapshot() {
  const rollups = await db().deliveryRollup.findMany({ orderBy: [{ day: "asc" }, { targetId: "asc" }] });
  const histogram = await db().deliveryHistogram.findMany({
    orderBy: [{ day: "asc" }, { targetId: "asc" }, { metric: "asc" }, { bucket: "asc" }],
  });
  const deployments = await db().deployment.findMany({
    orderBy: { id: "asc" },
    select: { id: true, outageStartedAt: true },
  });
  const events = await db().syncEvent.findMany({
    orderBy: { id: "asc" },
    select: { id: true, result: true, outageStartedAt: true, committedAt: true },
  });
  return {
    rollups: rollups.map(({ id: _id, updatedAt: _u, ...r }) => r),
    histogram: histogram.map(({ id: _id, ...h }) => h),
    fleet: await expectFleetOfTargets(db()),
    deployments,
    events,
  };
}

let incremental: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  admin = await createCaller("admin");
  actor = { kind: "user", id: admin.userId, name: admin.email };
  pushTarget = (
    await db().target.create({
      data: {
        name: `push-${randomBytes(4).toString("hex")}`,
        environment: "prod",
        mode: "push",
        serverUrl: "https://127.0.0.1:6443",
      },
    })
  ).id;
  pullTarget = (
    await db().target.create({
      data: {
        name: `pull-${randomBytes(4).toString("hex")}`,
        environment: "prod",
        mode: "pull",
        serverUrl: "https://127.0.0.1:6443",
      },
    })
  ).id;
  repoId = (
    await db().pullRepo.create({
      data: {
        targetId: pullTarget,
        url: "https://git.example/r.git",
        branch: "main",
        createdById: admin.userId,
        // Registered before the fixture's commits, so their syncs count in lead time.
        createdAt: new Date(Date.UTC(2020, 0, 1)),
      },
    })
  ).id;
  agent = await createEnrolledAgent(admin, [pullTarget]);

  // Push: a success; a run of two failures from day 1 that a success ends on day 3 (restore 2 days + 30 min); a
  // failure on day 5 that a success ends the same day; a failure on day 7 still open at the end.
  await deployment("ok0", { createdAt: at(0), approvedAt: at(20 * MIN), finishedAt: at(HOUR), to: "succeeded" });
  await deployment("fail1", { createdAt: at(DAY), finishedAt: at(DAY + HOUR), to: "failed" });
  await deployment("fail2", { createdAt: at(DAY + 2 * HOUR), finishedAt: at(DAY + 3 * HOUR), to: "failed" });
  await deployment("ok3", {
    createdAt: at(3 * DAY),
    approvedAt: at(3 * DAY + HOUR),
    finishedAt: at(3 * DAY + 90 * MIN),
    to: "succeeded",
  });
  await deployment("fail5", { createdAt: at(5 * DAY), finishedAt: at(5 * DAY + HOUR), to: "failed" });
  await deployment("ok5", { createdAt: at(5 * DAY + 2 * HOUR), finishedAt: at(5 * DAY + 4 * HOUR), to: "succeeded" });
  await deployment("fail7", { createdAt: at(7 * DAY), finishedAt: at(7 * DAY + HOUR), to: "failed" });

  // Pull: a run of failures from day 1 (drift in between changes nothing) that a drift correction ends on day 3; a
  // synced with nothing to restore; a failure on day 6 that a sync ends on day 7.
  const events = [
    pullEvent("synced", at(HOUR)),
    pullEvent("failed", at(DAY + 3 * HOUR)),
    pullEvent("drift-detected", at(2 * DAY)),
    pullEvent("failed", at(2 * DAY + HOUR)),
    pullEvent("drift-corrected", at(3 * DAY + 2 * HOUR)),
    pullEvent("synced", at(4 * DAY)),
    pullEvent("failed", at(6 * DAY)),
    pullEvent("synced", at(7 * DAY + 5 * HOUR)),
  ];
  const res = await callRoute(eventsRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/events",
    body: { events },
    as: agent,
  });
  expect(res.status, res.text).toBe(200);
  incremental = await snapshot();
});

describe("rollup rebuild against the incremental path", () => {
  it("the fixture has the recoveries it is about", async () => {
    const marked = await db().deployment.findMany({
      where: { outageStartedAt: { not: null } },
      select: { id: true, outageStartedAt: true },
    });
    expect(marked.map((d) => d.id).sort()).toEqual([ids.ok3, ids.ok5].sort());
    expect(marked.find((d) => d.id === ids.ok3)?.outageStartedAt).toEqual(at(DAY + HOUR));
    expect(incremental.events.filter((e) => e.outageStartedAt).map((e) => [e.result, e.outageStartedAt])).toEqual(
      expect.arrayContaining([
        ["drift-corrected", at(DAY + 3 * HOUR)],
        ["synced", at(6 * DAY)],
      ]),
    );
    expect(incremental.events.filter((e) => e.outageStartedAt)).toHaveLength(2);
  });

  it("a window that starts inside a run of failures takes the run's start from before the window", async () => {
    // Day 2 is inside both runs; the rows of days before it must stay as they are.
    await db().deliveryRollup.deleteMany({});
    await db().deliveryHistogram.deleteMany({ where: { day: { gte: at(2 * DAY) } } });
    await db().deliveryRollup.createMany({ data: incremental.rollups.filter((r) => r.day < at(2 * DAY)) });
    await rebuildRollups({ from: at(2 * DAY), to: at(9 * DAY) });
    expect(await snapshot()).toEqual(incremental);
  });

  it("one-day slices cut through the runs and give the same rows", async () => {
    const result = await rebuildRollups({ from: at(-DAY), to: at(9 * DAY), sliceDays: 1 });
    expect(result.days).toBe(10);
    expect(result.rows).toBe(incremental.rollups.length);
    expect(result.marks).toBe(0);
    expect(await snapshot()).toEqual(incremental);
  });

  it("repairs wrong and missing marks, lost commit times and lost sums, writing only what differs", async () => {
    await db().deployment.update({ where: { id: ids.ok3 }, data: { outageStartedAt: null } });
    await db().deployment.update({ where: { id: ids.fail2 }, data: { outageStartedAt: at(0) } });
    await db().syncEvent.updateMany({ where: { result: "synced" }, data: { committedAt: null } });
    await db().syncEvent.updateMany({ where: { result: "drift-corrected" }, data: { outageStartedAt: null } });
    await db().syncEvent.updateMany({ where: { result: "drift-detected" }, data: { outageStartedAt: at(0) } });
    await db().deliveryRollup.deleteMany({ where: { targetId: pushTarget } });
    await db().deliveryHistogram.updateMany({ data: { count: 99 } });
    await db().fleetDeliveryRollup.deleteMany({ where: { mode: "pull" } });
    await db().fleetDeliveryHistogram.updateMany({ data: { count: 7 } });
    const result = await rebuildRollups({ from: at(-DAY), to: at(9 * DAY) });
    expect(result.marks).toBe(4);
    expect(result.committedAt).toBe(3);
    expect(await snapshot()).toEqual(incremental);
  });
});

describe("the fleet rows under concurrent writers", () => {
  it("sum every target's outcomes of a day, mode and environment, however the transactions interleave", async () => {
    const day = at(12 * DAY);
    const environment = `fleet-${randomBytes(3).toString("hex")}`;
    const targets = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        db().target.create({
          data: { name: `${environment}-${i}`, environment, mode: "pull", serverUrl: "https://127.0.0.1:6443" },
        }),
      ),
    );
    // Two syncs per target (lead time 1 h each), all at once: the first inserts of the shared fleet rows race, then
    // the increments do. Plain transactions, without the audit chain lock the routes take.
    await Promise.all(
      targets.flatMap((target) =>
        [0, 1].map((i) =>
          db().$transaction((tx) =>
            recordDeliveryOutcome(tx, {
              kind: "sync",
              eventId: randomUUID(),
              targetId: target.id,
              repoId: randomUUID(),
              occurredAt: new Date(day.getTime() + (i + 1) * HOUR),
              result: "synced",
              committedAt: new Date(day.getTime() + i * HOUR),
            }),
          ),
        ),
      ),
    );
    const fleet = await expectFleetOfTargets(db());
    expect(fleet.rollups.filter((r) => r.environment === environment)).toEqual([
      expect.objectContaining({
        day,
        mode: "pull",
        deployments: 12,
        succeeded: 12,
        failures: 0,
        leadTimeCount: 12,
        leadTimeSumMs: 12 * HOUR,
      }),
    ]);
    expect(fleet.histogram.filter((h) => h.environment === environment)).toEqual([
      expect.objectContaining({ day, mode: "pull", metric: "lead-time", count: 12 }),
    ]);
  });
});

describe("upgrading a database from before the recovery marks and SyncEvent.committedAt", () => {
  const MIGRATION = "20261126132747_deployment_list_filters";

  it("fills the marks and commit times and rebuilds the rollups at migrate time", async () => {
    const migrations = listMigrations(t.kind).map((m) => m.name);
    const before = migrations[migrations.indexOf(MIGRATION) - 1]!;
    const url = await createScratchDatabase(t.kind);
    await migrateDatabase(url, { until: before });

    const old: Db = createDb(url);
    const day = utcDay(new Date(Date.now() - 40 * DAY)).getTime();
    const when = (ms: number) => new Date(day + ms);
    try {
      // Written with raw SQL: the generated client knows only the new schema.
      await old.$executeRaw`INSERT INTO "User" ("id", "email", "name", "role", "updatedAt") VALUES ('u1', 'u1@old.wharf', 'U', 'admin', ${when(0)})`;
      await old.$executeRaw`INSERT INTO "Target" ("id", "name", "environment", "mode", "serverUrl", "updatedAt") VALUES ('t-push', 'old-push', 'prod', 'push', 'https://k', ${when(0)})`;
      await old.$executeRaw`INSERT INTO "Target" ("id", "name", "environment", "mode", "serverUrl", "updatedAt") VALUES ('t-pull', 'old-pull', 'prod', 'pull', 'https://k', ${when(0)})`;
      for (const [id, state, finished] of [
        ["d1", "failed", HOUR],
        ["d2", "succeeded", 3 * HOUR],
      ] as const) {
        await old.$executeRaw`INSERT INTO "Deployment" ("id", "targetId", "state", "sourceKind", "manifests", "manifestsDigest", "objectCount", "requestedById", "requestedByKind", "requestedByName", "createdAt", "finishedAt", "updatedAt")
          VALUES (${id}, 't-push', ${state}, 'manifests', '', 'x', 0, 'u1', 'user', 'u1@old.wharf', ${when(0)}, ${when(finished)}, ${when(finished)})`;
      }
      const events: [string, string, number, string][] = [
        ["e1", "failed", 2 * HOUR, "{}"],
        ["e2", "synced", 5 * HOUR, JSON.stringify({ committedAt: when(4 * HOUR).toISOString(), diff: { counts: {} } })],
        ["e3", "synced", 6 * HOUR, "{}"],
      ];
      for (const [id, result, occurred, details] of events) {
        await old.$executeRaw`INSERT INTO "SyncEvent" ("id", "agentId", "targetId", "repoId", "occurredAt", "kind", "trigger", "result", "details")
          VALUES (${id}, 'a1', 't-pull', 'r1', ${when(occurred)}, 'sync', 'poll', ${result}, ${details})`;
      }
    } finally {
      await old.$disconnect();
    }

    expect(await migrateDatabase(url)).toContain(MIGRATION);

    const upgraded = createDb(url);
    try {
      expect(
        await upgraded.deployment.findMany({ orderBy: { id: "asc" }, select: { id: true, outageStartedAt: true } }),
      ).toEqual([
        { id: "d1", outageStartedAt: null },
        { id: "d2", outageStartedAt: when(HOUR) },
      ]);
      expect(
        await upgraded.syncEvent.findMany({
          orderBy: { id: "asc" },
          select: { id: true, committedAt: true, outageStartedAt: true, environment: true },
        }),
      ).toEqual([
        { id: "e1", committedAt: null, outageStartedAt: null, environment: "prod" },
        { id: "e2", committedAt: when(4 * HOUR), outageStartedAt: when(2 * HOUR), environment: "prod" },
        { id: "e3", committedAt: null, outageStartedAt: null, environment: "prod" },
      ]);
      const rollups = await upgraded.deliveryRollup.findMany({ orderBy: { targetId: "asc" } });
      expect(
        rollups.map((r) => ({
          day: r.day,
          targetId: r.targetId,
          mode: r.mode,
          deployments: r.deployments,
          failures: r.failures,
          leadTimeCount: r.leadTimeCount,
          leadTimeSumMs: r.leadTimeSumMs,
          restoreCount: r.restoreCount,
          restoreSumMs: r.restoreSumMs,
        })),
      ).toEqual([
        {
          day: when(0),
          targetId: "t-pull",
          mode: "pull",
          deployments: 3,
          failures: 1,
          leadTimeCount: 1,
          leadTimeSumMs: HOUR,
          restoreCount: 1,
          restoreSumMs: 3 * HOUR,
        },
        {
          day: when(0),
          targetId: "t-push",
          mode: "push",
          deployments: 2,
          failures: 1,
          leadTimeCount: 1,
          leadTimeSumMs: 3 * HOUR,
          restoreCount: 1,
          restoreSumMs: 2 * HOUR,
        },
      ]);
      // Idempotent: a second rebuild of the whole history finds nothing to mark.
      const span = await deliveryHistorySpan(upgraded);
      expect(span).toEqual({ from: when(0), to: when(DAY) });
      expect(await expectFleetOfTargets(upgraded)).toEqual({
        rollups: [expect.objectContaining({ mode: "pull" }), expect.objectContaining({ mode: "push" })],
        histogram: expect.any(Array),
      });
      const again = await rebuildDeliveryRollups(upgraded, { ...span!, dialect: t.kind });
      expect(again).toEqual({
        days: 1,
        rows: 2,
        histogramRows: expect.any(Number),
        fleetRows: 2,
        fleetHistogramRows: expect.any(Number),
        marks: 0,
        committedAt: 0,
      });
    } finally {
      await upgraded.$disconnect();
    }
  });
});

describe("upgrading a database from before the fleet rollups", () => {
  const MIGRATION = "20261126155716_fleet_delivery_rollups";

  it("fills the fleet rows from the per-target rows in the migration itself", async () => {
    const migrations = listMigrations(t.kind).map((m) => m.name);
    const before = migrations[migrations.indexOf(MIGRATION) - 1]!;
    const url = await createScratchDatabase(t.kind);
    await migrateDatabase(url, { until: before });

    const old: Db = createDb(url);
    const day = utcDay(new Date(Date.now() - 5 * DAY));
    const next = new Date(day.getTime() + DAY);
    try {
      // Two push targets in prod on one day (summed into one fleet row), one in dev, a pull target the next day.
      const rollups: [string, Date, string, string, string, number, number, number, number][] = [
        ["r1", day, "t1", "push", "prod", 3, 1, 2, 2 * HOUR],
        ["r2", day, "t2", "push", "prod", 2, 0, 2, 30 * MIN],
        ["r3", day, "t3", "push", "dev", 1, 1, 0, 0],
        ["r4", next, "t4", "pull", "prod", 4, 1, 3, 3 * MIN],
      ];
      for (const [id, d, targetId, mode, environment, deployments, failures, leadTimeCount, leadTimeSumMs] of rollups) {
        await old.$executeRaw`INSERT INTO "DeliveryRollup" ("id", "day", "targetId", "mode", "environment", "deployments", "succeeded", "failures", "leadTimeCount", "leadTimeSumMs", "updatedAt")
          VALUES (${id}, ${d}, ${targetId}, ${mode}, ${environment}, ${deployments}, ${deployments - failures}, ${failures}, ${leadTimeCount}, ${leadTimeSumMs}, ${d})`;
      }
      const histogram: [string, Date, string, string, string, number, number][] = [
        ["h1", day, "t1", "push", "prod", 8, 2],
        ["h2", day, "t2", "push", "prod", 8, 1],
        ["h3", day, "t2", "push", "prod", 5, 1],
        ["h4", next, "t4", "pull", "prod", 1, 3],
      ];
      for (const [id, d, targetId, mode, environment, bucket, count] of histogram) {
        await old.$executeRaw`INSERT INTO "DeliveryHistogram" ("id", "day", "targetId", "mode", "environment", "metric", "bucket", "count")
          VALUES (${id}, ${d}, ${targetId}, ${mode}, ${environment}, 'lead-time', ${bucket}, ${count})`;
      }
    } finally {
      await old.$disconnect();
    }

    expect(await migrateDatabase(url)).toContain(MIGRATION);

    const upgraded = createDb(url);
    try {
      const fleet = await expectFleetOfTargets(upgraded);
      const zero = {
        approvalWaitCount: 0,
        approvalWaitSumMs: 0,
        restoreCount: 0,
        restoreSumMs: 0,
        driftDetected: 0,
        driftCorrected: 0,
      };
      expect(fleet.rollups).toEqual([
        {
          day,
          mode: "push",
          environment: "dev",
          deployments: 1,
          succeeded: 0,
          failures: 1,
          leadTimeCount: 0,
          leadTimeSumMs: 0,
          ...zero,
        },
        {
          day,
          mode: "push",
          environment: "prod",
          deployments: 5,
          succeeded: 4,
          failures: 1,
          leadTimeCount: 4,
          leadTimeSumMs: 150 * MIN,
          ...zero,
        },
        {
          day: next,
          mode: "pull",
          environment: "prod",
          deployments: 4,
          succeeded: 3,
          failures: 1,
          leadTimeCount: 3,
          leadTimeSumMs: 3 * MIN,
          ...zero,
        },
      ]);
      const cell = { metric: "lead-time", environment: "prod" };
      expect(fleet.histogram).toEqual([
        { day, mode: "push", ...cell, bucket: 5, count: 1 },
        { day, mode: "push", ...cell, bucket: 8, count: 3 },
        { day: next, mode: "pull", ...cell, bucket: 1, count: 3 },
      ]);
    } finally {
      await upgraded.$disconnect();
    }
  });
});
