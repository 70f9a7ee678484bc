import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { refKey } from "@/lib/kube/types";
import type { RequestTiming } from "@/lib/metrics/timed-route";
import { notifyWake } from "@/lib/wake/data/notify-wake";
import { longPoll } from "@/lib/wake/long-poll";
import { wake } from "@/lib/wake/notifier";
import { heartbeatLease, type HeartbeatResult } from "./executor-lease";
import {
  EXECUTION_PHASES,
  progressPercent,
  type DeploymentProgress,
  type DeploymentProgressLog,
  type DeploymentProgressObject,
  type TExecutionPhase,
} from "../progress-view";

/** One manifest object as recorded before anything is applied. */
export interface PlannedObject {
  position: number;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
}

export type ObjectAction = "pending" | "created" | "configured" | "unchanged" | "pruned" | "failed";
export type LogLevel = "info" | "warn" | "error";

/** A batch of progress to write at once; the executor collects results while the cluster work continues. */
export interface ProgressBatch {
  objects?: { position: number; action: ObjectAction; message?: string | null; namespace?: string | null }[];
  /** Objects discovered during the run (pruned leftovers), appended after the manifest's own positions. */
  extraObjects?: (PlannedObject & { action: ObjectAction; message?: string | null })[];
  logs?: { level: LogLevel; message: string; at?: Date }[];
  deployment?: { phase?: string; appliedCount?: number; readyReplicas?: number; desiredReplicas?: number };
}

const MAX_MESSAGE = 4000;

/** What earlier attempts of a deployment did, as their rows recorded it; a first attempt finds nothing. */
export interface EarlierOutcomes {
  /** Per manifest position: created / configured / unchanged, for objects an earlier attempt applied. */
  applied: Map<number, ObjectAction>;
  /** Leftovers earlier attempts pruned (`refKey`s); their rows stay and count for the deployment. */
  pruned: Set<string>;
  /** First position free for this attempt's own extra rows (after the manifest's and the kept ones). */
  nextExtraPosition: number;
}

const APPLIED_ACTIONS: ReadonlySet<string> = new Set(["created", "configured", "unchanged"]);

/**
 * Records the manifest's objects before anything is applied, and tells the run what earlier attempts did.
 *
 * A first attempt creates every row pending. A resumed attempt (the previous executor died or lost its lease) keeps
 * what the earlier attempts recorded — objects they applied keep their action, leftovers they pruned keep their
 * rows — because its own re-apply sees those objects as `unchanged` and finds nothing left to prune: the rows and
 * the result must say what the deployment as a whole did ("2 created, pruned 1"), not what the last attempt did.
 * Rows that did not end applied or pruned (pending, failed, a prune that failed) are reset; this attempt redoes them.
 * Null when this process no longer holds the claim.
 */
export async function planDeploymentObjects(opts: {
  deploymentId: string;
  processId: string;
  objects: PlannedObject[];
}): Promise<EarlierOutcomes | null> {
  const earlier = await db().$transaction(async (tx) => {
    const { count } = await tx.deployment.updateMany({
      where: { id: opts.deploymentId, claimedBy: opts.processId },
      data: {
        objectCount: opts.objects.length,
        appliedCount: 0,
        readyReplicas: 0,
        desiredReplicas: 0,
        phase: "applying",
      },
    });
    if (count === 0) return null;
    const existing = await tx.deploymentObject.findMany({ where: { deploymentId: opts.deploymentId } });
    const planned = new Map(opts.objects.map((o) => [o.position, o]));
    const earlier: EarlierOutcomes = { applied: new Map(), pruned: new Set(), nextExtraPosition: opts.objects.length };
    const keep = new Set<string>();
    for (const row of existing) {
      const plan = planned.get(row.position);
      const same = plan && plan.apiVersion === row.apiVersion && plan.kind === row.kind && plan.name === row.name;
      if (same && APPLIED_ACTIONS.has(row.action)) {
        earlier.applied.set(row.position, row.action as ObjectAction);
        keep.add(row.id);
      } else if (!plan && row.action === "pruned") {
        earlier.pruned.add(
          refKey({
            apiVersion: row.apiVersion,
            kind: row.kind,
            name: row.name,
            ...(row.namespace ? { namespace: row.namespace } : {}),
          }),
        );
        earlier.nextExtraPosition = Math.max(earlier.nextExtraPosition, row.position + 1);
        keep.add(row.id);
      }
    }
    const stale = existing.filter((row) => !keep.has(row.id)).map((row) => row.id);
    if (stale.length > 0) await tx.deploymentObject.deleteMany({ where: { id: { in: stale } } });
    const fresh = opts.objects.filter((o) => !earlier.applied.has(o.position));
    if (fresh.length > 0) {
      await tx.deploymentObject.createMany({
        data: fresh.map((o) => ({ deploymentId: opts.deploymentId, ...o, action: "pending", message: null })),
      });
    }
    await notifyWake(tx, "deployment", [opts.deploymentId]);
    return earlier;
  });
  if (earlier) wake("deployment", [opts.deploymentId]);
  return earlier;
}

