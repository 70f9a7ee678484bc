// Health of one live Kubernetes object, by Argo CD's rules (gitops-engine pkg/health and the CronJob Lua check of
// resource_customizations), so "Healthy" and "Degraded" mean in Wharf what they mean to anyone who used Argo CD. Pure
// and plain JSON in, plain JSON out: the agent assesses its own objects and the dashboard assesses what a push read
// returned with the same code, and the browser may import it (no Node built-ins, no client library).
import { groupOf, isRecord, type KubeObject } from "./types";

/** Argo CD's health codes. */
export type HealthStatusCode = "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";

export interface HealthStatus {
  status: HealthStatusCode;
  /** Why, when the status needs explaining: the condition's or container's reason and message. */
  message?: string;
}

/**
 * Most healthy first, Argo CD's `healthOrder`: an application is as healthy as its worst object, and Unknown (the
 * assessment itself failed) ranks below Degraded so that a broken check is never mistaken for a known failure.
 */
export const HEALTH_ORDER: readonly HealthStatusCode[] = [
  "Healthy",
  "Suspended",
  "Progressing",
  "Missing",
  "Degraded",
  "Unknown",
];

/** True when `next` is worse than `current` in HEALTH_ORDER. */
export function isWorseHealth(current: HealthStatusCode, next: HealthStatusCode): boolean {
  return HEALTH_ORDER.indexOf(next) > HEALTH_ORDER.indexOf(current);
}

/** The worst of several healths (the first one of that status, with its message); Healthy for none. */
export function aggregateHealth(list: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = { status: "Healthy" };
  for (const health of list) if (isWorseHealth(worst.status, health.status)) worst = health;
  return worst;
}

type Json = Record<string, unknown>;

function rec(value: unknown): Json {
  return isRecord(value) ? value : {};
}

