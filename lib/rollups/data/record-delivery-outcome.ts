import "server-only";
import type { Tx } from "@/lib/db";
import {
  approvalDelta,
  deploymentFinishDelta,
  histogramIncrements,
  isEmptyDelta,
  PULL_HEALTHY_RESULTS,
  pushDriftDelta,
  syncDelta,
  type RollupDelta,
} from "../contributions";

/**
 * An outcome the comparison counts. Deployment transitions are reported for every state (the function ignores the
 * ones that are not figures), so the call sits in one place: `transitionDeployment`.
 */
export type DeliveryOutcome =
  | { kind: "deployment"; deploymentId: string; state: string }
  | {
      kind: "sync";
      eventId: string;
      targetId: string;
      repoId: string;
      occurredAt: Date;
      result: string;
      /** The revision's commit time as the agent reported it; null when unknown (no lead time then). */
      committedAt: Date | null;
    }
  /** A push status read recorded a drift (PushDriftEvent): counted as a pull `drift-detected` event is. */
  | { kind: "push-drift"; targetId: string; occurredAt: Date };

interface TargetFacts {
  mode: string;
  environment: string;
}

/** Read model of the incremental path: anything with Prisma's model delegates. */
type Reader = Tx;

const PUSH_LINE = { sourceKind: { not: "pull-revision" } } as const;

/**
 * The first push failure on the target since its last success before `at` (excluding deployment `exceptId`), i.e.
 * when the outage that a success at `at` ends began; null when the last outcome before `at` was a success.
 */
async function pushRestoreFrom(r: Reader, targetId: string, at: Date, exceptId: string): Promise<Date | null> {
  const lastSuccess = await r.deployment.findFirst({
    where: { targetId, state: "succeeded", ...PUSH_LINE, id: { not: exceptId }, finishedAt: { lt: at } },
    orderBy: [{ finishedAt: "desc" }, { id: "desc" }],
    select: { finishedAt: true },
  });
  const firstFailure = await r.deployment.findFirst({
    where: {
      targetId,
      state: "failed",
      ...PUSH_LINE,
      id: { not: exceptId },
      finishedAt: { lte: at, ...(lastSuccess?.finishedAt ? { gt: lastSuccess.finishedAt } : {}) },
    },
    orderBy: [{ finishedAt: "asc" }, { id: "asc" }],
    select: { finishedAt: true },
  });
  return firstFailure?.finishedAt ?? null;
}

/** The same for a pull repository: the first `failed` sync since its last healthy one (synced or drift-corrected). */
async function pullRestoreFrom(r: Reader, repoId: string, at: Date, exceptId: string): Promise<Date | null> {
  const lastHealthy = await r.syncEvent.findFirst({
    where: { repoId, result: { in: [...PULL_HEALTHY_RESULTS] }, id: { not: exceptId }, occurredAt: { lt: at } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { occurredAt: true },
  });
  const firstFailure = await r.syncEvent.findFirst({
    where: {
      repoId,
      result: "failed",
      id: { not: exceptId },
      occurredAt: { lte: at, ...(lastHealthy ? { gt: lastHealthy.occurredAt } : {}) },
    },
    orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
    select: { occurredAt: true },
  });
  return firstFailure?.occurredAt ?? null;
}

/**
 * Adds a delta to its (day, target) rollup and histogram rows, and to the fleet rows of that day, mode and environment,
 * with atomic increments: each is one upsert that PostgreSQL runs as INSERT … ON CONFLICT DO UPDATE, so concurrent
 * writers neither lose counts nor collide on the first insert. A fleet increment goes under the `mode` and
 * `environment` its per-target row holds (the target's when that row was first written; the upsert returns them), so
 * the fleet rows stay exactly the GROUP BY of the per-target rows, which is what a rebuild writes.
 */
async function applyDelta(tx: Tx, targetId: string, target: TargetFacts, delta: RollupDelta): Promise<void> {
  if (isEmptyDelta(delta)) return;
  const counts = {
    deployments: delta.deployments,
    succeeded: delta.succeeded,
    failures: delta.failures,
    leadTimeCount: delta.leadTimeMs === null ? 0 : 1,
    leadTimeSumMs: delta.leadTimeMs ?? 0,
    approvalWaitCount: delta.approvalWaitMs === null ? 0 : 1,
    approvalWaitSumMs: delta.approvalWaitMs ?? 0,
    restoreCount: delta.restoreMs === null ? 0 : 1,
    restoreSumMs: delta.restoreMs ?? 0,
    driftDetected: delta.driftDetected,
    driftCorrected: delta.driftCorrected,
  };
  const increments = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, { increment: v }]));
  const row = await tx.deliveryRollup.upsert({
    where: { day_targetId: { day: delta.day, targetId } },
    create: { day: delta.day, targetId, mode: target.mode, environment: target.environment, ...counts },
    update: increments,
    select: { mode: true, environment: true },
  });
  const fleet = { day: delta.day, mode: row.mode, environment: row.environment };
  await tx.fleetDeliveryRollup.upsert({
    where: { day_mode_environment: fleet },
    create: { ...fleet, ...counts },
    update: increments,
  });
  for (const h of histogramIncrements(delta)) {
    const bucket = { metric: h.metric, bucket: h.bucket };
    const cell = await tx.deliveryHistogram.upsert({
      where: { day_targetId_metric_bucket: { day: delta.day, targetId, ...bucket } },
      create: { day: delta.day, targetId, mode: target.mode, environment: target.environment, ...bucket, count: 1 },
      update: { count: { increment: 1 } },
      select: { mode: true, environment: true },
    });
    const key = { day: delta.day, mode: cell.mode, environment: cell.environment, ...bucket };
    await tx.fleetDeliveryHistogram.upsert({
      where: { day_mode_environment_metric_bucket: key },
      create: { ...key, count: 1 },
      update: { count: { increment: 1 } },
    });
  }
}

