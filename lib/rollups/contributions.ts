import { bucketOf, type TRollupMetric } from "./buckets";

/**
 * What one delivery outcome adds to its day's rollup. The same functions serve the incremental path (a deployment
 * finishes, a sync event arrives) and the rebuild, so the two cannot disagree on the rules:
 * - push: a deployment that ends `succeeded` or `failed` is one delivery; lead time (success only) runs from the Git
 *   commit (commitAt) — or, for pasted/uploaded manifests, from the request (createdAt) — to finishedAt;
 * - pull: a sync event `synced` (a revision applied) or `failed` is one delivery; lead time runs from the revision's
 *   commit time to the event, only for commits made once the repository was registered (leadTimeCommitAt);
 *   `drift-detected` and `drift-corrected` count as drift, not as deliveries. A correction is also a detection: with
 *   self-heal on the agent finds and corrects a drift in one pass and reports only `drift-corrected`, so "drift
 *   detected" counts both results and "drift corrected" the corrections;
 * - push drift: a PushDriftEvent (a status read found the application's objects differing from its last deployment,
 *   once per change of the drifted fields, as the agent reports `drift-detected` once per change) counts exactly as a
 *   pull `drift-detected` event (pushDriftDelta). Push has no self-heal, so nothing counts as "drift corrected": a
 *   later push deployment that overwrites the drift is a delivery, as a pull sync of a new revision over a drift is;
 * - time to restore: from the first failure after the last success to the next success on the same line (target
 *   for push, repository for pull);
 * - approval wait: request (createdAt) → approvedAt, for deployments that actually waited for people's approvals,
 *   counted on the day of the approval.
 */
export interface RollupDelta {
  /** UTC midnight of the day the outcome belongs to. */
  day: Date;
  deployments: number;
  succeeded: number;
  failures: number;
  driftDetected: number;
  driftCorrected: number;
  leadTimeMs: number | null;
  approvalWaitMs: number | null;
  restoreMs: number | null;
}

/** UTC midnight of the instant's day. */
export function utcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

function empty(at: Date): RollupDelta {
  return {
    day: utcDay(at),
    deployments: 0,
    succeeded: 0,
    failures: 0,
    driftDetected: 0,
    driftCorrected: 0,
    leadTimeMs: null,
    approvalWaitMs: null,
    restoreMs: null,
  };
}

const nonNegative = (ms: number) => Math.max(0, ms);

/** A push deployment reached `succeeded` or `failed`. `restoreFrom` is the first failure since the last success (successes only). */
export function deploymentFinishDelta(d: {
  state: "succeeded" | "failed";
  finishedAt: Date;
  createdAt: Date;
  commitAt: Date | null;
  restoreFrom: Date | null;
}): RollupDelta {
  const delta = empty(d.finishedAt);
  delta.deployments = 1;
  if (d.state === "failed") {
    delta.failures = 1;
    return delta;
  }
  delta.succeeded = 1;
  delta.leadTimeMs = nonNegative(d.finishedAt.getTime() - (d.commitAt ?? d.createdAt).getTime());
  if (d.restoreFrom) delta.restoreMs = nonNegative(d.finishedAt.getTime() - d.restoreFrom.getTime());
  return delta;
}

/** A deployment that waited for approvals was approved. */
export function approvalDelta(d: { createdAt: Date; approvedAt: Date }): RollupDelta {
  const delta = empty(d.approvedAt);
  delta.approvalWaitMs = nonNegative(d.approvedAt.getTime() - d.createdAt.getTime());
  return delta;
}

/** Results of a pull sync that end a run of failures (the repository is in sync again). */
export const PULL_HEALTHY_RESULTS = ["synced", "drift-corrected"] as const;

/**
 * The commit time a pull sync's lead time is measured from: the revision's commit time, or null when the commit was
 * made before the repository was registered. Registering a repository whose branch points at a month-old commit
 * delivers nothing that was waited for; measuring that first sync would put "30 d" into the lead time. Later commits
 * (made while Wharf watched the repository) are measured as usual. Null `registeredAt` (repository gone) keeps the
 * commit time. Stored as SyncEvent.committedAt, so the lead-time link lists exactly the measured rows.
 */
export function leadTimeCommitAt(committedAt: Date | null, registeredAt: Date | null): Date | null {
  if (!committedAt) return null;
  if (registeredAt && committedAt.getTime() < registeredAt.getTime()) return null;
  return committedAt;
}

/** A sync event arrived. Null for results that are not delivery figures (`pending-approval`). */
export function syncDelta(e: {
  result: string;
  occurredAt: Date;
  committedAt: Date | null;
  restoreFrom: Date | null;
}): RollupDelta | null {
  const delta = empty(e.occurredAt);
  const at = e.occurredAt.getTime();
  switch (e.result) {
    case "synced":
      delta.deployments = 1;
      delta.succeeded = 1;
      if (e.committedAt) delta.leadTimeMs = nonNegative(at - e.committedAt.getTime());
      break;
    case "failed":
      delta.deployments = 1;
      delta.failures = 1;
      return delta;
    case "drift-detected":
      delta.driftDetected = 1;
      return delta;
    case "drift-corrected":
      delta.driftDetected = 1;
      delta.driftCorrected = 1;
      break;
    default:
      return null;
  }
  if (e.restoreFrom) delta.restoreMs = nonNegative(at - e.restoreFrom.getTime());
  return delta;
}

/**
 * A push status read recorded a drift (PushDriftEvent): the same contribution as a pull `drift-detected` event — one
 * drift detected on the day it was found, nothing else — so the comparison's two figures have one definition.
 */
export function pushDriftDelta(e: { occurredAt: Date }): RollupDelta {
  return syncDelta({ result: "drift-detected", occurredAt: e.occurredAt, committedAt: null, restoreFrom: null })!;
}

/** The histogram increments a delta implies: (metric, bucket) pairs, one per measured duration. */
export function histogramIncrements(delta: RollupDelta): { metric: TRollupMetric; bucket: number }[] {
  const out: { metric: TRollupMetric; bucket: number }[] = [];
  if (delta.leadTimeMs !== null) out.push({ metric: "lead-time", bucket: bucketOf(delta.leadTimeMs) });
  if (delta.approvalWaitMs !== null) out.push({ metric: "approval-wait", bucket: bucketOf(delta.approvalWaitMs) });
  if (delta.restoreMs !== null) out.push({ metric: "restore", bucket: bucketOf(delta.restoreMs) });
  return out;
}

/** Whether a delta changes anything at all (so the caller can skip the write). */
export function isEmptyDelta(delta: RollupDelta): boolean {
  return (
    delta.deployments === 0 &&
    delta.driftDetected === 0 &&
    delta.driftCorrected === 0 &&
    delta.leadTimeMs === null &&
    delta.approvalWaitMs === null &&
    delta.restoreMs === null
  );
}
