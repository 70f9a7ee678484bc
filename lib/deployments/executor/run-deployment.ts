import "server-only";
import { setMaxListeners } from "node:events";
import { NO_REQUEST, type Actor } from "@/lib/audit/schemas";
import { targetConnection, type CredentialMaterial } from "@/lib/credentials/material";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { AppError } from "@/lib/errors";
import {
  applyManifests,
  applyPhases,
  createKubeClient,
  formatRef,
  isTrackedWorkload,
  KubeError,
  kubeConfigFor,
  ManifestError,
  parseManifests,
  pruneApplySet,
  refKey,
  refOf,
  waitForRollout,
  type ApplyResult,
  type ClusterConnection,
  type KubeClient,
  type KubeObject,
  type ObjectRef,
  type ObservedState,
  type RolloutProgress,
} from "@/lib/kube";
import { objectRefsFor, pushApplySet } from "../manifests";
import type { DeploymentClaim } from "../data/executor-claim";
import { releaseClaim } from "../data/executor-claim";
import { heartbeatLease, isCancelRequested, type HeartbeatResult } from "../data/executor-lease";
import { planDeploymentObjects, type EarlierOutcomes, type PlannedObject } from "../data/executor-progress";
import {
  finishClaimedDeployment,
  loadDeploymentForRun,
  startClaimedDeployment,
  type DeploymentRunInput,
  type FinishState,
} from "../data/executor-run";
import { computePreview, planDigest, planSummary } from "../preview";
import { publishApplyTiming } from "./apply-timing";
import { ProgressRecorder } from "./progress-recorder";
import { combinedAction } from "../progress-view";

/** A run that keeps being interrupted (the process dies on it every time) is failed instead of retried forever. */
export const MAX_ATTEMPTS = 5;

/**
 * Observes a run at the start of each checkpoint, before its transaction: before each apply phase (for a phase after
 * the first, as soon as the phase before has sent its last object, whose responses may still be on their way), before
 * the rollout wait (phase "waiting-rollout") and before pruning, which follows a successful rollout (phase "pruning");
 * awaited, so tests can act at a known point.
 */
export type PhaseHook = (event: {
  deploymentId: string;
  processId: string;
  phase: string;
  objects: number;
}) => Promise<void> | void;

export interface RunSettings {
  processId: string;
  leaseMs: number;
  rolloutTimeoutMs: number;
  /** Aborted when the executor is abandoned (process going away): stop at once, write nothing more. */
  signal?: AbortSignal;
  onPhase?: PhaseHook;
}

/** How a run ended for this process; `lost`/`abandoned` runs are finished by whoever claims them next. */
export type RunOutcome = {
  deploymentId: string;
  state: FinishState | "lost" | "abandoned" | "skipped";
  message: string;
};

/** The actor executor writes are attributed to in the audit trail. */
export function executorActor(processId: string): Actor {
  return { kind: "system", id: null, name: `executor ${processId}` };
}

/** The run must end without writing an outcome: the lease was lost or the executor is being abandoned. */
class Interrupted extends Error {}

