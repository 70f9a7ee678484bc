import "server-only";
import { db, type Tx } from "@/lib/db";
import { DAY_MS } from "@/lib/credentials/status";
import {
  approvalDelta,
  deploymentFinishDelta,
  histogramIncrements,
  isEmptyDelta,
  PULL_HEALTHY_RESULTS,
  syncDelta,
  utcDay,
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
    };

interface TargetFacts {
  mode: string;
  environment: string;
}

/** Read model shared by the incremental path and the rebuild: anything with Prisma's model delegates. */
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
    where: { repoId, result: "failed", id: { not: exceptId }, occurredAt: { lte: at, ...(lastHealthy ? { gt: lastHealthy.occurredAt } : {}) } },
    orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
    select: { occurredAt: true },
  });
  return firstFailure?.occurredAt ?? null;
}

/** Adds a delta to its (day, target) rollup and histogram rows with atomic increments (safe under concurrency). */
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
  await tx.deliveryRollup.upsert({
    where: { day_targetId: { day: delta.day, targetId } },
    create: { day: delta.day, targetId, mode: target.mode, environment: target.environment, ...counts },
    update: increments,
  });
  for (const h of histogramIncrements(delta)) {
    await tx.deliveryHistogram.upsert({
      where: { day_targetId_metric_bucket: { day: delta.day, targetId, metric: h.metric, bucket: h.bucket } },
      create: { day: delta.day, targetId, mode: target.mode, environment: target.environment, metric: h.metric, bucket: h.bucket, count: 1 },
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
    return { targetId: d.targetId, target: d.target, delta: approvalDelta({ createdAt: d.createdAt, approvedAt: d.approvedAt }), outageStartedAt: null };
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
 * `transitionDeployment` (every deployment state change; only approved/succeeded/failed count) and by the agent
 * event ingestion (every stored sync event). A recovery also marks its row (`outageStartedAt`), so the lists can show
 * exactly the rows behind the time-to-restore figure.
 */
export async function recordDeliveryOutcome(tx: Tx, outcome: DeliveryOutcome): Promise<void> {
  if (outcome.kind === "deployment") {
    const found = await deploymentDelta(tx, outcome.deploymentId, outcome.state);
    if (found) await applyDelta(tx, found.targetId, found.target, found.delta);
    if (found?.outageStartedAt) await tx.deployment.update({ where: { id: outcome.deploymentId }, data: { outageStartedAt: found.outageStartedAt } });
    return;
  }
  const target = await tx.target.findUnique({ where: { id: outcome.targetId }, select: { mode: true, environment: true } });
  if (!target) return;
  const healthy = (PULL_HEALTHY_RESULTS as readonly string[]).includes(outcome.result);
  const restoreFrom = healthy ? await pullRestoreFrom(tx, outcome.repoId, outcome.occurredAt, outcome.eventId) : null;
  const delta = syncDelta({ result: outcome.result, occurredAt: outcome.occurredAt, committedAt: outcome.committedAt, restoreFrom });
  if (delta) await applyDelta(tx, outcome.targetId, target, delta);
  if (delta && restoreFrom) await tx.syncEvent.updateMany({ where: { id: outcome.eventId }, data: { outageStartedAt: restoreFrom } });
}

/** The commit time stored in a sync event's details (`committedAt`), if any. */
export function committedAtOfDetails(details: string): Date | null {
  try {
    const parsed = JSON.parse(details) as { committedAt?: unknown };
    if (typeof parsed.committedAt !== "string") return null;
    const at = new Date(parsed.committedAt);
    return Number.isNaN(at.getTime()) ? null : at;
  } catch {
    return null;
  }
}

const BATCH = 2000;

interface Pending {
  day: Date;
  targetId: string;
  target: TargetFacts;
  deltas: RollupDelta[];
}

/**
 * Recomputes the rollups of whole UTC days [from, to) from deployments and sync events: deletes the days' rows,
 * reads the sources in pages (keyset on the indexed timestamps) and writes the sums. For backfills (`seed:scale`,
 * after an import) and for tests that check the incremental path against it. Time to restore keeps a per-line state
 * while it walks in time order and asks the database only for each line's state before `from`.
 */
export async function rebuildRollups(opts: { from: Date; to: Date }): Promise<{ days: number; rows: number }> {
  const from = utcDay(opts.from);
  const lastDay = utcDay(new Date(opts.to.getTime() - 1));
  const to = new Date(Math.max(lastDay.getTime() + DAY_MS, from.getTime() + DAY_MS));
  const client = db();
  const targets = new Map<string, TargetFacts | null>();
  const targetOf = async (id: string) => {
    if (!targets.has(id)) targets.set(id, await client.target.findUnique({ where: { id }, select: { mode: true, environment: true } }));
    return targets.get(id) ?? null;
  };
  const pending = new Map<string, Pending>();
  const add = async (targetId: string, delta: RollupDelta | null) => {
    if (!delta || isEmptyDelta(delta)) return;
    const target = await targetOf(targetId);
    if (!target) return;
    const key = `${delta.day.toISOString()}|${targetId}`;
    const p = pending.get(key) ?? { day: delta.day, targetId, target, deltas: [] };
    p.deltas.push(delta);
    pending.set(key, p);
  };

  // Push deliveries, in finish order, with the restore state per target.
  const outage = new Map<string, Date | null>();
  const deploymentOutages: { id: string; at: Date }[] = [];
  let cursor: { finishedAt: Date; id: string } | null = null;
  for (;;) {
    const page: { id: string; targetId: string; state: string; createdAt: Date; finishedAt: Date | null; commitAt: Date | null }[] = await client.deployment.findMany({
      where: {
        state: { in: ["succeeded", "failed"] },
        ...PUSH_LINE,
        finishedAt: { gte: from, lt: to },
        ...(cursor ? { OR: [{ finishedAt: { gt: cursor.finishedAt } }, { finishedAt: cursor.finishedAt, id: { gt: cursor.id } }] } : {}),
      },
      orderBy: [{ finishedAt: "asc" }, { id: "asc" }],
      take: BATCH,
      select: { id: true, targetId: true, state: true, createdAt: true, finishedAt: true, commitAt: true },
    });
    for (const d of page) {
      const finishedAt = d.finishedAt!;
      let restoreFrom: Date | null = null;
      if (d.state === "failed") {
        if (!outage.has(d.targetId)) outage.set(d.targetId, await pushRestoreFrom(client, d.targetId, finishedAt, d.id));
        if (!outage.get(d.targetId)) outage.set(d.targetId, finishedAt);
      } else {
        restoreFrom = outage.has(d.targetId) ? (outage.get(d.targetId) ?? null) : await pushRestoreFrom(client, d.targetId, finishedAt, d.id);
        outage.set(d.targetId, null);
        if (restoreFrom) deploymentOutages.push({ id: d.id, at: restoreFrom });
      }
      await add(d.targetId, deploymentFinishDelta({ state: d.state as "succeeded" | "failed", finishedAt, createdAt: d.createdAt, commitAt: d.commitAt, restoreFrom }));
    }
    const last = page[page.length - 1];
    if (!last || page.length < BATCH) break;
    cursor = { finishedAt: last.finishedAt!, id: last.id };
  }

  // Approval waits, on the day of the approval.
  let approvalCursor: string | null = null;
  for (;;) {
    const page: { id: string; targetId: string; createdAt: Date; approvedAt: Date | null }[] = await client.deployment.findMany({
      where: { approvedAt: { gte: from, lt: to }, approvals: { some: { decision: "approved" } }, ...(approvalCursor ? { id: { gt: approvalCursor } } : {}) },
      orderBy: { id: "asc" },
      take: BATCH,
      select: { id: true, targetId: true, createdAt: true, approvedAt: true },
    });
    for (const d of page) await add(d.targetId, approvalDelta({ createdAt: d.createdAt, approvedAt: d.approvedAt! }));
    const last = page[page.length - 1];
    if (!last || page.length < BATCH) break;
    approvalCursor = last.id;
  }

  // Pull deliveries and drift, in time order, with the restore state per repository.
  const repoOutage = new Map<string, Date | null>();
  const syncOutages: { id: string; at: Date }[] = [];
  /** Events stored before `SyncEvent.committedAt` existed: the commit time is only in `details`. */
  const committedBackfill: { id: string; at: Date }[] = [];
  let syncCursor: { occurredAt: Date; id: string } | null = null;
  for (;;) {
    const page: { id: string; targetId: string; repoId: string; occurredAt: Date; result: string; details: string; committedAt: Date | null }[] = await client.syncEvent.findMany({
      where: {
        occurredAt: { gte: from, lt: to },
        ...(syncCursor ? { OR: [{ occurredAt: { gt: syncCursor.occurredAt } }, { occurredAt: syncCursor.occurredAt, id: { gt: syncCursor.id } }] } : {}),
      },
      orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
      take: BATCH,
      select: { id: true, targetId: true, repoId: true, occurredAt: true, result: true, details: true, committedAt: true },
    });
    for (const e of page) {
      let restoreFrom: Date | null = null;
      if (e.result === "failed") {
        if (!repoOutage.has(e.repoId)) repoOutage.set(e.repoId, await pullRestoreFrom(client, e.repoId, e.occurredAt, e.id));
        if (!repoOutage.get(e.repoId)) repoOutage.set(e.repoId, e.occurredAt);
      } else if ((PULL_HEALTHY_RESULTS as readonly string[]).includes(e.result)) {
        restoreFrom = repoOutage.has(e.repoId) ? (repoOutage.get(e.repoId) ?? null) : await pullRestoreFrom(client, e.repoId, e.occurredAt, e.id);
        repoOutage.set(e.repoId, null);
        if (restoreFrom) syncOutages.push({ id: e.id, at: restoreFrom });
      }
      let committedAt: Date | null = null;
      if (e.result === "synced") {
        committedAt = e.committedAt ?? committedAtOfDetails(e.details);
        if (committedAt && !e.committedAt) committedBackfill.push({ id: e.id, at: committedAt });
      }
      await add(e.targetId, syncDelta({ result: e.result, occurredAt: e.occurredAt, committedAt, restoreFrom }));
    }
    const last = page[page.length - 1];
    if (!last || page.length < BATCH) break;
    syncCursor = { occurredAt: last.occurredAt, id: last.id };
  }

  const rollups = [...pending.values()].map((p) => {
    const sum = (f: (d: RollupDelta) => number) => p.deltas.reduce((a, d) => a + f(d), 0);
    return {
      day: p.day,
      targetId: p.targetId,
      mode: p.target.mode,
      environment: p.target.environment,
      deployments: sum((d) => d.deployments),
      succeeded: sum((d) => d.succeeded),
      failures: sum((d) => d.failures),
      leadTimeCount: sum((d) => (d.leadTimeMs === null ? 0 : 1)),
      leadTimeSumMs: sum((d) => d.leadTimeMs ?? 0),
      approvalWaitCount: sum((d) => (d.approvalWaitMs === null ? 0 : 1)),
      approvalWaitSumMs: sum((d) => d.approvalWaitMs ?? 0),
      restoreCount: sum((d) => (d.restoreMs === null ? 0 : 1)),
      restoreSumMs: sum((d) => d.restoreMs ?? 0),
      driftDetected: sum((d) => d.driftDetected),
      driftCorrected: sum((d) => d.driftCorrected),
    };
  });
  const histogram = new Map<string, { day: Date; targetId: string; mode: string; environment: string; metric: string; bucket: number; count: number }>();
  for (const p of pending.values()) {
    for (const d of p.deltas) {
      for (const h of histogramIncrements(d)) {
        const key = `${p.day.toISOString()}|${p.targetId}|${h.metric}|${h.bucket}`;
        const row = histogram.get(key) ?? { day: p.day, targetId: p.targetId, mode: p.target.mode, environment: p.target.environment, metric: h.metric, bucket: h.bucket, count: 0 };
        row.count++;
        histogram.set(key, row);
      }
    }
  }

  await client.$transaction(async (tx) => {
    await tx.deliveryHistogram.deleteMany({ where: { day: { gte: from, lt: to } } });
    await tx.deliveryRollup.deleteMany({ where: { day: { gte: from, lt: to } } });
    for (let i = 0; i < rollups.length; i += 500) await tx.deliveryRollup.createMany({ data: rollups.slice(i, i + 500) });
    const hist = [...histogram.values()];
    for (let i = 0; i < hist.length; i += 500) await tx.deliveryHistogram.createMany({ data: hist.slice(i, i + 500) });
    // The recovery marks the lists filter on (time to restore), recomputed like the sums.
    await tx.deployment.updateMany({ where: { finishedAt: { gte: from, lt: to }, outageStartedAt: { not: null } }, data: { outageStartedAt: null } });
    for (const o of deploymentOutages) await tx.deployment.update({ where: { id: o.id }, data: { outageStartedAt: o.at } });
    await tx.syncEvent.updateMany({ where: { occurredAt: { gte: from, lt: to }, outageStartedAt: { not: null } }, data: { outageStartedAt: null } });
    for (const o of syncOutages) await tx.syncEvent.update({ where: { id: o.id }, data: { outageStartedAt: o.at } });
    for (const c of committedBackfill) await tx.syncEvent.update({ where: { id: c.id }, data: { committedAt: c.at } });
  }, { timeout: 120_000 });
  return { days: Math.round((to.getTime() - from.getTime()) / DAY_MS), rows: rollups.length };
}
