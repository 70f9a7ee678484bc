import type { KubeClient } from "./client";
import { toKubeError } from "./errors";
import { sleep } from "./retry";
import { formatRef, groupOf, isRecord, refOf, type KubeObject, type ObjectRef } from "./types";

/** Progress of one workload, for the UI. */
export interface RolloutProgress {
  kind: string;
  namespace?: string;
  name: string;
  ready: number;
  desired: number;
  /** kubectl-style status line, e.g. "Waiting for deployment web rollout to finish: 1 of 3 updated replicas are available". */
  message: string;
  state: "progressing" | "ready" | "failed";
}

export interface RolloutOptions {
  /** Overall deadline for all workloads (default 5 minutes). */
  timeoutMs?: number;
  onProgress?: (progress: RolloutProgress) => void;
  signal?: AbortSignal;
  /** First and largest polling interval (defaults 250 ms and 2 s): quick feedback for fast rollouts, little load for slow ones. */
  minIntervalMs?: number;
  maxIntervalMs?: number;
}

export interface RolloutResult {
  ref: ObjectRef;
  state: "ready" | "failed" | "timeout";
  message: string;
  ready: number;
  desired: number;
}

export interface RolloutReport {
  ok: boolean;
  results: RolloutResult[];
}

/** Raised by `assertRolloutSucceeded` when any workload failed or timed out; `results` has each one's message. */
export class RolloutError extends Error {
  override readonly name = "RolloutError";
  readonly results: RolloutResult[];

  constructor(results: RolloutResult[]) {
    const failed = results.filter((r) => r.state !== "ready");
    super(failed.map((r) => `${formatRef(r.ref)}: ${r.message}`).join("; "));
    this.results = results;
  }
}

type Status = { state: RolloutProgress["state"]; ready: number; desired: number; message: string };