function num(value: unknown, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function health(status: HealthStatusCode, message?: string): HealthStatus {
  return message ? { status, message } : { status };
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

function conditionsOf(status: Json): Condition[] {
  return list(status.conditions).map((c) => ({
    type: str(c.type),
    status: str(c.status),
    reason: str(c.reason),
    message: str(c.message),
  }));
}

/** "Reason: message", or whichever of the two is there. */
function explain(reason: string, message: string): string {
  return reason && message ? `${reason}: ${message}` : reason || message;
}

/** The generation the controller has seen is the one in metadata (absent observedGeneration counts as unseen). */
function generationObserved(obj: KubeObject, status: Json): boolean {
  return num(obj.metadata.generation) <= num(status.observedGeneration, -1);
}

function deploymentHealth(obj: KubeObject, spec: Json, status: Json): HealthStatus {
  if (spec.paused === true) return health("Suspended", "Deployment is paused");
  if (!generationObserved(obj, status))
    return health("Progressing", "Waiting for rollout to finish: observed generation is older than the desired one");
  const progressing = conditionsOf(status).find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    const detail = progressing.message ? `: ${progressing.message}` : "";
    return health("Degraded", `Deployment "${obj.metadata.name}" exceeded its progress deadline${detail}`);
  }
  // The API server defaults spec.replicas to 1; an object read back always has it, a hand-made one may not.
  const desired = num(spec.replicas, 1);
  const updated = num(status.updatedReplicas);
  const replicas = num(status.replicas);
  const available = num(status.availableReplicas);
  if (updated < desired)
    return health(
      "Progressing",
      `Waiting for rollout to finish: ${updated} out of ${desired} new replicas have been updated`,
    );
  if (replicas > updated)
    return health(
      "Progressing",
      `Waiting for rollout to finish: ${replicas - updated} old replicas are pending termination`,
    );
  if (available < updated)
    return health(
      "Progressing",
      `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available`,
    );
  return health("Healthy");
}

function statefulSetHealth(obj: KubeObject, spec: Json, status: Json): HealthStatus {
  if (num(status.observedGeneration) === 0 || !generationObserved(obj, status))
    return health("Progressing", "Waiting for statefulset spec update to be observed");
  const desired = num(spec.replicas, 1);
  const ready = num(status.readyReplicas);
  if (ready < desired) return health("Progressing", `Waiting for ${desired - ready} pods to be ready`);
  const strategy = rec(spec.updateStrategy);
  // OnDelete: the controller replaces no pod by itself, so there is no rollout to wait for; ready pods are the measure.
  if (strategy.type === "OnDelete") return health("Healthy", `statefulset has ${ready} ready pods`);
  const partition = num(rec(strategy.rollingUpdate).partition);
  const updated = num(status.updatedReplicas);
  // Argo CD calls every RollingUpdate StatefulSet with a rollingUpdate block (the API server always adds one, with
  // partition 0) healthy here; like `kubectl rollout status`, only a real partition ends the rollout early, otherwise
  // the update revision must become the current one.
  if (partition > 0) {
    if (updated < desired - partition)
      return health(
        "Progressing",
        `Waiting for partitioned roll out to finish: ${updated} out of ${desired - partition} new pods have been updated`,
      );
    return health("Healthy", `partitioned roll out complete: ${updated} new pods have been updated`);
  }
  if (str(status.updateRevision) && status.updateRevision !== status.currentRevision)
    return health(
      "Progressing",
      `waiting for statefulset rolling update to complete ${updated} pods at revision ${str(status.updateRevision)}`,
    );
  return health("Healthy");
}

function daemonSetHealth(obj: KubeObject, spec: Json, status: Json): HealthStatus {
  if (!generationObserved(obj, status))
    return health("Progressing", "Waiting for rollout to finish: observed generation is older than the desired one");
  const desired = num(status.desiredNumberScheduled);
  const updated = num(status.updatedNumberScheduled);
  if (rec(spec.updateStrategy).type === "OnDelete")
    return health("Healthy", `daemon set ${updated} out of ${desired} new pods have been updated`);
  if (updated < desired)
    return health(
      "Progressing",
      `Waiting for daemon set "${obj.metadata.name}" rollout to finish: ${updated} out of ${desired} new pods have been updated`,
    );
  const available = num(status.numberAvailable);
  if (available < desired)
    return health(
      "Progressing",
      `Waiting for daemon set "${obj.metadata.name}" rollout to finish: ${available} of ${desired} updated pods are available`,
    );
  return health("Healthy");
}

function replicaSetHealth(obj: KubeObject, spec: Json, status: Json): HealthStatus {
  if (!generationObserved(obj, status))
    return health("Progressing", "Waiting for rollout to finish: observed generation is older than the desired one");
  const failure = conditionsOf(status).find((c) => c.type === "ReplicaFailure" && c.status === "True");
  if (failure) return health("Degraded", explain(failure.reason, failure.message) || "ReplicaFailure");
  const desired = num(spec.replicas, 1);
  const available = num(status.availableReplicas);
  if (available < desired)
    return health(
      "Progressing",
      `Waiting for rollout to finish: ${available} out of ${desired} new replicas are available`,
    );
  return health("Healthy");
}

/** Waiting reasons that will not resolve by waiting: ErrImagePull, CrashLoopBackOff, CreateContainerConfigError… */
function isErrorWaitingReason(reason: string): boolean {
  return reason.startsWith("Err") || reason.endsWith("Error") || reason.endsWith("BackOff");
}

function podHealth(spec: Json, status: Json): HealthStatus {
  const restartPolicy = str(spec.restartPolicy) || "Always";
  const containers = list(status.containerStatuses);
  const podMessage = str(status.message);
  // Only for pods that restart forever: a Job's pod (Never/OnFailure) waiting on its image may still start, and
  // Argo CD leaves it Progressing so a hook is not failed early.
  if (restartPolicy === "Always") {
    const problems: string[] = [];
    for (const c of containers) {
      const waiting = rec(rec(c.state).waiting);
      const reason = str(waiting.reason);
      if (isErrorWaitingReason(reason))
        problems.push(`container "${str(c.name)}": ${explain(reason, str(waiting.message))}`);
    }
    if (problems.length > 0) return health("Degraded", problems.join("; "));
  }
  switch (status.phase) {
    case "Pending": {
      // An unschedulable pod says why in its PodScheduled condition, not in status.message.
      const unscheduled = conditionsOf(status).find((c) => c.type === "PodScheduled" && c.status === "False");
      return health("Progressing", podMessage || (unscheduled && explain(unscheduled.reason, unscheduled.message)));
    }
    case "Succeeded":
      return health("Healthy", podMessage);
    case "Failed": {
      if (podMessage) return health("Degraded", podMessage);
      for (const c of [...list(status.initContainerStatuses), ...containers]) {
        if (!isRecord(rec(c.state).terminated)) continue;
        const terminated = rec(rec(c.state).terminated);
        if (str(terminated.message)) return health("Degraded", str(terminated.message));
        if (terminated.reason === "OOMKilled") return health("Degraded", "OOMKilled");
        if (num(terminated.exitCode) !== 0)
          return health("Degraded", `container "${str(c.name)}" failed with exit code ${num(terminated.exitCode)}`);
      }
      return health("Degraded");
    }
    case "Running": {
      // A pod that runs to completion is work in progress, not a healthy service.
      if (restartPolicy !== "Always") return health("Progressing", podMessage);
      const ready = conditionsOf(status).some((c) => c.type === "Ready" && c.status === "True");
      if (ready) return health("Healthy", podMessage);
      // Not ready and a container has already died once: it is failing, not starting.
      const crashed = containers.find((c) => isRecord(rec(c.lastState).terminated));
      if (crashed) {
        const last = rec(rec(crashed.lastState).terminated);
        const why = explain(str(last.reason), str(last.message)) || `exit code ${num(last.exitCode)}`;
        return health(
          "Degraded",
          podMessage || `container "${str(crashed.name)}" is not ready; it last terminated: ${why}`,
        );
      }
      return health("Progressing", podMessage);
    }
    default:
      return health("Unknown", podMessage);
  }
}

function jobHealth(spec: Json, status: Json): HealthStatus {
  let failed: Condition | undefined;
  let complete: Condition | undefined;
  let suspended: Condition | undefined;
  for (const c of conditionsOf(status)) {
    if (c.status === "False") continue;
    if (c.type === "Failed") failed = c;
    else if (c.type === "Complete") complete = c;
    else if (c.type === "Suspended") suspended = c;
  }
  if (failed) return health("Degraded", explain(failed.reason, failed.message) || "Job failed");
  // spec.suspend shows before the controller has written its Suspended condition.
  if (suspended || spec.suspend === true) return health("Suspended", suspended?.message || "Job is suspended");
  if (complete) return health("Healthy", complete.message);
  return health("Progressing", num(status.active) > 0 ? `${num(status.active)} active pods` : undefined);
}

/** Argo CD's resource_customizations/batch/CronJob/health.lua: the status says when it last ran and last succeeded. */
function cronJobHealth(spec: Json, status: Json, hasStatus: boolean): HealthStatus {
  if (spec.suspend === true) return health("Suspended", "CronJob is suspended");
  if (!hasStatus) return health("Progressing", "Waiting for CronJob");
  const lastSchedule = Date.parse(str(status.lastScheduleTime));
  if (Number.isNaN(lastSchedule)) return health("Healthy", "CronJob has not been scheduled yet");
  const lastSuccess = Date.parse(str(status.lastSuccessfulTime));
  // Never succeeded: not run to the end yet or never succeeded; the status cannot tell which.
  if (Number.isNaN(lastSuccess))
    return health("Healthy", "CronJob has never completed successfully; it may not be healthy");
  if (list(status.active).length > 0)
    return health("Healthy", "A job is running; its last execution may not have been successful");
  if (lastSuccess < lastSchedule)
    return health("Degraded", "CronJob has not completed its last execution successfully");
  return health("Healthy", "CronJob has completed its last execution successfully");
}

function pvcHealth(status: Json): HealthStatus {
  switch (status.phase) {
    case "Bound":
      return health("Healthy");
    case "Pending":
      return health("Progressing", "Waiting for the claim to be bound");
    case "Lost":
      return health("Degraded", "The claim lost its volume");
    default:
      return health("Unknown");
  }
}

function hasLoadBalancerIngress(status: Json): boolean {
  return list(rec(status.loadBalancer).ingress).some((i) => str(i.ip) !== "" || str(i.hostname) !== "");
}

function serviceHealth(spec: Json, status: Json): HealthStatus {
  if (spec.type !== "LoadBalancer") return health("Healthy");
  return hasLoadBalancerIngress(status)
    ? health("Healthy")
    : health("Progressing", "Waiting for the load balancer to get an address");
}

function ingressHealth(status: Json): HealthStatus {
  return hasLoadBalancerIngress(status)
    ? health("Healthy")
    : health("Progressing", "Waiting for the ingress controller to publish an address");
}

/** Condition (type, reason) pairs Argo CD counts as a failing autoscaler. */
const HPA_DEGRADED = new Set([
  "AbleToScale/FailedGetScale",
  "AbleToScale/FailedUpdateScale",
  "ScalingActive/FailedGetResourceMetric",
  "ScalingActive/InvalidSelector",
]);

function hpaHealth(obj: KubeObject, status: Json): HealthStatus {
  let conditions = conditionsOf(status);
  // autoscaling/v1 carries the v2 conditions in an annotation.
  const annotation = obj.metadata.annotations?.["autoscaling.alpha.kubernetes.io/conditions"];
  if (conditions.length === 0 && annotation) {
    try {
      conditions = conditionsOf({ conditions: JSON.parse(annotation) as unknown });
    } catch {
      return health("Unknown", "The autoscaling.alpha.kubernetes.io/conditions annotation is not JSON");
    }
  }
  // Any failing condition wins over a healthy one listed before it.
  const degraded = conditions.find((c) => HPA_DEGRADED.has(`${c.type}/${c.reason}`));
  if (degraded) return health("Degraded", explain(degraded.reason, degraded.message));
  const healthy = conditions.find(
    (c) => (c.type === "AbleToScale" || c.type === "ScalingLimited") && c.status === "True",
  );
  if (healthy) return health("Healthy", healthy.message);
  return health("Progressing", "Waiting to autoscale");
}

function crdHealth(status: Json): HealthStatus {
  const conditions = conditionsOf(status);
  if (conditions.length === 0) return health("Progressing", "Status conditions not found");
  const find = (type: string, value: string) => conditions.find((c) => c.type === type && c.status === value);
  const terminating = find("Terminating", "True");
  if (terminating) return health("Progressing", `CRD is being terminated: ${terminating.message}`);
  const names = find("NamesAccepted", "False");
  if (names) return health("Degraded", `CRD names have not been accepted: ${names.message}`);
  if (!find("Established", "True")) {
    const established = conditions.find((c) => c.type === "Established");
    return health("Degraded", `CRD is not established${established?.message ? `: ${established.message}` : ""}`);
  }
  const violations = find("NonStructuralSchema", "True");
  if (violations) return health("Degraded", `Schema violations found: ${violations.message}`);
  return health("Healthy");
}

/**
 * Any other kind, by the conventions controllers share (kstatus, Flux, Crossplane, cert-manager, Cluster API):
 * `spec.suspend: true` → Suspended; a status not yet written for this generation → Progressing; Stalled=True or
 * Failed=True → Degraded; Reconciling=True → Progressing; then the first of Ready, Available, Healthy, Synced: True →
 * Healthy, False → Degraded with its reason and message, Unknown → Progressing; without any of those,
 * Progressing=True → Progressing, and a bare `status.phase` of Failed/Error → Degraded, Pending/Running → Progressing.
 *
 * Objects with nothing to go by — no status (ConfigMaps, Secrets, RBAC…), or a status with none of those conditions —
 * are Healthy: they exist and nothing says otherwise. That is how Argo CD treats a kind it has no check for (it
 * leaves its health out and the application stays Healthy), and it keeps Unknown for an assessment that failed.
 */
function genericHealth(obj: KubeObject, spec: Json, status: Json, hasStatus: boolean): HealthStatus {
  if (spec.suspend === true) return health("Suspended", `${obj.kind} is suspended`);
  if (!hasStatus) return health("Healthy");
  if (status.observedGeneration !== undefined && !generationObserved(obj, status))
    return health("Progressing", "Waiting for the controller to observe the latest generation");
  const conditions = conditionsOf(status);
  const failing = conditions.find((c) => (c.type === "Stalled" || c.type === "Failed") && c.status === "True");
  if (failing) return health("Degraded", explain(failing.reason, failing.message) || failing.type);
  // Reconciling=True is kstatus's "at work" whatever Ready says (Flux sets Ready=False while it reconciles).
  const reconciling = conditions.find((c) => c.type === "Reconciling" && c.status === "True");
  if (reconciling) return health("Progressing", explain(reconciling.reason, reconciling.message) || undefined);
  const summary = ["Ready", "Available", "Healthy", "Synced"]
    .map((type) => conditions.find((c) => c.type === type))
    .find((c) => c !== undefined);
  if (summary?.status === "True") return health("Healthy", summary.message || undefined);
  if (summary?.status === "False")
    return health("Degraded", explain(summary.reason, summary.message) || `${summary.type} is False`);
  if (summary) return health("Progressing", explain(summary.reason, summary.message) || undefined);
  // Progressing=True counts only without a summary condition: Deployment-style status keeps Progressing=True
  // (NewReplicaSetAvailable) next to Available=True for good.
  const progressing = conditions.find((c) => c.type === "Progressing" && c.status === "True");
  if (progressing) return health("Progressing", explain(progressing.reason, progressing.message) || undefined);
  // Some controllers report a phase only (Argo CD's Application, Strimzi, older operators).
  const phase = str(status.phase);
  if (/^(failed|error|degraded)$/i.test(phase)) return health("Degraded", str(status.message) || phase);
  if (/^(pending|progressing|running|creating|provisioning)$/i.test(phase))
    return health("Progressing", str(status.message) || phase);
  return health("Healthy");
}

/**
 * The health of one live object. Never throws: a value that is not an object of the expected shape is assessed on
 * what is there (absent numbers count as 0, absent spec.replicas as the API server's default of 1).
 */
export function assessHealth(obj: KubeObject): HealthStatus {
  if (!isRecord(obj) || !isRecord(obj.metadata)) return health("Unknown", "Not a Kubernetes object");
  if (obj.metadata.deletionTimestamp) return health("Progressing", "Pending deletion");
  const spec = rec(obj.spec);
  const hasStatus = isRecord(obj.status);
  const status = rec(obj.status);
  const group = groupOf(str(obj.apiVersion));
  switch (`${group}/${obj.kind}`) {
    case "apps/Deployment":
    case "extensions/Deployment":
      return deploymentHealth(obj, spec, status);
    case "apps/StatefulSet":
      return statefulSetHealth(obj, spec, status);
    case "apps/DaemonSet":
    case "extensions/DaemonSet":
      return daemonSetHealth(obj, spec, status);
    case "apps/ReplicaSet":
    case "extensions/ReplicaSet":
      return replicaSetHealth(obj, spec, status);
    case "/Pod":
      return podHealth(spec, status);
    case "/PersistentVolumeClaim":
      return pvcHealth(status);
    case "/Service":
      return serviceHealth(spec, status);
    case "networking.k8s.io/Ingress":
    case "extensions/Ingress":
      return ingressHealth(status);
    case "batch/Job":
      return jobHealth(spec, status);
    case "batch/CronJob":
      return cronJobHealth(spec, status, hasStatus);
    case "autoscaling/HorizontalPodAutoscaler":
      return hpaHealth(obj, status);
    case "apiextensions.k8s.io/CustomResourceDefinition":
      return crdHealth(status);
    default:
      return genericHealth(obj, spec, status, hasStatus);
  }
}