class Stop extends Error {
  constructor(
    readonly state: FinishState,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs a deployment this process has claimed: start (or resume), record the plan, decrypt the target's credential
 * inside `withDecryptedCredential` (audited), apply phase by phase with server-side apply, prune what the previous
 * success left behind and this one dropped, wait for the rollout, and finish with one audited transition. A
 * heartbeat keeps the lease and watches for cancel requests; losing the lease stops all cluster work.
 */
export async function runClaimedDeployment(claim: DeploymentClaim, settings: RunSettings): Promise<RunOutcome> {
  const { processId } = settings;
  const id = claim.deploymentId;
  const actor = executorActor(processId);
  const input = await loadDeploymentForRun(id);
  if (!input || !["queued", "running"].includes(input.state)) {
    await releaseClaim({ deploymentId: id, processId });
    return { deploymentId: id, state: "skipped", message: "no longer runnable" };
  }
  if (input.state === "queued") {
    const started = await startClaimedDeployment({
      deploymentId: id,
      processId,
      actor,
      attempt: claim.attempts,
      cluster: { name: input.target.name, serverUrl: input.target.serverUrl },
    });
    if (!started) {
      await releaseClaim({ deploymentId: id, processId });
      return { deploymentId: id, state: "skipped", message: "moved on before it started" };
    }
  }

  const recorder = new ProgressRecorder(id, processId);
  const work = new AbortController();
  // Every in-flight cluster request (16 applies, one poll per workload) listens on this signal.
  setMaxListeners(0, work.signal);
  const status = { lost: false, cancelled: false };
  const abandoned = () => settings.signal?.aborted === true;
  const onAbandon = () => work.abort();
  settings.signal?.addEventListener("abort", onAbandon);

  // One timer: a cancel check every tick (≤ 1 s), a lease extension every lease/3.
  const tickMs = Math.max(50, Math.min(1000, Math.floor(settings.leaseMs / 3)));
  let lastBeat = Date.now();
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void (async () => {
      try {
        if (Date.now() - lastBeat >= settings.leaseMs / 3) {
          const beat = await heartbeatLease({ deploymentId: id, processId, leaseMs: settings.leaseMs });
          lastBeat = Date.now();
          if (!beat.held) {
            status.lost = true;
            work.abort();
          } else if (beat.cancelRequested) {
            status.cancelled = true;
            work.abort();
          }
        } else if (await isCancelRequested(id)) {
          status.cancelled = true;
          work.abort();
        }
      } catch {
        // A database hiccup: the next tick tries again; the lease has slack for two missed beats.
      } finally {
        ticking = false;
      }
    })();
  }, tickMs);

  let result: { state: FinishState; message: string; details?: Record<string, unknown> };
  try {
    if (claim.resumed) {
      recorder.log(
        "warn",
        `Resumed by executor ${processId} (attempt ${claim.attempts}): the previous executor stopped before finishing. Re-applying everything; server-side apply is idempotent.`,
      );
    } else {
      recorder.log("info", `Started by executor ${processId}.`);
    }
    if (claim.attempts > MAX_ATTEMPTS) {
      throw new Stop(
        "failed",
        `Gave up after ${claim.attempts - 1} interrupted attempts: the executor stopped before finishing each time.`,
      );
    }
    result = await execute(input, settings, { recorder, work, status, actor }, claim.resumed);
  } catch (err) {
    result =
      err instanceof Stop
        ? { state: err.state, message: err.message }
        : { state: "failed", message: describeError(err) };
  } finally {
    clearInterval(timer);
    settings.signal?.removeEventListener("abort", onAbandon);
  }

  if (abandoned() || status.lost) {
    recorder.drop();
    const state = status.lost ? "lost" : "abandoned";
    return {
      deploymentId: id,
      state,
      message: status.lost ? "the lease was lost to another executor" : "the executor stopped mid-run",
    };
  }
  try {
    await recorder.flush();
  } catch (err) {
    console.error(`[wharf] executor ${processId}: could not record progress of deployment ${id}:`, err);
  }
  const finished = await finishClaimedDeployment({
    deploymentId: id,
    processId,
    actor,
    to: result.state,
    message: result.message,
    ...(result.details ? { details: result.details } : {}),
  });
  if (!finished)
    return { deploymentId: id, state: "lost", message: "the claim was lost before the result could be written" };
  return { deploymentId: id, state: result.state, message: result.message };
}

interface RunState {
  recorder: ProgressRecorder;
  work: AbortController;
  status: { lost: boolean; cancelled: boolean };
  actor: Actor;
}