function num(value: unknown, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function conditions(obj: KubeObject): Record<string, unknown>[] {
  const status = isRecord(obj.status) ? obj.status : {};
  return Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
}

function condition(obj: KubeObject, type: string): Record<string, unknown> | undefined {
  return conditions(obj).find((c) => c.type === type);
}

function observed(obj: KubeObject): boolean {
  const status = isRecord(obj.status) ? obj.status : {};
  return num(obj.metadata.generation) <= num(status.observedGeneration, -1);
}

/** Mirrors `kubectl rollout status` for Deployments. */
export function deploymentStatus(obj: KubeObject): Status {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  const name = obj.metadata.name;
  const desired = num(spec.replicas, 1);
  const updated = num(status.updatedReplicas);
  const available = num(status.availableReplicas);
  const ready = Math.min(num(status.readyReplicas), desired);
  if (!observed(obj))
    return { state: "progressing", ready, desired, message: "Waiting for deployment spec update to be observed" };
  const progressing = condition(obj, "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    const detail = typeof progressing.message === "string" && progressing.message ? ` (${progressing.message})` : "";
    return { state: "failed", ready, desired, message: `deployment "${name}" exceeded its progress deadline${detail}` };
  }
  if (updated < desired) {
    return {
      state: "progressing",
      ready,
      desired,
      message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${desired} new replicas have been updated`,
    };
  }
  if (num(status.replicas) > updated) {
    return {
      state: "progressing",
      ready,
      desired,
      message: `Waiting for deployment "${name}" rollout to finish: ${num(status.replicas) - updated} old replicas are pending termination`,
    };
  }
  if (available < updated) {
    return {
      state: "progressing",
      ready,
      desired,
      message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available`,
    };
  }
  return { state: "ready", ready: desired, desired, message: `deployment "${name}" successfully rolled out` };
}

/** Mirrors `kubectl rollout status` for StatefulSets (RollingUpdate, with partitions). */
export function statefulSetStatus(obj: KubeObject): Status {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  const name = obj.metadata.name;
  const desired = num(spec.replicas, 1);
  const ready = Math.min(num(status.readyReplicas), desired);
  const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : {};
  if (strategy.type === "OnDelete") {
    return {
      state: "ready",
      ready,
      desired,
      message: `statefulset "${name}" uses the OnDelete strategy; rollout is not tracked`,
    };
  }
  if (!observed(obj))
    return { state: "progressing", ready, desired, message: "Waiting for statefulset spec update to be observed" };
  if (ready < desired) {
    return { state: "progressing", ready, desired, message: `Waiting for ${desired - ready} pods to be ready` };
  }
  const rolling = isRecord(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
  const partition = num(rolling.partition);
  if (partition > 0) {
    const updated = num(status.updatedReplicas);
    if (updated < desired - partition) {
      return {
        state: "progressing",
        ready,
        desired,
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${desired - partition} new pods have been updated`,
      };
    }
    return {
      state: "ready",
      ready,
      desired,
      message: `partitioned roll out complete: ${updated} new pods have been updated`,
    };
  }
  if (status.updateRevision !== status.currentRevision) {
    return {
      state: "progressing",
      ready,
      desired,
      message: `waiting for statefulset "${name}" rolling update to complete ${num(status.updatedReplicas)} pods at revision ${String(status.updateRevision)}`,
    };
  }
  return {
    state: "ready",
    ready,
    desired,
    message:
      `statefulset "${name}" rolling update complete ${desired} pods at revision ${String(status.currentRevision ?? "")}`.trim(),
  };
}

/** Mirrors `kubectl rollout status` for DaemonSets. */
export function daemonSetStatus(obj: KubeObject): Status {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  const name = obj.metadata.name;
  const desired = num(status.desiredNumberScheduled);
  const updated = num(status.updatedNumberScheduled);
  const available = num(status.numberAvailable);
  const ready = Math.min(num(status.numberReady), desired);
  const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : {};
  if (strategy.type === "OnDelete") {
    return {
      state: "ready",
      ready,
      desired,
      message: `daemon set "${name}" uses the OnDelete strategy; rollout is not tracked`,
    };
  }
  if (!observed(obj))
    return { state: "progressing", ready, desired, message: "Waiting for daemon set spec update to be observed" };
  if (updated < desired) {
    return {
      state: "progressing",
      ready,
      desired,
      message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated`,
    };
  }
  if (available < desired) {
    return {
      state: "progressing",
      ready,
      desired,
      message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available`,
    };
  }
  return { state: "ready", ready: desired, desired, message: `daemon set "${name}" successfully rolled out` };
}

/** A Job is done when Complete, failed when Failed (backoff limit, deadline…). */
export function jobStatus(obj: KubeObject): Status {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  const name = obj.metadata.name;
  const desired = num(spec.completions, 1);
  const succeeded = Math.min(num(status.succeeded), desired);
  const failed = condition(obj, "Failed");
  if (failed?.status === "True") {
    const reason = typeof failed.reason === "string" ? failed.reason : "Failed";
    const detail = typeof failed.message === "string" && failed.message ? `: ${failed.message}` : "";
    return { state: "failed", ready: succeeded, desired, message: `job "${name}" failed (${reason})${detail}` };
  }
  if (condition(obj, "Complete")?.status === "True") {
    return { state: "ready", ready: desired, desired, message: `job "${name}" completed` };
  }
  return {
    state: "progressing",
    ready: succeeded,
    desired,
    message: `Waiting for job "${name}" to complete: ${succeeded} of ${desired} completions`,
  };
}

const TRACKERS: Record<string, (obj: KubeObject) => Status> = {
  "apps/Deployment": deploymentStatus,
  "apps/StatefulSet": statefulSetStatus,
  "apps/DaemonSet": daemonSetStatus,
  "batch/Job": jobStatus,
};

function trackerFor(ref: { apiVersion: string; kind: string }): ((obj: KubeObject) => Status) | undefined {
  return TRACKERS[`${groupOf(ref.apiVersion)}/${ref.kind}`];
}

/** Whether `waitForRollout` tracks this kind (Deployment, StatefulSet, DaemonSet, Job). */
export function isTrackedWorkload(ref: { apiVersion: string; kind: string }): boolean {
  return trackerFor(ref) !== undefined;
}

/**
 * Waits until every Deployment, StatefulSet, DaemonSet and Job among `objects` has rolled out (other kinds are
 * ignored), polling each with backoff and reporting progress whenever it changes. A workload fails on
 * ProgressDeadlineExceeded, a failed Job, deletion, or the overall timeout; the others keep being tracked so the
 * report is complete. Never throws for rollout failures (see `assertRolloutSucceeded`); throws KubeError only when
 * the cluster cannot be read at all (e.g. 401/403).
 */
export async function waitForRollout(
  client: KubeClient,
  objects: (KubeObject | ObjectRef)[],
  opts: RolloutOptions = {},
): Promise<RolloutReport> {
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const minInterval = opts.minIntervalMs ?? 250;
  const maxInterval = opts.maxIntervalMs ?? 2000;
  const refs = objects.map(refOf).filter(isTrackedWorkload);

  const results = await Promise.all(
    refs.map(async (ref): Promise<RolloutResult> => {
      let interval = minInterval;
      let last: Status | undefined;
      let lastMessage = "";
      for (;;) {
        if (opts.signal?.aborted) {
          return {
            ref,
            state: "failed",
            message: "rollout wait cancelled",
            ready: last?.ready ?? 0,
            desired: last?.desired ?? 0,
          };
        }
        let live: KubeObject | undefined;
        try {
          live = await client.get(ref, opts.signal ? { signal: opts.signal } : {});
        } catch (err) {
          if (opts.signal?.aborted) continue;
          throw toKubeError(err, { cluster: client.cluster, object: ref, operation: "wait for rollout" });
        }
        const tracker = trackerFor(ref);
        const status: Status = !live
          ? {
              state: "failed",
              ready: 0,
              desired: last?.desired ?? 0,
              message: `${ref.kind.toLowerCase()} "${ref.name}" was deleted`,
            }
          : (tracker as (obj: KubeObject) => Status)(live);
        if (status.message !== lastMessage || status.ready !== last?.ready || status.state !== last?.state) {
          opts.onProgress?.({
            kind: ref.kind,
            ...(ref.namespace ? { namespace: ref.namespace } : {}),
            name: ref.name,
            ready: status.ready,
            desired: status.desired,
            message: status.message,
            state: status.state,
          });
          // Back to quick polling whenever something moves.
          interval = minInterval;
        } else {
          interval = Math.min(maxInterval, interval * 2);
        }
        last = status;
        lastMessage = status.message;
        if (status.state !== "progressing")
          return { ref, state: status.state, message: status.message, ready: status.ready, desired: status.desired };
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          return {
            ref,
            state: "timeout",
            message: `timed out after ${formatSeconds(timeoutMs)} waiting for rollout: ${status.message}`,
            ready: status.ready,
            desired: status.desired,
          };
        }
        try {
          await sleep(Math.min(interval, remaining), opts.signal);
        } catch {
          // Aborted; the loop head reports it.
        }
      }
    }),
  );
  return { ok: results.every((r) => r.state === "ready"), results };
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))}s` : `${Math.round(ms / 1000)}s`;
}

/** Throws a RolloutError naming every failed or timed-out workload. */
export function assertRolloutSucceeded(report: RolloutReport): void {
  if (!report.ok) throw new RolloutError(report.results);
}
