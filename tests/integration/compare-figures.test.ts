import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/audit/schemas";
import { utcDay } from "@/lib/rollups/contributions";
import { getComparison, getDeliveryComparison } from "@/lib/compare/data/get-comparison";
import { rebuildRollups } from "@/lib/rollups/data/rebuild-rollups";
import { resolveRange } from "@/lib/compare/range";
import { db } from "@/lib/db";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import { callRoute, createCaller, type Caller } from "../support/api";
import { expectFleetOfTargets } from "../support/fleet-rollups";
import { createEnrolledAgent, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

useTestDatabase();

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** The fixture's first day: ten whole days ago, so it sits inside the 30-day range. */
const B = utcDay(new Date(Date.now() - 10 * DAY)).getTime();
const at = (ms: number) => new Date(B + ms);

const ENV = `fixture-${randomBytes(3).toString("hex")}`;
let admin: Caller;
let actor: Actor;
let pushTarget: string;
let otherEnvTarget: string;
let pullTarget: string;
let repoId: string;
let agent: AgentCaller;

async function target(mode: "push" | "pull", environment: string): Promise<string> {
  const t = await db().target.create({
    data: { name: `${mode}-${randomBytes(4).toString("hex")}`, environment, mode, serverUrl: "https://127.0.0.1:6443" },
  });
  return t.id;
}

/**
 * A push deployment taken through the real state machine (transitionDeployment, which feeds the rollups):
 * requested at `createdAt`, approved by a person at `approvedAt` (or at once without approvals), run, finished.
 */
async function deployment(opts: {
  targetId: string;
  createdAt: Date;
  commitAt?: Date;
  approvedAt?: Date;
  finishedAt: Date;
  to: "succeeded" | "failed";
}): Promise<void> {
  const d = await db().deployment.create({
    data: {
      targetId: opts.targetId,
      state: "pending-approval",
      sourceKind: opts.commitAt ? "git" : "manifests",
      manifests: "",
      manifestsDigest: randomBytes(8).toString("hex"),
      objectCount: 0,
      commitAt: opts.commitAt ?? null,
      commitSha: opts.commitAt ? fakeSha() : null,
      requestedById: admin.userId,
      requestedByKind: "user",
      requestedByName: admin.email,
      createdAt: opts.createdAt,
    },
  });
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

async function send(events: ReturnType<typeof syncEvent>[]): Promise<void> {
  const res = await callRoute(eventsRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/events",
    body: { events },
    as: agent,
  });
  expect(res.status, res.text).toBe(200);
}

function pullEvent(
  result: "synced" | "failed" | "drift-detected" | "drift-corrected" | "pending-approval",
  occurredAt: Date,
  committedAt?: Date,
) {
  const kind = result === "pending-approval" ? "pending-approval" : result.startsWith("drift") ? "drift" : "sync";
  return syncEvent({
    targetId: pullTarget,
    repoId,
    kind,
    trigger: kind === "drift" ? "drift" : "poll",
    result,
    occurredAt: occurredAt.toISOString(),
    ...(committedAt || result === "synced"
      ? { revision: { sha: fakeSha(), ...(committedAt ? { committedAt: committedAt.toISOString() } : {}) } }
      : {}),
  });
}

beforeAll(async () => {
  admin = await createCaller("admin");
  actor = { kind: "user", id: admin.userId, name: admin.email };
  pushTarget = await target("push", ENV);
  otherEnvTarget = await target("push", `${ENV}-other`);
  pullTarget = await target("pull", ENV);
  repoId = (
    await db().pullRepo.create({
      data: {
        targetId: pullTarget,
        url: "https://git.example/app.git",
        branch: "main",
        createdById: admin.userId,
        // Registered before the fixture's commits, so their syncs count in lead time.
        createdAt: new Date(Date.UTC(2020, 0, 1)),
      },
    })
  ).id;
  agent = await createEnrolledAgent(admin, [pullTarget]);

  // Push, day 1: success (waited 60 min for approval; manifests, lead 90 min), failure (git; waited 30 min),
  // failure, success 2 h after the first failure of the run (manifests, lead 60 min). Day 2: success (git, lead 40 min).
  await deployment({
    targetId: pushTarget,
    createdAt: at(0),
    approvedAt: at(1 * HOUR),
    finishedAt: at(90 * MIN),
    to: "succeeded",
  });
  await deployment({
    targetId: pushTarget,
    commitAt: at(2 * HOUR),
    createdAt: at(2 * HOUR + 10 * MIN),
    approvedAt: at(2 * HOUR + 40 * MIN),
    finishedAt: at(3 * HOUR),
    to: "failed",
  });
  await deployment({
    targetId: pushTarget,
    commitAt: at(3 * HOUR),
    createdAt: at(3 * HOUR + 5 * MIN),
    finishedAt: at(4 * HOUR),
    to: "failed",
  });
  await deployment({ targetId: pushTarget, createdAt: at(4 * HOUR), finishedAt: at(5 * HOUR), to: "succeeded" });
  await deployment({
    targetId: pushTarget,
    commitAt: at(DAY),
    createdAt: at(DAY + 10 * MIN),
    finishedAt: at(DAY + 40 * MIN),
    to: "succeeded",
  });
  // Another environment: must not show under the environment filter.
  await deployment({ targetId: otherEnvTarget, createdAt: at(0), finishedAt: at(7 * HOUR), to: "failed" });

  // Pull: synced (lead 10 min), failed, failed, synced 60 min after the first failure (lead 60 min), drift detected
  // and corrected; day 2: synced (lead 60 min), pending approval (not a figure), synced (lead 10 min).
  await send([
    pullEvent("synced", at(1 * HOUR), at(50 * MIN)),
    pullEvent("failed", at(2 * HOUR)),
    pullEvent("failed", at(2 * HOUR + 30 * MIN)),
    pullEvent("synced", at(3 * HOUR), at(2 * HOUR)),
    pullEvent("drift-detected", at(4 * HOUR)),
    pullEvent("drift-corrected", at(4 * HOUR + 10 * MIN)),
  ]);
  await send([
    pullEvent("synced", at(DAY + 1 * HOUR), at(DAY)),
    pullEvent("pending-approval", at(DAY + 2 * HOUR), at(DAY + 90 * MIN)),
    pullEvent("synced", at(DAY + 3 * HOUR), at(DAY + 2 * HOUR + 50 * MIN)),
  ]);
});

async function snapshot() {
  const rollups = await db().deliveryRollup.findMany({ orderBy: [{ day: "asc" }, { targetId: "asc" }] });
  const histogram = await db().deliveryHistogram.findMany({
    orderBy: [{ day: "asc" }, { targetId: "asc" }, { metric: "asc" }, { bucket: "asc" }],
  });
  return {
    rollups: rollups.map(({ id: _id, updatedAt: _u, ...r }) => r),
    histogram: histogram.map(({ id: _id, ...h }) => h),
    fleet: await expectFleetOfTargets(db()),
  };
}

describe("comparison figures against a hand-computed fixture", () => {
  const range = () => resolveRange({ range: "30", environment: ENV });

  it("push: frequency, lead time p50/p90, change failure rate, time to restore, approval wait", async () => {
    const { push } = await getDeliveryComparison({ range: range() });
    expect(push.deployments).toBe(5);
    expect(push.failures).toBe(2);
    expect(push.changeFailureRate).toBeCloseTo(0.4, 10);
    expect(push.deploymentsPerDay).toBeCloseTo(5 / 30, 10);
    // Lead times 90, 60, 40 min: buckets (1 h, 2 h], (45 min, 1 h], (30 min, 45 min].
    expect(push.leadTime.count).toBe(3);
    expect(push.leadTime.meanMs).toBeCloseTo((190 / 3) * MIN, 3);
    expect(push.leadTime.p50Ms).toBe(60 * MIN); // rank 2 → (45 min, 1 h], 1 of 1
    expect(push.leadTime.p90Ms).toBe(120 * MIN); // rank 3 → (1 h, 2 h], 1 of 1
    // One restore: first failure at 3 h, success at 5 h.
    expect(push.restore.count).toBe(1);
    expect(push.restore.meanMs).toBe(2 * HOUR);
    // Approval waits 60 and 30 min (the others needed no approval).
    expect(push.approvalWait.count).toBe(2);
    expect(push.approvalWait.meanMs).toBe(45 * MIN);
    expect(push.approvalWait.p50Ms).toBe(30 * MIN);
    expect(push.approvalWait.p90Ms).toBe(60 * MIN);
    const day1 = push.series.find((p) => p.day === new Date(B).toISOString().slice(0, 10));
    const day2 = push.series.find((p) => p.day === new Date(B + DAY).toISOString().slice(0, 10));
    expect(day1).toEqual(expect.objectContaining({ deployments: 4, failures: 2 }));
    expect(day2).toEqual(expect.objectContaining({ deployments: 1, failures: 0 }));
    expect(push.series).toHaveLength(30);
  });

  it("pull: frequency, lead time p50/p90, change failure rate, time to restore, drift", async () => {
    const { pull } = await getDeliveryComparison({ range: range() });
    expect(pull.deployments).toBe(6);
    expect(pull.failures).toBe(2);
    expect(pull.changeFailureRate).toBeCloseTo(2 / 6, 10);
    // Lead times 10, 60, 60, 10 min: two in (5, 10 min], two in (45 min, 1 h].
    expect(pull.leadTime.count).toBe(4);
    expect(pull.leadTime.meanMs).toBe(35 * MIN);
    expect(pull.leadTime.p50Ms).toBe(10 * MIN); // rank 2 → 5 + 5·2/2
    expect(pull.leadTime.p90Ms).toBe(60 * MIN); // rank 4 → 45 + 15·2/2
    expect(pull.restore.count).toBe(1);
    expect(pull.restore.meanMs).toBe(1 * HOUR); // first failure 2 h → synced 3 h
    // The detected event and the correction (a correction is a detection too); one corrected.
    expect(pull.driftDetected).toBe(2);
    expect(pull.driftCorrected).toBe(1);
    expect(pull.approvalWait.count).toBe(0);
  });

  it("the environment filter and the per-target figures narrow the rows", async () => {
    const all = await getDeliveryComparison({ range: resolveRange({ range: "30" }) });
    expect(all.push.deployments).toBe(6);
    expect(all.push.failures).toBe(3);
    const one = await getDeliveryComparison({ range: resolveRange({ range: "30" }), targetId: otherEnvTarget });
    expect(one.push.deployments).toBe(1);
    expect(one.pull.deployments).toBe(0);
    // The environment's fleet rows and its only push target's own rows give the same figures, series included.
    const target = await getDeliveryComparison({ range: range(), targetId: pushTarget });
    expect(target.push).toEqual((await getDeliveryComparison({ range: range() })).push);
    // A range that ends before the fixture sees nothing.
    const before = resolveRange({
      range: "custom",
      from: new Date(B - 5 * DAY).toISOString().slice(0, 10),
      to: new Date(B - DAY).toISOString().slice(0, 10),
    });
    expect((await getDeliveryComparison({ range: before })).push.deployments).toBe(0);
  });

  it("incremental rollups equal rollups rebuilt from the rows", async () => {
    const incremental = await snapshot();
    expect(incremental.rollups.length).toBeGreaterThan(0);
    const result = await rebuildRollups({ from: new Date(B - DAY), to: new Date(B + 3 * DAY) });
    expect(result.rows).toBe(incremental.rollups.length);
    const rebuilt = await snapshot();
    expect(rebuilt).toEqual(incremental);
    // And a rebuild really recomputes: wiping a row and rebuilding brings it back.
    await db().deliveryRollup.deleteMany({ where: { targetId: pushTarget } });
    await db().fleetDeliveryRollup.deleteMany({ where: { environment: ENV } });
    await rebuildRollups({ from: new Date(B), to: new Date(B + 2 * DAY) });
    expect(await snapshot()).toEqual(incremental);
  });

  it("exposure: pull holds no cluster credential; the agent serving it is counted", async () => {
    const c = await getComparison({ range: range() });
    expect(c.targets).toEqual({ push: 1, pull: 1 });
    expect(c.exposure.pull.agents).toBe(1);
    expect(c.exposure.pull.enrolled).toBe(1);
    expect(c.exposure.pull.clusterCredentialsHeld).toBe(0);
    expect(c.exposure.push.credentials).toBe(0);
    expect(c.environments).toEqual(expect.arrayContaining([ENV, `${ENV}-other`]));
  });
});