async function execute(
  input: DeploymentRunInput,
  settings: RunSettings,
  run: RunState,
  resumed: boolean,
): Promise<{ state: FinishState; message: string; details?: Record<string, unknown> }> {
  let objects: KubeObject[];
  try {
    objects = parseManifests(input.manifests);
  } catch (err) {
    throw new Stop(
      "failed",
      err instanceof ManifestError ? `The manifests no longer parse: ${err.message}` : describeError(err),
    );
  }
  const planned: PlannedObject[] = objectRefsFor(objects, input.target.defaultNamespace).map((ref, position) => ({
    position,
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    namespace: ref.namespace ?? null,
    name: ref.name,
  }));
  const earlier = await planDeploymentObjects({
    deploymentId: input.id,
    processId: settings.processId,
    objects: planned,
  });
  if (!earlier) {
    run.status.lost = true;
    throw new Interrupted();
  }
  if (input.cancelRequested || (await isCancelRequested(input.id))) {
    throw new Stop("cancelled", "Cancelled on request before anything was applied.");
  }
  if (!input.credentialId) {
    throw new Stop(
      "failed",
      `Target ${input.target.name} has no active credential to deploy with; store one on the target's page.`,
    );
  }

  return withDecryptedCredential(
    input.credentialId,
    { actor: run.actor, purpose: { kind: "deployment", id: input.id }, request: NO_REQUEST },
    async (material) => {
      // The plaintext lives in this closure and the client's in-memory KubeConfig only; both end with the run.
      const client = createKubeClient(kubeConfigFor(connectionFor(input, material)), {
        clusterName: input.target.name,
      });
      try {
        // A resumed run may have applied part of its plan already, so its recomputed plan differs by construction;
        // the first attempt checked it before applying anything.
        const observed = resumed ? undefined : await holdToApprovedPlan(client, input, objects, run);
        return await applyPruneWait(client, input, objects, settings, run, earlier, observed);
      } finally {
        await client.close().catch(() => undefined);
      }
    },
  );
}

/**
 * What approvers approved is what runs: recomputes the plan (creates, changes, prunes) with the preview's own dry run
 * and stops in `plan-changed`, before anything is applied, when it is not the approved one — typically because
 * another deployment of the same application landed in between and changed what exists or what would be pruned.
 * Returns what the re-check read (the objects, the ApplySet parent): the apply starts from it, conditionally, instead
 * of reading it all again before its first write.
 */
async function holdToApprovedPlan(
  client: KubeClient,
  input: DeploymentRunInput,
  objects: KubeObject[],
  run: RunState,
): Promise<ObservedState | undefined> {
  if (!input.approvedPlanDigest) return undefined;
  const { preview, problem, observed } = await computePreview(client, objects, {
    applySet: pushApplySet(input.target, input.application),
    serverUrl: input.target.serverUrl,
    previous: input.previousObjects,
    allowClusterScoped: input.target.allowClusterScoped,
  });
  if (problem) throw new Stop("failed", `Could not recompute the plan before applying: ${problem}`);
  if (planDigest(preview) === input.approvedPlanDigest) {
    run.recorder.log("info", `The recomputed plan is the approved one (${planSummary(preview)}).`);
    return observed;
  }
  const application = input.application?.name ?? `the application of ${input.target.name}`;
  throw new Stop(
    "plan-changed",
    `The plan changed since it was approved (another deployment of ${application} landed): it would now ${planSummary(preview)}. Nothing was applied; request it again to preview and approve the new plan.`,
  );
}

function connectionFor(input: DeploymentRunInput, material: CredentialMaterial): ClusterConnection {
  return targetConnection(input.target, material);
}

/** Maps results (whose refs the server normalized: namespace defaulted, dropped for cluster-scoped kinds) to positions. */
function positionIndex(objects: KubeObject[], defaultNamespace: string): (ref: ObjectRef) => number | undefined {
  const keyOf = (ref: ObjectRef, namespace: string | undefined) =>
    refKey({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, ...(namespace ? { namespace } : {}) });
  const index = new Map<string, number>();
  const add = (key: string, position: number) => {
    if (!index.has(key)) index.set(key, position);
  };
  objects.forEach((obj, position) => add(refKey(refOf(obj)), position));
  objects.forEach((obj, position) => {
    const ref = refOf(obj);
    add(keyOf(ref, ref.namespace ? undefined : defaultNamespace), position);
  });
  return (ref) => index.get(refKey(ref)) ?? index.get(keyOf(ref, undefined));
}

/** How a run ends when it is not interrupted: the state, message and audit details of its finishing transition. */
type RunResult = { state: FinishState; message: string; details?: Record<string, unknown> };

/** What the steps of one run (apply, prune, wait) share. */
interface RunStep {
  client: KubeClient;
  input: DeploymentRunInput;
  settings: RunSettings;
  run: RunState;
  earlier: EarlierOutcomes;
  total: number;
  positionOf: (ref: ObjectRef) => number | undefined;
  /** What this attempt applied, in completion order; cancel messages name these. */
  applied: ObjectRef[];
}

/**
 * Apply in phases, wait for the rollout, and only when it succeeded prune what is no longer wanted: each step stops
 * the run when it must.
 */
