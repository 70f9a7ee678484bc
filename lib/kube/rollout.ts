import { StreamUnsupported, type KubeClient } from "./client";
import { KubeError, toKubeError } from "./errors";
import { sleep } from "./retry";
import { formatRef, groupByCollection, groupOf, isRecord, refOf, type KubeObject, type ObjectRef } from "./types";

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
  /**
   * First and largest polling interval (defaults 250 ms and 2 s): quick feedback for fast rollouts, little load for
   * slow ones; with `watch`, the backoff between failed watches.
   */
  minIntervalMs?: number;
  maxIntervalMs?: number;
  /**
   * Follow each kind and namespace with a list and a watch (kubectl rollout status's way) instead of polling each
   * workload: a rollout is seen done as the server records it, not up to a poll interval later. Each watch holds a
   * connection of its own (outside the client's pool) while it runs; where the credential may not list or watch, the
   * workloads are polled all the same.
   */
  watch?: boolean;
  /**
   * With `watch`, the cap on watches open at once that this wait shares with others (see WatchBudget): a kind and
   * namespace that finds it spent is polled instead. Without it, each kind and namespace gets its watch.
   */
  watchBudget?: WatchBudget;
}

/**
 * A cap on rollout watches open at once, shared by the waits given it — one for a whole agent, whatever its number of
 * applications. A watch holds a connection (outside the client's pool) for as long as its rollout takes, up to the
 * rollout timeout for one that never becomes ready; past the cap a wait polls its workloads as it does where watches
 * are not allowed, so a thousand rollouts at once cost `limit` connections, not a thousand.
 */
export class WatchBudget {
  readonly limit: number;
  #inUse = 0;

  constructor(limit: number) {
    this.limit = Math.max(0, Math.floor(limit));
  }