/**
 * Writes a batch of object results, log lines and counters in one transaction. The deployment's counters are only
 * written while this process holds the claim; object rows and logs belong to the run and are written regardless, since
 * the caller stops as soon as a heartbeat reports the claim lost.
 */
export async function writeProgress(opts: {
  deploymentId: string;
  processId: string;
  batch: ProgressBatch;
}): Promise<void>;
/** With `lease`: renews it in the same transaction (the executor's checkpoint) and says whether it is still held. */
export async function writeProgress(opts: {
  deploymentId: string;
  processId: string;
  batch: ProgressBatch;
  lease: { leaseMs: number };
}): Promise<HeartbeatResult>;
export async function writeProgress(opts: {
  deploymentId: string;
  processId: string;
  batch: ProgressBatch;
  lease?: { leaseMs: number };
}): Promise<HeartbeatResult | void> {
  const { batch } = opts;
  const hasProgress =
    Boolean(batch.objects?.length) ||
    Boolean(batch.extraObjects?.length) ||
    Boolean(batch.logs?.length) ||
    Object.keys(batch.deployment ?? {}).length > 0;
  // Objects that end the same way (a phase's "created", no message, one namespace) are one update, not one each: a
  // 200-object apply writes a handful of statements per batch instead of 200.
  type Outcome = { action: ObjectAction; message: string | null; namespace?: string | null };
  const sameOutcome = new Map<string, { data: Outcome; positions: number[] }>();
  for (const o of batch.objects ?? []) {
    const data: Outcome = {
      action: o.action,
      message: o.message ? o.message.slice(0, MAX_MESSAGE) : null,
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    };
    const key = JSON.stringify(data);
    const group = sameOutcome.get(key) ?? { data, positions: [] };
    group.positions.push(o.position);
    sameOutcome.set(key, group);
  }
  const beat = await db().$transaction(async (tx) => {
    for (const { data, positions } of sameOutcome.values()) {
      // At most 500 positions a statement: well inside every database's limit on bound parameters.
      for (let i = 0; i < positions.length; i += 500) {
        await tx.deploymentObject.updateMany({
          where: { deploymentId: opts.deploymentId, position: { in: positions.slice(i, i + 500) } },
          data,
        });
      }
    }
    if (batch.extraObjects?.length) {
      await tx.deploymentObject.createMany({
        data: batch.extraObjects.map((o) => ({
          deploymentId: opts.deploymentId,
          position: o.position,
          apiVersion: o.apiVersion,
          kind: o.kind,
          namespace: o.namespace,
          name: o.name,
          action: o.action,
          message: o.message ? o.message.slice(0, MAX_MESSAGE) : null,
        })),
      });
    }
    if (batch.logs?.length) {
      // One multi-row INSERT, not one round trip per line: `seq` follows VALUES order on both databases (as
      // lib/cli/seed-scale.ts relies on for the audit chain), so lines keep their write order.
      await tx.deploymentLog.createMany({
        data: batch.logs.map((log) => ({
          deploymentId: opts.deploymentId,
          level: log.level,
          message: log.message.slice(0, MAX_MESSAGE),
          ...(log.at ? { at: log.at } : {}),
        })),
      });
    }
    if (batch.deployment && Object.keys(batch.deployment).length > 0) {
      await tx.deployment.updateMany({
        where: { id: opts.deploymentId, claimedBy: opts.processId },
        data: batch.deployment,
      });
    }
    // Pages following this deployment's progress (lib/wake): other processes on commit, this one just below.
    if (hasProgress) await notifyWake(tx, "deployment", [opts.deploymentId]);
    return opts.lease
      ? heartbeatLease({ deploymentId: opts.deploymentId, processId: opts.processId, leaseMs: opts.lease.leaseMs }, tx)
      : undefined;
  });
  if (hasProgress) wake("deployment", [opts.deploymentId]);
  return beat;
}