async function applyPruneWait(
  client: KubeClient,
  input: DeploymentRunInput,
  objects: KubeObject[],
  settings: RunSettings,
  run: RunState,
  earlier: EarlierOutcomes,
  observed: ObservedState | undefined,
): Promise<RunResult> {
  const step: RunStep = {
    client,
    input,
    settings,
    run,
    earlier,
    total: objects.length,
    positionOf: positionIndex(objects, input.target.defaultNamespace),
    applied: [],
  };
  const applyReport = await applyInPhases(step, objects, observed);
  if (applyReport.failures.length > 0)
    return {
      state: "failed",
      message: failureMessage(applyReport.failures, step.applied.length, step.total),
      details: { failed: applyReport.failures.length, applied: step.applied.length },
    };
  const rollout = await waitForWorkloads(step, applyReport.inventory);
  if ("failed" in rollout) {
    // What the previous deployment left may be what still serves: a failed rollout deletes nothing.
    step.run.recorder.log("warn", "Nothing pruned: the rollout did not succeed.");
    return rollout.failed;
  }
  const prune = await pruneLeftovers(step, applyReport.inventory);
  return runResult(step, applyReport.counts, prune, rollout.note);
}

/**
 * A checkpoint between phases: stores progress so far, renews the lease (stopping if it was lost) and honours a
 * cancel request before anything else is applied.
 */
async function checkpoint(step: RunStep, where: string): Promise<void> {
  // Progress and the lease in one transaction: the first checkpoint is what the first write to the cluster waits for.
  passCheckpoint(step, where, await step.run.recorder.flushWithLease(step.settings.leaseMs));
}

/**
 * A checkpoint's decision on its transaction's answer, taken where the run would go on. Separate from the transaction
 * so the apply can start that early (see applyInPhases) while deciding only at the phase boundary.
 */
function passCheckpoint(step: RunStep, where: string, beat: HeartbeatResult): void {
  const { work, status } = step.run;
  const { settings } = step;
  if (settings.signal?.aborted) throw new Interrupted();
  if (!beat.held) {
    status.lost = true;
    work.abort();
    throw new Interrupted();
  }
  if (beat.cancelRequested) status.cancelled = true;
  if (status.cancelled) throw new Stop("cancelled", cancelMessage(where, step.applied, step.total, step.positionOf));
}

/** Marks objects that will not be applied; an object an earlier attempt applied is in the cluster, its row says so. */
function markNotApplied(step: RunStep, list: KubeObject[], reason: string): void {
  for (const obj of list) {
    const position = step.positionOf(refOf(obj));
    if (position !== undefined && !step.earlier.applied.has(position))
      step.run.recorder.object(position, "pending", `not applied: ${reason}`);
  }
}

interface ApplyReport {
  /** The inventory every applied object joined: what prune keeps and what the rollout waits for. */
  inventory: ObjectRef[];
  failures: ApplyResult[];
  counts: { created: number; configured: number; unchanged: number };
}