/**
 * The delta of a deployment transition, or null when the transition is not a delivery figure. `outageStartedAt` is
 * set for a success that ends a run of failures (a time-to-restore row).
 */
async function deploymentDelta(
  r: Reader,
  deploymentId: string,
  state: string,
): Promise<{ targetId: string; target: TargetFacts; delta: RollupDelta; outageStartedAt: Date | null } | null> {
  if (state !== "approved" && state !== "succeeded" && state !== "failed") return null;
  const d = await r.deployment.findUnique({
    where: { id: deploymentId },
    select: {
      id: true,
      targetId: true,
      sourceKind: true,
      createdAt: true,
      approvedAt: true,
      finishedAt: true,
      commitAt: true,
      target: { select: { mode: true, environment: true } },
      _count: { select: { approvals: { where: { decision: "approved" } } } },
    },
  });
  if (!d) return null;
  if (state === "approved") {
    // Only deployments that waited for people: a target without required approvals approves at once.
    if (!d.approvedAt || d._count.approvals === 0) return null;
    return {
      targetId: d.targetId,
      target: d.target,
      delta: approvalDelta({ createdAt: d.createdAt, approvedAt: d.approvedAt }),
      outageStartedAt: null,
    };
  }
  // Pull revisions finish when the agent reports the sync; that sync event is what counts for pull.
  if (d.sourceKind === "pull-revision") return null;
  const finishedAt = d.finishedAt ?? new Date();
  const restoreFrom = state === "succeeded" ? await pushRestoreFrom(r, d.targetId, finishedAt, d.id) : null;
  return {
    targetId: d.targetId,
    target: d.target,
    delta: deploymentFinishDelta({ state, finishedAt, createdAt: d.createdAt, commitAt: d.commitAt, restoreFrom }),
    outageStartedAt: restoreFrom,
  };
}

/**
 * Adds one outcome to the delivery rollups inside the caller's transaction, so the figures move exactly when the
 * state change commits (a rolled-back transition or a duplicate sync event adds nothing). Called by
 * `transitionDeployment` (every deployment state change; only approved/succeeded/failed count), by the agent
 * event ingestion (every stored sync event) and by a push status read that records a drift (readPushLiveState). A recovery also marks its row (`outageStartedAt`), so the lists can show
 * exactly the rows behind the time-to-restore figure.
 */
export async function recordDeliveryOutcome(tx: Tx, outcome: DeliveryOutcome): Promise<void> {
  if (outcome.kind === "deployment") {
    const found = await deploymentDelta(tx, outcome.deploymentId, outcome.state);
    if (found) await applyDelta(tx, found.targetId, found.target, found.delta);
    if (found?.outageStartedAt)
      await tx.deployment.update({
        where: { id: outcome.deploymentId },
        data: { outageStartedAt: found.outageStartedAt },
      });
    return;
  }
  const target = await tx.target.findUnique({
    where: { id: outcome.targetId },
    select: { mode: true, environment: true },
  });
  if (!target) return;
  if (outcome.kind === "push-drift") {
    await applyDelta(tx, outcome.targetId, target, pushDriftDelta(outcome));
    return;
  }
  const healthy = (PULL_HEALTHY_RESULTS as readonly string[]).includes(outcome.result);
  const restoreFrom = healthy ? await pullRestoreFrom(tx, outcome.repoId, outcome.occurredAt, outcome.eventId) : null;
  const delta = syncDelta({
    result: outcome.result,
    occurredAt: outcome.occurredAt,
    committedAt: outcome.committedAt,
    restoreFrom,
  });
  if (delta) await applyDelta(tx, outcome.targetId, target, delta);
  if (delta && restoreFrom)
    await tx.syncEvent.updateMany({ where: { id: outcome.eventId }, data: { outageStartedAt: restoreFrom } });
}