  /** Watches open now under this budget. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Takes one watch if the budget allows it; the caller releases it when its watch ends. */
  tryAcquire(): boolean {
    if (this.#inUse >= this.limit) return false;
    this.#inUse++;
    return true;
  }

  release(): void {
    this.#inUse = Math.max(0, this.#inUse - 1);
  }
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

/** What following one workload needs: its status function, the last status seen, and how it ended. */
interface Followed {
  ref: ObjectRef;
  tracker: (obj: KubeObject) => Status;
  last?: Status;
  result?: RolloutResult;
}

interface FollowContext {
  deadline: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: RolloutProgress) => void;
}

/** Records a workload's status (reporting it when it changed) and ends it when it is no longer progressing. */
function observe(entry: Followed, live: KubeObject | undefined, ctx: FollowContext): void {
  if (entry.result) return;
  const { ref } = entry;
  const status: Status = !live
    ? {
        state: "failed",
        ready: 0,
        desired: entry.last?.desired ?? 0,
        message: `${ref.kind.toLowerCase()} "${ref.name}" was deleted`,
      }
    : entry.tracker(live);
  const last = entry.last;
  if (status.message !== last?.message || status.ready !== last?.ready || status.state !== last?.state) {
    ctx.onProgress?.({
      kind: ref.kind,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      name: ref.name,
      ready: status.ready,
      desired: status.desired,
      message: status.message,
      state: status.state,
    });
  }
  entry.last = status;
  if (status.state !== "progressing")
    entry.result = { ref, state: status.state, message: status.message, ready: status.ready, desired: status.desired };
}

/** Ends what is still progressing: cancelled, or timed out with its last status. */
function endUnfinished(entries: Followed[], ctx: FollowContext): void {
  for (const entry of entries) {
    if (entry.result) continue;
    const ready = entry.last?.ready ?? 0;
    const desired = entry.last?.desired ?? 0;
    entry.result = ctx.signal?.aborted
      ? { ref: entry.ref, state: "failed", message: "rollout wait cancelled", ready, desired }
      : {
          ref: entry.ref,
          state: "timeout",
          message: `timed out after ${formatSeconds(ctx.timeoutMs)} waiting for rollout${entry.last ? `: ${entry.last.message}` : ""}`,
          ready,
          desired,
        };
  }
}

/** Polls one workload with backoff: where a watch is not allowed (a credential may get but not list or watch). */
async function poll(
  client: KubeClient,
  entry: Followed,
  ctx: FollowContext,
  minInterval: number,
  maxInterval: number,
): Promise<void> {
  let interval = minInterval;
  while (!entry.result) {
    if (ctx.signal?.aborted || Date.now() >= ctx.deadline) return endUnfinished([entry], ctx);
    let live: KubeObject | undefined;
    try {
      live = await client.get(entry.ref, ctx.signal ? { signal: ctx.signal } : {});
    } catch (err) {
      if (ctx.signal?.aborted) continue;
      throw toKubeError(err, { cluster: client.cluster, object: entry.ref, operation: "wait for rollout" });
    }
    const before = entry.last;
    observe(entry, live, ctx);
    if (entry.result) return;
    // Back to quick polling whenever something moves.
    const moved = entry.last?.message !== before?.message || entry.last?.ready !== before?.ready;
    interval = moved ? minInterval : Math.min(maxInterval, interval * 2);
    try {
      await sleep(Math.min(interval, Math.max(0, ctx.deadline - Date.now())), ctx.signal);
    } catch {
      // Aborted; the loop head reports it.
    }
  }
}

/** Whether a failed list or watch means "not allowed / not possible here": then the workloads are polled instead. */
function watchUnavailable(err: unknown): boolean {
  return err instanceof StreamUnsupported || (err instanceof KubeError && [403, 405].includes(err.code));
}

/**
 * Follows the workloads of one collection (kind and namespace) with one list and a watch from its resourceVersion,
 * kubectl rollout status's way: a change is seen as the server makes it, not at the next poll. A watch the server
 * closes (its timeout, a version too old) is resumed from a fresh list.
 */
async function follow(
  client: KubeClient,
  entries: Followed[],
  ctx: FollowContext,
  minInterval: number,
  maxInterval: number,
): Promise<void> {
  const { apiVersion, kind, namespace } = entries[0]!.ref;
  const byName = new Map(entries.map((e) => [e.ref.name, e]));
  const pending = () => entries.filter((e) => !e.result);
  // One workload: only its own events; several: the collection's, others ignored.
  const fieldSelector = entries.length === 1 ? `metadata.name=${entries[0]!.ref.name}` : undefined;
  const scope = { ...(namespace ? { namespace } : {}), ...(fieldSelector ? { fieldSelector } : {}) };
  let failures = 0;
  while (pending().length > 0) {
    if (ctx.signal?.aborted || Date.now() >= ctx.deadline) return endUnfinished(entries, ctx);
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    ctx.signal?.addEventListener("abort", onAbort);
    const timer = setTimeout(onAbort, Math.max(0, ctx.deadline - Date.now()));
    try {
      const listed = await client.listPage(apiVersion, kind, { ...scope, signal: stop.signal });
      const live = new Map(listed.items.map((item) => [item.metadata.name, item]));
      // A partial page cannot prove a workload is gone: only those it holds are judged.
      for (const entry of pending())
        if (listed.complete || live.has(entry.ref.name)) observe(entry, live.get(entry.ref.name), ctx);
      if (pending().length === 0) return;
      await client.watch(
        apiVersion,
        kind,
        {
          ...scope,
          ...(listed.resourceVersion ? { resourceVersion: listed.resourceVersion } : {}),
          timeoutSeconds: Math.max(1, Math.min(300, Math.ceil((ctx.deadline - Date.now()) / 1000))),
          signal: stop.signal,
        },
        (event) => {
          const entry = byName.get(event.object.metadata.name);
          if (!entry) return;
          observe(entry, event.type === "DELETED" ? undefined : event.object, ctx);
          if (pending().length === 0) stop.abort();
        },
      );
      failures = 0;
    } catch (err) {
      if (pending().length === 0) return;
      if (stop.signal.aborted) continue;
      if (watchUnavailable(err)) {
        await Promise.all(pending().map((entry) => poll(client, entry, ctx, minInterval, maxInterval)));
        return;
      }
      // 410 Gone (the version is too old), a dropped connection, a busy server: list again, with backoff while it keeps
      // failing. Anything else (401, a kind no longer served) is the cluster saying no.
      const again =
        !(err instanceof KubeError) || err.code === 410 || err.code === 0 || err.code === 429 || err.code >= 500;
      if (!again || ++failures >= 5) throw toKubeError(err, { cluster: client.cluster, operation: "wait for rollout" });
      await sleep(Math.min(maxInterval, minInterval * 2 ** failures), ctx.signal).catch(() => undefined);
    } finally {
      clearTimeout(timer);
      ctx.signal?.removeEventListener("abort", onAbort);
    }
  }
}

/**
 * Waits until every Deployment, StatefulSet, DaemonSet and Job among `objects` has rolled out (other kinds are
 * ignored), polling each with backoff — or, with `watch`, following each kind and namespace with a watch (within
 * `watchBudget`, if given) — and reporting progress whenever it changes. A workload fails on
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
  const ctx: FollowContext = {
    deadline: Date.now() + timeoutMs,
    timeoutMs,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
  const minInterval = opts.minIntervalMs ?? 250;
  const maxInterval = opts.maxIntervalMs ?? 2000;
  const entries: Followed[] = objects
    .map(refOf)
    .filter(isTrackedWorkload)
    .map((ref) => ({ ref, tracker: trackerFor(ref)! }));
  const budget = opts.watchBudget;
  await Promise.all(
    groupByCollection(entries, (entry) => entry.ref).map(async ({ members: group }) => {
      if (opts.watch && (!budget || budget.tryAcquire())) {
        try {
          return await follow(client, group, ctx, minInterval, maxInterval);
        } finally {
          budget?.release();
        }
      }
      await Promise.all(group.map((entry) => poll(client, entry, ctx, minInterval, maxInterval)));
    }),
  );
  endUnfinished(entries, ctx);
  const results = entries.map((e) => e.result!);
  return { ok: results.every((r) => r.state === "ready"), results };
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))}s` : `${Math.round(ms / 1000)}s`;
}

/** Throws a RolloutError naming every failed or timed-out workload. */
export function assertRolloutSucceeded(report: RolloutReport): void {
  if (!report.ok) throw new RolloutError(report.results);
}