/** Applies the objects phase by phase with server-side apply; a failed phase stops the phases after it. */
async function applyInPhases(
  step: RunStep,
  objects: KubeObject[],
  observed: ObservedState | undefined,
): Promise<ApplyReport> {
  const { client, input, settings, earlier, total, positionOf, applied } = step;
  const { recorder, work, status } = step.run;
  const failures: ApplyResult[] = [];
  const counts = { created: 0, configured: 0, unchanged: 0 };

  recorder.set({ phase: "applying" });
  const applying = `Applying ${total} object${total === 1 ? "" : "s"} to ${input.target.name} with server-side apply (field manager wharf).`;
  // One apply of every phase: discovery, the labelled lists and the ApplySet parent write happen once; between phases
  // (and before the first) the run stops at a checkpoint — lease, cancel, progress — before anything more is written.
  // Its transaction is lib/kube's preparePhase: the first one runs while lib/kube reads (lists, ApplySet parent), each
  // later one as soon as the phase before has sent its last object, overlapping that phase's slowest responses instead
  // of following them. Its answer is acted on only in beforePhase, where the phase really starts: a cancel or a lost
  // lease still stops the run before anything of the phase is written, the cancel message names every object applied
  // by then, and when the phase before failed, the answer is never looked at (the run ends failed, as it did before).
  const phases = applyPhases(objects);
  const beats = new Map<number, Promise<HeartbeatResult>>();
  const prepare = (index: number): Promise<HeartbeatResult> => {
    const phase = phases[index];
    const beat = (async () => {
      if (phase)
        await settings.onPhase?.({
          deploymentId: input.id,
          processId: settings.processId,
          phase: phase.name,
          objects: phase.objects.length,
        });
      return recorder.flushWithLease(settings.leaseMs);
    })();
    beats.set(index, beat);
    return beat;
  };
  const pass = async (index: number): Promise<void> => {
    const phase = phases[index];
    if (!phase) return;
    try {
      passCheckpoint(step, `before ${phase.name}`, await (beats.get(index) ?? prepare(index)));
    } catch (err) {
      if (err instanceof Stop)
        markNotApplied(
          step,
          phases.slice(index).flatMap((p) => p.objects),
          "cancelled",
        );
      throw err;
    }
  };
  const report = await applyManifests(client, objects, {
    fieldManager: "wharf",
    // The target's application: another application's object is refused, nothing taken over.
    applySet: pushApplySet(input.target, input.application),
    // What the plan re-check just read: not read again, every write conditional on it.
    ...(observed ? { observed } : {}),
    // Every object this run may create is in its rows (planDeploymentObjects, above), which the next prune reads
    // (listPruneBaseline): the parent need not be written before the first of them.
    parentAlongside: true,
    signal: work.signal,
    preparePhase: async ({ index }) => {
      await prepare(index);
    },
    beforePhase: async ({ name, index, count, objects: phaseObjects }) => {
      await pass(index);
      // Once the first checkpoint let the run through: from this line on, the run writes to the cluster.
      if (index === 0) {
        recorder.log("info", applying);
        publishApplyTiming(input.id, "applying");
      }
      recorder.log("info", `Phase ${index + 1}/${count}: ${name} (${phaseObjects.length}).`);
    },
    onResult: (result) => {
      const position = positionOf(result.ref);
      const namespace = result.ref.namespace ?? null;
      if (result.action === "skipped") {
        if (position !== undefined && !earlier.applied.has(position))
          recorder.object(position, "pending", result.message ?? "not applied", namespace);
        return;
      }
      if (result.action === "failed") {
        failures.push(result);
        if (position !== undefined) recorder.object(position, "failed", result.message ?? "failed", namespace);
        recorder.log("error", `${formatRef(result.ref)}: ${describeApplyFailure(result)}`);
        return;
      }
      if (result.action === "created" || result.action === "configured" || result.action === "unchanged") {
        // Counted for the deployment as a whole: what an earlier attempt created stays "created" (see combinedAction).
        const action = combinedAction(
          position === undefined ? undefined : earlier.applied.get(position),
          result.action,
        );
        if (action === "created" || action === "configured" || action === "unchanged") counts[action]++;
        applied.push(result.ref);
        if (position !== undefined) recorder.object(position, action, result.message ?? null, namespace);
        recorder.set({ appliedCount: applied.length });
        recorder.log("info", `${formatRef(result.ref)} ${result.action}`);
        publishApplyTiming(input.id, "applied");
      }
    },
  }).finally(() => publishApplyTiming(input.id, "ended"));
  if (status.lost || (settings.signal?.aborted ?? false)) throw new Interrupted();
  if (status.cancelled) {
    await recorder.flush();
    throw new Stop("cancelled", cancelMessage("while applying", applied, total, positionOf));
  }
  return { inventory: report.inventory, failures, counts };
}

interface PruneReport {
  /** Leftovers pruned by this deployment, counting those an earlier attempt pruned once. */
  prunedCount: number;
  /** Leftovers that could not be deleted, as `ref: message`. */
  failures: string[];
}

/**
 * Prune, once the rollout succeeded: the members of the target's application (ApplySet) that this deployment no longer
 * contains, found by their label and among what the previous success applied and what attempts since may have
 * (listPruneBaseline).
 */
