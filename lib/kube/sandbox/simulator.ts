/**
 * Stands in for the controllers and kubelets: after each spec change a workload's status moves to "progressing" at
 * once and to ready (or failed) after `rolloutDelayMs`, with the conditions and reasons the real controllers use.
 */
import { createHash } from "node:crypto";
import type { Cluster } from "./cluster";
import { nowTimestamp } from "./cluster";
import type { ResourceDef } from "./resources";
import type { KObject } from "./store";

type Obj = Record<string, unknown>;

export const FAIL_ANNOTATION = "sandbox.wharf.dev/fail";
const MANAGER = "kube-controller-manager";
const WORKLOADS = new Set(["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "batch/Job"]);

function templateOf(o: KObject): Obj {
  return ((o.spec as Obj | undefined)?.template ?? {}) as Obj;
}

/** True when any container image is tagged `fail` or the object/template carries the fail annotation. */
export function isFailing(o: KObject): boolean {
  if (o.metadata.annotations?.[FAIL_ANNOTATION] === "true") return true;
  const template = templateOf(o);
  const tmeta = (template.metadata ?? {}) as { annotations?: Record<string, string> };
  if (tmeta.annotations?.[FAIL_ANNOTATION] === "true") return true;
  const spec = (template.spec ?? {}) as Obj;
  const containers = [...((spec.containers ?? []) as Obj[]), ...((spec.initContainers ?? []) as Obj[])];
  return containers.some((c) => {
    const image = typeof c.image === "string" ? c.image : "";
    const last = image.split("/").pop() ?? "";
    return last.includes(":") && last.split(":").pop() === "fail";
  });
}

/** pod-template-hash style suffix: 10 characters from the alphabet Kubernetes uses for generated names. */
export function templateHash(template: unknown): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  const digest = createHash("sha256").update(JSON.stringify(template ?? {})).digest();
  let s = "";
  for (let i = 0; i < 10; i++) s += alphabet[(digest[i] ?? 0) % alphabet.length];
  return s;
}

function condition(type: string, status: string, reason: string, message: string, previous: Obj[] | undefined): Obj {
  const now = nowTimestamp();
  const prev = previous?.find((c) => c.type === type);
  const transitioned = !prev || prev.status !== status;
  return {
    type,
    status,
    lastUpdateTime: now,
    lastTransitionTime: transitioned ? now : prev.lastTransitionTime,
    reason,
    message,
  };
}

export class Simulator {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly rolloutDelayMs: number,
  ) {
    cluster.onWrite((def, obj, old) => this.observe(def, obj, old));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Picks up workloads whose status lags their spec (after a restart from a snapshot). */
  resync(): void {
    for (const key of WORKLOADS) {
      const [group, kind] = key.split("/") as [string, string];
      const def = this.cluster.registry.allStored().find((d) => d.group === group && d.kind === kind);
      if (!def) continue;
      for (const o of this.cluster.store.list(this.cluster.table(def))) {
        const status = (o.status ?? {}) as Obj;
        if (status.observedGeneration !== o.metadata.generation || !this.finished(def, o)) this.schedule(def, o);
      }
    }
  }

  private finished(def: ResourceDef, o: KObject): boolean {
    const status = (o.status ?? {}) as Obj;
    if (def.kind === "Job") return ((status.conditions ?? []) as Obj[]).some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    if (def.kind === "Deployment") return ((status.conditions ?? []) as Obj[]).some((c) => c.type === "Progressing" && (c.reason === "NewReplicaSetAvailable" || c.reason === "ProgressDeadlineExceeded"));
    return status.observedGeneration === o.metadata.generation && (status.readyReplicas ?? status.numberReady) !== undefined;
  }

  private observe(def: ResourceDef, obj: KObject, old: KObject | undefined): void {
    if (this.stopped || def.crd || !WORKLOADS.has(`${def.group}/${def.kind}`)) return;
    const uid = obj.metadata.uid ?? "";
    const gone = !this.cluster.find(def, obj.metadata.namespace, obj.metadata.name ?? "");
    if (gone) {
      const t = this.timers.get(uid);
      if (t) clearTimeout(t);
      this.timers.delete(uid);
      return;
    }
    if (old && old.metadata.generation === obj.metadata.generation) return;
    this.schedule(def, obj);
  }

  private schedule(def: ResourceDef, obj: KObject): void {
    const uid = obj.metadata.uid ?? "";
    const previous = this.timers.get(uid);
    if (previous) clearTimeout(previous);
    const generation = obj.metadata.generation ?? 1;
    // Controllers react asynchronously; the write that triggered this has already been answered.
    const start = setTimeout(() => {
      this.timers.delete(uid);
      const ok = this.step(def, obj, generation, "progressing");
      if (!ok) return;
      const finish = setTimeout(() => {
        this.timers.delete(uid);
        this.step(def, obj, generation, "done");
      }, this.rolloutDelayMs);
      finish.unref();
      this.timers.set(uid, finish);
    }, 0);
    start.unref();
    this.timers.set(uid, start);
  }

  /** Writes one status step; false when the object changed generation or disappeared meanwhile. */
  private step(def: ResourceDef, ref: KObject, generation: number, phase: "progressing" | "done"): boolean {
    if (this.stopped) return false;
    const current = this.cluster.find(def, ref.metadata.namespace, ref.metadata.name ?? "");
    if (!current || current.metadata.uid !== ref.metadata.uid || (current.metadata.generation ?? 1) !== generation) return false;
    if (current.metadata.deletionTimestamp) return false;
    const status = this.nextStatus(def, current, phase);
    const next = structuredClone(current);
    next.status = status;
    try {
      this.cluster.commit(def, current, next, { fieldManager: MANAGER, dryRun: false, subresource: "status" }, undefined);
    } catch {
      // The object changed or went away meanwhile; the next write schedules again.
      return false;
    }
    return true;
  }

  private nextStatus(def: ResourceDef, o: KObject, phase: "progressing" | "done"): Obj {
    const spec = (o.spec ?? {}) as Obj;
    const prev = (o.status ?? {}) as Obj;
    const prevConds = prev.conditions as Obj[] | undefined;
    const failing = isFailing(o);
    const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
    const generation = o.metadata.generation ?? 1;
    const rsName = `${o.metadata.name ?? ""}-${templateHash(spec.template)}`;
    const done = phase === "done" || (replicas === 0 && def.kind !== "Job" && def.kind !== "DaemonSet");
    switch (def.kind) {
      case "Deployment": {
        const prevAvailable = typeof prev.availableReplicas === "number" ? Math.min(prev.availableReplicas, replicas) : 0;
        if (!done) {
          const available = prevAvailable;
          return compact({
            observedGeneration: generation,
            replicas,
            updatedReplicas: 0,
            readyReplicas: available,
            availableReplicas: available,
            unavailableReplicas: replicas - available,
            conditions: [
              available >= replicas && replicas > 0
                ? condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", prevConds)
                : condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", prevConds),
              condition("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rsName}" is progressing.`, prevConds),
            ],
          });
        }
        if (failing) {
          return compact({
            observedGeneration: generation,
            replicas: replicas + (prevAvailable > 0 ? prevAvailable : 0),
            updatedReplicas: replicas,
            readyReplicas: prevAvailable,
            availableReplicas: prevAvailable,
            unavailableReplicas: replicas,
            conditions: [
              prevAvailable >= replicas && replicas > 0
                ? condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", prevConds)
                : condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", prevConds),
              condition("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${rsName}" has timed out progressing.`, prevConds),
            ],
          });
        }
        return compact({
          observedGeneration: generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
          conditions: [
            condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", prevConds),
            condition("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${rsName}" has successfully progressed.`, prevConds),
          ],
        });
      }
      case "StatefulSet": {
        const updateRevision = rsName;
        const currentRevision = typeof prev.currentRevision === "string" ? prev.currentRevision : updateRevision;
        const prevReady = typeof prev.readyReplicas === "number" ? Math.min(prev.readyReplicas, replicas) : 0;
        if (!done || failing) {
          return compact({
            observedGeneration: generation,
            replicas,
            readyReplicas: failing && done ? 0 : prevReady,
            availableReplicas: failing && done ? 0 : prevReady,
            currentReplicas: currentRevision === updateRevision ? 0 : prevReady,
            updatedReplicas: done ? replicas : 0,
            currentRevision,
            updateRevision,
            collisionCount: 0,
          });
        }
        return compact({ observedGeneration: generation, replicas, readyReplicas: replicas, availableReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, currentRevision: updateRevision, updateRevision, collisionCount: 0 });
      }
      case "DaemonSet": {
        const nodes = 1;
        if (!done || failing) {
          return compact({ observedGeneration: generation, desiredNumberScheduled: nodes, currentNumberScheduled: nodes, updatedNumberScheduled: done ? nodes : 0, numberMisscheduled: 0, numberReady: 0, numberAvailable: 0, numberUnavailable: nodes });
        }
        return compact({ observedGeneration: generation, desiredNumberScheduled: nodes, currentNumberScheduled: nodes, updatedNumberScheduled: nodes, numberMisscheduled: 0, numberReady: nodes, numberAvailable: nodes });
      }
      case "ReplicaSet": {
        if (!done || failing) return compact({ observedGeneration: generation, replicas, fullyLabeledReplicas: replicas, readyReplicas: 0, availableReplicas: 0 });
        return compact({ observedGeneration: generation, replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas });
      }
      case "Job": {
        const startTime = typeof prev.startTime === "string" ? prev.startTime : nowTimestamp();
        const parallelism = typeof spec.parallelism === "number" ? spec.parallelism : 1;
        const completions = typeof spec.completions === "number" ? spec.completions : 1;
        const backoffLimit = typeof spec.backoffLimit === "number" ? spec.backoffLimit : 6;
        if (spec.suspend === true) return compact({ ...prev, conditions: [condition("Suspended", "True", "JobSuspended", "Job suspended", prevConds)] });
        if (!done) return compact({ startTime, active: parallelism, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
        const now = nowTimestamp();
        if (failing) {
          return compact({
            startTime,
            failed: backoffLimit + 1,
            ready: 0,
            terminating: 0,
            uncountedTerminatedPods: {},
            conditions: [
              { type: "FailureTarget", status: "True", lastProbeTime: now, lastTransitionTime: now, reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
              { type: "Failed", status: "True", lastProbeTime: now, lastTransitionTime: now, reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
            ],
          });
        }
        return compact({
          startTime,
          completionTime: now,
          succeeded: completions,
          ready: 0,
          terminating: 0,
          uncountedTerminatedPods: {},
          conditions: [
            { type: "SuccessCriteriaMet", status: "True", lastProbeTime: now, lastTransitionTime: now, reason: "CompletionsReached", message: "Reached expected number of succeeded pods" },
            { type: "Complete", status: "True", lastProbeTime: now, lastTransitionTime: now, reason: "CompletionsReached", message: "Reached expected number of succeeded pods" },
          ],
        });
      }
      default:
        return prev;
    }
  }
}

/** Go's omitempty drops zero counts from workload statuses. */
function compact(status: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(status)) {
    if (v === 0 && k !== "observedGeneration" && k !== "replicas" && k !== "desiredNumberScheduled" && k !== "currentNumberScheduled" && k !== "numberMisscheduled" && k !== "ready" && k !== "terminating") continue;
    if (v === undefined) continue;
    out[k] = v;
  }
  return out;
}