const MAX_LOGS_PER_CALL = 500;

/**
 * Progress long polls held at once in one process. Each holds a request and a timer, not a connection to the
 * database; past this the page gets RATE_LIMITED and backs off, so memory stays bounded however many tabs are open.
 */
export const MAX_PROGRESS_WAITERS = 1000;

export interface PollProgressOptions {
  deploymentId: string;
  /** The last log `seq` the client holds; any line after it is news. */
  afterLog?: number | undefined;
  /** The `version` the client holds; absent answers at once. */
  after?: string | undefined;
  /** How long to hold the request when nothing is new; 0 answers at once. */
  waitMs: number;
  /** Aborted when the client goes away. */
  signal?: AbortSignal | undefined;
  /** The route's request timer (see lib/wake/long-poll.ts). */
  timing?: RequestTiming | undefined;
}

/**
 * A deployment's live progress for the page: counters, every object's result, and the log lines after `afterLog` (so
 * a poller only receives what it has not seen); NOT_FOUND for an unknown id. Also the page's long poll: answers at once when the progress differs from `after` or has log lines after
 * `afterLog`; otherwise holds the request until the executor writes progress or changes the state (woken through
 * lib/wake, `deployment` topic, from this process or, on PostgreSQL, another), re-reading once a second as the
 * fallback, and answers `changed: false` after `waitMs` or when the client goes away.
 */
export async function pollDeploymentProgress(opts: PollProgressOptions): Promise<DeploymentProgress> {
  const { changed, value } = await longPoll({
    topic: "deployment",
    id: opts.deploymentId,
    read: () => readProgress(opts),
    isNew: (p) => opts.after === undefined || p.version !== opts.after || p.logs.length > 0,
    waitMs: opts.waitMs,
    signal: opts.signal,
    timing: opts.timing,
    maxHeld: MAX_PROGRESS_WAITERS,
  });
  return { ...value, changed };
}

/** One read of the progress and its version. */
async function readProgress(opts: {
  deploymentId: string;
  afterLog?: number | undefined;
}): Promise<Omit<DeploymentProgress, "changed">> {
  const row = await db().deployment.findUnique({
    where: { id: opts.deploymentId },
    select: {
      id: true,
      state: true,
      phase: true,
      appliedCount: true,
      objectCount: true,
      readyReplicas: true,
      desiredReplicas: true,
      startedAt: true,
      finishedAt: true,
      resultMessage: true,
      cancelRequested: true,
    },
  });
  if (!row) throw new AppError("NOT_FOUND", "There is no deployment with this id.");
  const [objects, logs] = await Promise.all([
    db().deploymentObject.findMany({ where: { deploymentId: row.id }, orderBy: { position: "asc" } }),
    db().deploymentLog.findMany({
      where: { deploymentId: row.id, ...(opts.afterLog !== undefined ? { seq: { gt: opts.afterLog } } : {}) },
      orderBy: { seq: "asc" },
      take: MAX_LOGS_PER_CALL,
    }),
  ]);
  const phase = (EXECUTION_PHASES as readonly string[]).includes(row.phase ?? "")
    ? (row.phase as TExecutionPhase)
    : null;
  const progress = {
    id: row.id,
    state: row.state,
    phase,
    appliedCount: row.appliedCount,
    objectCount: row.objectCount,
    readyReplicas: row.readyReplicas,
    desiredReplicas: row.desiredReplicas,
    ...progressPercent({ ...row, phase }),
    objects: objects.map((o) => ({
      position: o.position,
      apiVersion: o.apiVersion,
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      action: o.action as DeploymentProgressObject["action"],
      message: o.message,
    })),
    logs: logs.map((l) => ({
      seq: l.seq,
      at: l.at.toISOString(),
      level: l.level as DeploymentProgressLog["level"],
      message: l.message,
    })),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    resultMessage: row.resultMessage,
    cancelRequested: row.cancelRequested,
  };
  const { logs: _logs, ...versioned } = progress;
  const version = createHash("sha256").update(JSON.stringify(versioned)).digest("hex").slice(0, 32);
  return { ...progress, version };
}