async function pruneLeftovers(step: RunStep, inventory: ObjectRef[]): Promise<PruneReport> {
  const { client, input, earlier, settings } = step;
  const { recorder, work, status } = step.run;
  await settings.onPhase?.({
    deploymentId: input.id,
    processId: settings.processId,
    phase: "pruning",
    objects: input.previousObjects.length,
  });
  await checkpoint(step, "before pruning");
  recorder.set({ phase: "pruning" });
  const previous = input.previousObjects;
  recorder.log(
    "info",
    `Pruning objects no longer in the manifests${input.previousDeploymentId ? ` (previous deployment ${input.previousDeploymentId} applied ${input.previousApplied})` : ""}.`,
  );
  const pruned = await pruneApplySet(client, {
    applySet: pushApplySet(input.target, input.application),
    keep: inventory,
    previous,
    signal: work.signal,
  });
  if (status.lost || (settings.signal?.aborted ?? false)) throw new Interrupted();
  let extra = earlier.nextExtraPosition;
  const pruneFailures: string[] = [];
  // Leftovers an earlier attempt of this deployment pruned keep their rows and count once, even if deleted again now.
  const prunedRefs = new Set(earlier.pruned);
  for (const r of pruned.results) {
    if (r.action === "pruned" && prunedRefs.has(refKey(r.ref))) continue;
    if (r.action === "pruned") prunedRefs.add(refKey(r.ref));
    recorder.extraObject({
      position: extra++,
      apiVersion: r.ref.apiVersion,
      kind: r.ref.kind,
      namespace: r.ref.namespace ?? null,
      name: r.ref.name,
      action: r.action,
      message: r.message ?? null,
    });
    if (r.action === "pruned") recorder.log("info", `${formatRef(r.ref)} pruned`);
    else {
      pruneFailures.push(`${formatRef(r.ref)}: ${r.message ?? "could not be deleted"}`);
      recorder.log("error", `${formatRef(r.ref)} could not be pruned: ${r.message ?? "unknown error"}`);
    }
  }
  for (const kept of pruned.retained) recorder.log("warn", `${formatRef(kept.ref)} left in place: ${kept.reason}`);
  if (pruned.results.length === 0)
    recorder.log(
      "info",
      earlier.pruned.size > 0
        ? `Nothing left to prune (an earlier attempt pruned ${earlier.pruned.size}).`
        : "Nothing to prune.",
    );
  return { prunedCount: prunedRefs.size, failures: pruneFailures };
}

/** Rollout: replicas ready / desired across every tracked workload; a note for the final message, or the failure. */
async function waitForWorkloads(
  step: RunStep,
  inventory: ObjectRef[],
): Promise<{ note: string } | { failed: RunResult }> {
  const { client, input, settings, applied, total, positionOf } = step;
  const { recorder, work, status } = step.run;
  await checkpoint(step, "before waiting for the rollout");
  const workloads = inventory.filter(isTrackedWorkload);
  await settings.onPhase?.({
    deploymentId: input.id,
    processId: settings.processId,
    phase: "waiting-rollout",
    objects: workloads.length,
  });
  recorder.set({ phase: "waiting-rollout" });
  if (workloads.length === 0) return { note: "no workloads to wait for" };
  recorder.log(
    "info",
    `Waiting for ${workloads.length} workload${workloads.length === 1 ? "" : "s"} to roll out (timeout ${Math.round(settings.rolloutTimeoutMs / 1000)} s).`,
  );
  const latest = new Map<string, RolloutProgress>();
  const report = await waitForRollout(client, workloads, {
    timeoutMs: settings.rolloutTimeoutMs,
    // Seen done as the cluster records it, not up to a poll interval later: the run's client holds nothing else now.
    watch: true,
    signal: work.signal,
    onProgress: (p) => {
      latest.set(`${p.kind}/${p.namespace ?? ""}/${p.name}`, p);
      let ready = 0;
      let desired = 0;
      for (const entry of latest.values()) {
        ready += entry.ready;
        desired += entry.desired;
      }
      recorder.set({ readyReplicas: ready, desiredReplicas: desired });
      recorder.log(
        p.state === "failed" ? "error" : "info",
        `${p.kind} ${p.name}${p.namespace ? ` (namespace ${p.namespace})` : ""}: ${p.message}`,
      );
    },
  });
  if (status.lost || (settings.signal?.aborted ?? false)) throw new Interrupted();
  if (status.cancelled)
    throw new Stop("cancelled", cancelMessage("while waiting for the rollout", applied, total, positionOf));
  if (!report.ok) {
    const bad = report.results.filter((r) => r.state !== "ready");
    return {
      failed: {
        state: "failed",
        message: `Rollout failed: ${bad.map((r) => `${formatRef(r.ref)}: ${r.message}`).join("; ")}`,
        details: { rollout: bad.map((r) => ({ object: formatRef(r.ref), state: r.state })) },
      },
    };
  }
  const ready = report.results.reduce((n, r) => n + r.ready, 0);
  const desired = report.results.reduce((n, r) => n + r.desired, 0);
  recorder.set({ readyReplicas: ready, desiredReplicas: desired });
  return {
    note: `${workloads.length} workload${workloads.length === 1 ? "" : "s"} rolled out (${ready}/${desired} replicas ready)`,
  };
}

/** The finishing result once everything was applied and the rollout is done: failed only by leftovers that stayed. */
function runResult(step: RunStep, counts: ApplyReport["counts"], prune: PruneReport, rolloutNote: string): RunResult {
  const { applied, total } = step;
  if (prune.failures.length > 0) {
    return {
      state: "failed",
      message: `Applied ${applied.length} of ${total} objects and ${rolloutNote}, but ${prune.failures.length} leftover${prune.failures.length === 1 ? "" : "s"} could not be pruned: ${prune.failures.join("; ")}`,
    };
  }
  const prunedCount = prune.prunedCount;
  return {
    state: "succeeded",
    message: `Applied ${total} object${total === 1 ? "" : "s"} (${counts.created} created, ${counts.configured} configured, ${counts.unchanged} unchanged), pruned ${prunedCount}; ${rolloutNote}.`,
    details: { ...counts, pruned: prunedCount },
  };
}

function cancelMessage(
  where: string,
  applied: ObjectRef[],
  total: number,
  positionOf: (ref: ObjectRef) => number | undefined,
): string {
  // Objects of one phase are applied concurrently and finish in any order; the message names them in the manifests'
  // order, so the same cancellation always reads the same.
  const inOrder = [...applied].sort(
    (a, b) => (positionOf(a) ?? Number.MAX_SAFE_INTEGER) - (positionOf(b) ?? Number.MAX_SAFE_INTEGER),
  );
  const list = inOrder.slice(0, 20).map(formatRef).join(", ");
  const more = applied.length > 20 ? ` and ${applied.length - 20} more` : "";
  return applied.length === 0
    ? `Cancelled on request ${where}; nothing was applied.`
    : `Cancelled on request ${where} after applying ${applied.length} of ${total} objects (${list}${more}); applied objects stay in the cluster.`;
}

function isRefusal(err: unknown): err is KubeError {
  return err instanceof KubeError && (err.code === 401 || err.code === 403);
}

function describeApplyFailure(result: ApplyResult): string {
  const err = result.error;
  if (err && err.code > 0) return `${err.code} ${err.reason}: ${err.serverMessage}`;
  return result.message ?? "failed";
}

function failureMessage(failures: ApplyResult[], applied: number, total: number): string {
  const refused = failures.filter((f) => isRefusal(f.error));
  const first = refused[0] ?? failures[0];
  const detail = first ? `${formatRef(first.ref)}: ${describeApplyFailure(first)}` : "unknown failure";
  const head =
    refused.length > 0
      ? `The cluster refused the credential for ${refused.length} object${refused.length === 1 ? "" : "s"} (${first?.error?.code} ${first?.error?.reason})`
      : `${failures.length} object${failures.length === 1 ? "" : "s"} failed to apply`;
  return `${head} — ${detail}. Applied ${applied} of ${total} objects before stopping; the per-object results show which.`;
}

/** Turns anything thrown during a run into a message people can act on (never credential material). */
export function describeError(err: unknown): string {
  if (isRefusal(err)) {
    return `The cluster refused the credential (${err.code} ${err.reason}) during ${err.operation ?? "the request"}: ${err.serverMessage}`;
  }
  if (err instanceof KubeError) return err.code > 0 ? err.message : `Could not reach the cluster: ${err.message}`;
  if (err instanceof AppError) return err.message;
  if (err instanceof Error) return `Unexpected executor error: ${err.message}`;
  return "Unexpected executor error.";
}
