/**
 * Stands in for kube-controller-manager, the scheduler and the kubelet, so a workload looks the way it does on a real
 * cluster: Deployments own ReplicaSets own Pods, StatefulSets and DaemonSets own Pods and ControllerRevisions, Jobs
 * own Pods; every child carries a controller ownerReference (so deleting the owner garbage-collects it) and the
 * controllers record core/v1 Events with the real reasons (ScalingReplicaSet, SuccessfulCreate, Scheduled, BackOff…).
 *
 * Controllers are level-triggered like the real ones: every write to a workload or one of its Pods queues the owner,
 * and a reconcile reads the store and converges it, so restarts from a snapshot and concurrent edits need no special
 * cases. Pods go Pending (scheduled on the one fake Node) at once and Running/Ready after `rolloutDelayMs`. A
 * container "fails" when its image is tagged `fail` or the pod template carries `sandbox.wharf.dev/fail: "true"`: it
 * exits 1, so a restartPolicy Always pod is in CrashLoopBackOff and a Job pod ends Failed. A Deployment whose new
 * ReplicaSet has crash-looping pods reports ProgressDeadlineExceeded at once instead of after
 * progressDeadlineSeconds: the sandbox compresses time, it does not invent states.
 */
import { createHash } from "node:crypto";
import type { Cluster } from "./cluster";
import { nowTimestamp } from "./cluster";
import { StatusError } from "./errors";
import type { ResourceDef } from "./resources";
import { deepEqual } from "./ssa";
import type { KObject, OwnerReference } from "./store";

type Obj = Record<string, unknown>;

export const FAIL_ANNOTATION = "sandbox.wharf.dev/fail";
/** The Node every pod is scheduled on (created by bootstrap). */
export const SANDBOX_NODE = "sandbox-control-plane";
const MANAGER = "kube-controller-manager";
const REVISION = "deployment.kubernetes.io/revision";
const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
const DESIRED = "deployment.kubernetes.io/desired-replicas";
const MAX = "deployment.kubernetes.io/max-replicas";
const CHANGE_CAUSE = "kubernetes.io/change-cause";
const EVENT_TTL_MS = 60 * 60 * 1000;
const CONTROLLERS = new Set(["apps/Deployment", "apps/ReplicaSet", "apps/StatefulSet", "apps/DaemonSet", "batch/Job"]);

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown, fallback = 0): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      // Null is how clients spell an unset field (kubectl sends the template with creationTimestamp: null).
      .filter((k) => v[k] !== undefined && v[k] !== null)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * pod-template-hash / controller-revision-hash the way the controllers spell it: FNV-32a of the template, printed in
 * decimal and passed through apimachinery's SafeEncodeString (hence values like "7c5ddbdf54"). The hash is over the
 * template without pod-template-hash, so `kubectl rollout undo` (which strips that label) finds the old ReplicaSet.
 */
export function templateHash(template: unknown): string {
  const t = structuredClone((template ?? {}) as Obj);
  const labels = (t.metadata as Obj | undefined)?.labels as Record<string, string> | undefined;
  if (labels) delete labels["pod-template-hash"];
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(stableJson(t), "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphanums = "bcdfghjklmnpqrstvwxz2456789";
  return [...String(h)].map((c) => alphanums[c.charCodeAt(0) % alphanums.length]).join("");
}

function podSpecOf(o: KObject): Obj {
  if (o.kind === "Pod") return (o.spec ?? {}) as Obj;
  return ((((o.spec as Obj | undefined)?.template ?? {}) as Obj).spec ?? {}) as Obj;
}

/** True when any container image is tagged `fail` or the object (or its pod template) carries the fail annotation. */
export function isFailing(o: KObject): boolean {
  if (o.metadata.annotations?.[FAIL_ANNOTATION] === "true") return true;
  const tmeta = ((((o.spec as Obj | undefined)?.template ?? {}) as Obj).metadata ?? {}) as {
    annotations?: Record<string, string>;
  };
  if (tmeta.annotations?.[FAIL_ANNOTATION] === "true") return true;
  const spec = podSpecOf(o);
  const containers = [...((spec.containers ?? []) as Obj[]), ...((spec.initContainers ?? []) as Obj[])];
  return containers.some((c) => {
    const last = (typeof c.image === "string" ? c.image : "").split("/").pop() ?? "";
    return last.includes(":") && last.split(":").pop() === "fail";
  });
}

/** Keeps a condition's timestamps when nothing about it changed, as the controllers do (and so a resync is a no-op). */
function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  previous: unknown,
  stamps: "update" | "probe" | "none" = "update",
): Obj {
  const prev = Array.isArray(previous) ? (previous as Obj[]).find((c) => c.type === type) : undefined;
  if (prev && prev.status === status && prev.reason === reason && prev.message === message) return prev;
  const now = nowTimestamp();
  const transition = prev && prev.status === status ? prev.lastTransitionTime : now;
  if (stamps === "update")
    return { type, status, lastUpdateTime: now, lastTransitionTime: transition, reason, message };
  if (stamps === "probe") return { type, status, lastProbeTime: now, lastTransitionTime: transition, reason, message };
  return {
    type,
    status,
    lastTransitionTime: transition,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** Go's omitempty drops zero counts from workload statuses; these fields are not omitempty. */
function compact(status: Obj, keep: string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(status)) {
    if (v === undefined || (v === 0 && !keep.includes(k))) continue;
    out[k] = v;
  }
  return out;
}

/** An int-or-percent rollout parameter resolved against the replica count (percentages round down or up). */
function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.endsWith("%")) {
    const x = (Number(v.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return 0;
}

function ownerRef(o: KObject): OwnerReference {
  return {
    apiVersion: String(o.apiVersion ?? ""),
    kind: String(o.kind ?? ""),
    name: o.metadata.name ?? "",
    uid: o.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

function controllerOf(o: KObject): OwnerReference | undefined {
  return (o.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

function podReady(p: KObject): boolean {
  const status = (p.status ?? {}) as Obj;
  return (
    status.phase === "Running" &&
    ((status.conditions ?? []) as Obj[]).some((c) => c.type === "Ready" && c.status === "True")
  );
}

function podCrashing(p: KObject): boolean {
  const statuses = (((p.status ?? {}) as Obj).containerStatuses ?? []) as Obj[];
  return statuses.some(
    (s) => isObj(s.state) && isObj(s.state.waiting) && s.state.waiting.reason === "CrashLoopBackOff",
  );
}

function podPhase(p: KObject): string {
  return String(((p.status ?? {}) as Obj).phase ?? "Pending");
}

interface QueueItem {
  group: string;
  resource: string;
  namespace: string | undefined;
  name: string;
}

export class Simulator {
  private readonly queue = new Map<string, QueueItem>();
  private flush: NodeJS.Immediate | undefined;
  private readonly kubelet = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private eventSeq = 0;
  private ipSeq = 0;

  private readonly eventSweep: NodeJS.Timeout;

  constructor(
    private readonly cluster: Cluster,
    private readonly rolloutDelayMs: number,
  ) {
    cluster.onWrite((def, obj, old) => this.observe(def, obj, old));
    this.eventSweep = setInterval(() => this.expireEvents(), 60_000);
    this.eventSweep.unref();
  }

  /** kube-apiserver stores Events with a one-hour lease (--event-ttl=1h): older ones disappear. */
  expireEvents(now = Date.now()): void {
    const def = this.def("", "events");
    if (!def || this.stopped) return;
    for (const e of this.cluster.store.list(this.cluster.table(def))) {
      const last = Date.parse(String(e.lastTimestamp ?? e.metadata.creationTimestamp ?? ""));
      if (Number.isFinite(last) && now - last > EVENT_TTL_MS) this.deleteObject("", "events", e);
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.eventSweep);
    if (this.flush) clearImmediate(this.flush);
    for (const t of this.kubelet.values()) clearTimeout(t);
    this.kubelet.clear();
    this.queue.clear();
  }

  /** Picks everything up again after a restart from a snapshot: workloads reconcile, unfinished pods start. */
  resync(): void {
    for (const key of CONTROLLERS) {
      const def = this.defByKind(key);
      if (!def) continue;
      for (const o of this.cluster.store.list(this.cluster.table(def)))
        this.enqueue(def, o.metadata.namespace, o.metadata.name ?? "");
    }
    const podDef = this.def("", "pods");
    if (podDef)
      for (const p of this.cluster.store.list(this.cluster.table(podDef)))
        if (podPhase(p) === "Pending" && !podCrashing(p)) this.startPod(p);
  }

  private def(group: string, resource: string): ResourceDef | undefined {
    return this.cluster.registry.get(group, "v1", resource);
  }

  private defByKind(key: string): ResourceDef | undefined {
    const [group, kind] = key.split("/") as [string, string];
    return this.cluster.registry.allStored().find((d) => d.group === group && d.kind === kind && !d.crd);
  }

  private observe(def: ResourceDef, obj: KObject, old: KObject | undefined): void {
    if (this.stopped || def.crd) return;
    const key = `${def.group}/${def.kind}`;
    const live = this.cluster.find(def, obj.metadata.namespace, obj.metadata.name ?? "");
    const gone = !live || live.metadata.uid !== obj.metadata.uid;
    if (key === "/Pod") {
      const uid = obj.metadata.uid ?? "";
      if (gone) {
        const t = this.kubelet.get(uid);
        if (t) clearTimeout(t);
        this.kubelet.delete(uid);
      } else if (!old) this.startPod(obj);
      this.enqueueOwner(obj);
      return;
    }
    if (!CONTROLLERS.has(key)) return;
    if (!gone) this.enqueue(def, obj.metadata.namespace, obj.metadata.name ?? "");
    if (def.kind === "ReplicaSet") this.enqueueOwner(obj);
  }

  private enqueueOwner(obj: KObject): void {
    const ref = controllerOf(obj);
    if (!ref) return;
    const group = ref.apiVersion.includes("/") ? (ref.apiVersion.split("/")[0] ?? "") : "";
    const def = this.cluster.registry.allStored().find((d) => d.group === group && d.kind === ref.kind && !d.crd);
    if (!def || !CONTROLLERS.has(`${def.group}/${def.kind}`)) return;
    this.enqueue(def, obj.metadata.namespace, ref.name);
    // A pod that starts crash-looping changes no ReplicaSet count, yet its Deployment's Progressing condition.
    const owner = this.cluster.find(def, obj.metadata.namespace, ref.name);
    if (owner && obj.kind === "Pod") this.enqueueOwner(owner);
  }

  private enqueue(def: ResourceDef, namespace: string | undefined, name: string): void {
    if (this.stopped) return;
    this.queue.set(`${def.group}/${def.name}/${namespace ?? ""}/${name}`, {
      group: def.group,
      resource: def.name,
      namespace,
      name,
    });
    // Controllers react asynchronously: the write that triggered this has already been answered.
    this.flush ??= setImmediate(() => this.drain());
  }

  private drain(): void {
    this.flush = undefined;
    const items = [...this.queue.values()];
    this.queue.clear();
    for (const item of items) {
      if (this.stopped) return;
      const def = this.def(item.group, item.resource);
      const obj = def ? this.cluster.find(def, item.namespace, item.name) : undefined;
      if (!def || !obj || obj.metadata.deletionTimestamp) continue;
      try {
        if (def.kind === "Deployment") this.syncDeployment(def, obj);
        else if (def.kind === "ReplicaSet") this.syncReplicaSet(def, obj);
        else if (def.kind === "StatefulSet") this.syncStatefulSet(def, obj);
        else if (def.kind === "DaemonSet") this.syncDaemonSet(def, obj);
        else if (def.kind === "Job") this.syncJob(def, obj);
      } catch (e) {
        // A conflicting write or a namespace being terminated: the write that caused it queues the object again.
        if (!(e instanceof StatusError)) throw e;
      }
    }
  }

  // ── shared helpers ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Live objects of one resource whose controller is `owner`. */
  private owned(owner: KObject, group: string, resource: string): KObject[] {
    const table = `${group}/${resource}`;
    return this.cluster.store
      .dependentsOf(owner.metadata.uid ?? "")
      .filter(([t, o]) => t === table && controllerOf(o)?.uid === owner.metadata.uid && !o.metadata.deletionTimestamp)
      .map(([, o]) => o)
      .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  }

  private writeStatus(def: ResourceDef, obj: KObject, status: Obj): KObject {
    if (deepEqual(obj.status ?? {}, status)) return obj;
    const next = structuredClone(obj);
    next.status = status;
    return this.cluster.commit(
      def,
      obj,
      next,
      { fieldManager: MANAGER, dryRun: false, subresource: "status" },
      undefined,
    );
  }

  private writeObject(def: ResourceDef, obj: KObject, mutate: (o: KObject) => void): KObject {
    const next = structuredClone(obj);
    mutate(next);
    if (deepEqual(next, obj)) return obj;
    return this.cluster.commit(def, obj, next, { fieldManager: MANAGER, dryRun: false }, undefined);
  }

  private create(group: string, resource: string, namespace: string | undefined, body: Obj): KObject | undefined {
    const def = this.def(group, resource);
    if (!def) return undefined;
    return this.cluster.create(def, namespace, body, { fieldManager: MANAGER, dryRun: false });
  }

  private deleteObject(group: string, resource: string, o: KObject): void {
    const def = this.def(group, resource);
    if (!def) return;
    try {
      this.cluster.delete(def, o.metadata.namespace, o.metadata.name ?? "", {
        dryRun: false,
        propagationPolicy: "Background",
      });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }

  /** A core/v1 Event as client-go's recorder writes it (name "<object>.<hex nanoseconds>"). */
  private event(
    involved: KObject,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    component: string,
    fieldPath?: string,
  ): void {
    const now = nowTimestamp();
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(this.eventSeq++ % 1_000_000);
    const namespace = involved.metadata.namespace ?? "default";
    try {
      this.create("", "events", namespace, {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${involved.metadata.name ?? ""}.${nanos.toString(16)}`, namespace },
        involvedObject: {
          kind: involved.kind,
          namespace: involved.metadata.namespace,
          name: involved.metadata.name,
          uid: involved.metadata.uid,
          apiVersion: involved.apiVersion,
          resourceVersion: involved.metadata.resourceVersion,
          ...(fieldPath ? { fieldPath } : {}),
        },
        reason,
        message,
        source: { component, ...(component === "kubelet" ? { host: SANDBOX_NODE } : {}) },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: component,
        reportingInstance: component === "kubelet" ? SANDBOX_NODE : "",
      });
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
  }

  /** Creates a pod for a controller: the template's metadata and spec, a generated or fixed name, the owner reference. */
  private createPod(
    owner: KObject,
    template: Obj,
    name: { generateName: string } | { name: string },
    extraLabels: Record<string, string>,
    spec: Obj = {},
  ): KObject | undefined {
    const tmeta = (template.metadata ?? {}) as Obj;
    const pod = this.create("", "pods", owner.metadata.namespace, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        ...name,
        labels: { ...((tmeta.labels ?? {}) as Record<string, string>), ...extraLabels },
        ...(tmeta.annotations ? { annotations: structuredClone(tmeta.annotations) } : {}),
        ownerReferences: [ownerRef(owner)],
      },
      // The scheduler's binding is folded into the create: there is one node and nothing to decide.
      spec: { ...structuredClone((template.spec ?? {}) as Obj), nodeName: SANDBOX_NODE, ...spec },
    });
    return pod;
  }

  // ── scheduler + kubelet ─────────────────────────────────────────────────────────────────────────────────────────

  /** Binds a new pod to the node, reports it Pending/ContainerCreating, and runs it after the rollout delay. */
  private startPod(pod: KObject): void {
    const podDef = this.def("", "pods");
    if (!podDef || this.stopped) return;
    const uid = pod.metadata.uid ?? "";
    const bind = setImmediate(() => {
      const live = this.cluster.find(podDef, pod.metadata.namespace, pod.metadata.name ?? "");
      if (this.stopped || !live || live.metadata.uid !== uid) return;
      try {
        let current = live;
        const nodeName = (current.spec as Obj | undefined)?.nodeName;
        if (nodeName !== undefined && nodeName !== SANDBOX_NODE) return;
        if (!nodeName) {
          current = this.writeObject(podDef, current, (o) => {
            (o.spec as Obj).nodeName = SANDBOX_NODE;
          });
        }
        if (!((current.status as Obj | undefined)?.conditions as unknown[] | undefined)?.length) {
          this.event(
            current,
            "Normal",
            "Scheduled",
            `Successfully assigned ${current.metadata.namespace ?? ""}/${current.metadata.name ?? ""} to ${SANDBOX_NODE}`,
            "default-scheduler",
          );
          this.writeStatus(podDef, current, this.podStatus(current, "creating"));
        }
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
      }
      const run = setTimeout(() => this.runPod(podDef, pod), this.rolloutDelayMs);
      run.unref();
      this.kubelet.set(uid, run);
    });
    bind.unref?.();
  }

  private runPod(podDef: ResourceDef, ref: KObject): void {
    this.kubelet.delete(ref.metadata.uid ?? "");
    const pod = this.cluster.find(podDef, ref.metadata.namespace, ref.metadata.name ?? "");
    if (this.stopped || !pod || pod.metadata.uid !== ref.metadata.uid || pod.metadata.deletionTimestamp) return;
    const failing = isFailing(pod);
    const spec = (pod.spec ?? {}) as Obj;
    const restartAlways = (spec.restartPolicy ?? "Always") === "Always";
    try {
      const next = this.writeStatus(
        podDef,
        pod,
        this.podStatus(
          pod,
          failing ? (restartAlways ? "crashing" : "failed") : restartAlways ? "running" : "succeeded",
        ),
      );
      for (const c of (spec.containers ?? []) as Obj[]) {
        const name = String(c.name ?? "");
        const fieldPath = `spec.containers{${name}}`;
        this.event(
          next,
          "Normal",
          "Pulled",
          `Container image "${String(c.image ?? "")}" already present on machine`,
          "kubelet",
          fieldPath,
        );
        this.event(next, "Normal", "Created", `Created container: ${name}`, "kubelet", fieldPath);
        this.event(next, "Normal", "Started", `Started container ${name}`, "kubelet", fieldPath);
        if (failing && restartAlways) {
          this.event(
            next,
            "Warning",
            "BackOff",
            `Back-off restarting failed container ${name} in pod ${next.metadata.name ?? ""}_${next.metadata.namespace ?? ""}(${next.metadata.uid ?? ""})`,
            "kubelet",
            fieldPath,
          );
        }
      }
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
  }

  private podStatus(pod: KObject, state: "creating" | "running" | "crashing" | "failed" | "succeeded"): Obj {
    const prev = (pod.status ?? {}) as Obj;
    const spec = (pod.spec ?? {}) as Obj;
    const containers = (spec.containers ?? []) as Obj[];
    const now = nowTimestamp();
    const startTime = typeof prev.startTime === "string" ? prev.startTime : now;
    const prevConds = prev.conditions;
    const names = containers.map((c) => String(c.name ?? ""));
    const ready = state === "running";
    const c = (type: string, status: boolean, reason = "", message = "") => {
      const out = condition(type, status ? "True" : "False", reason, message, prevConds, "none");
      return { ...out, lastProbeTime: null };
    };
    const notReady = state === "succeeded" || state === "failed" ? "PodCompleted" : "ContainersNotReady";
    const notReadyMsg = notReady === "ContainersNotReady" ? `containers with unready status: [${names.join(" ")}]` : "";
    this.ipSeq = (this.ipSeq % 250) + 1;
    const podIP = typeof prev.podIP === "string" ? prev.podIP : `10.244.0.${this.ipSeq + 1}`;
    const containerStatuses = containers.map((ct) => {
      const image = String(ct.image ?? "");
      const digest = createHash("sha256").update(image).digest("hex");
      const containerID = `containerd://${createHash("sha256")
        .update(`${pod.metadata.uid ?? ""}/${String(ct.name ?? "")}`)
        .digest("hex")}`;
      const base = { name: ct.name, image, imageID: `${image.split(":")[0] ?? image}@sha256:${digest}` };
      switch (state) {
        case "creating":
          return {
            ...base,
            ready: false,
            restartCount: 0,
            started: false,
            state: { waiting: { reason: "ContainerCreating" } },
            lastState: {},
          };
        case "running":
          return {
            ...base,
            containerID,
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: now } },
            lastState: {},
          };
        case "crashing":
          return {
            ...base,
            containerID,
            ready: false,
            restartCount: 1,
            started: false,
            state: {
              waiting: {
                reason: "CrashLoopBackOff",
                message: `back-off 10s restarting failed container=${String(ct.name ?? "")} pod=${pod.metadata.name ?? ""}_${pod.metadata.namespace ?? ""}(${pod.metadata.uid ?? ""})`,
              },
            },
            lastState: {
              terminated: { exitCode: 1, reason: "Error", startedAt: startTime, finishedAt: now, containerID },
            },
          };
        case "failed":
        case "succeeded":
          return {
            ...base,
            containerID,
            ready: false,
            restartCount: 0,
            started: false,
            state: {
              terminated: {
                exitCode: state === "failed" ? 1 : 0,
                reason: state === "failed" ? "Error" : "Completed",
                startedAt: startTime,
                finishedAt: now,
                containerID,
              },
            },
            lastState: {},
          };
      }
    });
    const phase =
      state === "creating"
        ? "Pending"
        : state === "succeeded"
          ? "Succeeded"
          : state === "failed"
            ? "Failed"
            : "Running";
    return {
      phase,
      conditions: [
        c("PodReadyToStartContainers", state !== "creating"),
        c("Initialized", true),
        c("Ready", ready, ready ? "" : notReady, ready ? "" : notReadyMsg),
        c("ContainersReady", ready, ready ? "" : notReady, ready ? "" : notReadyMsg),
        c("PodScheduled", true),
      ],
      hostIP: "127.0.0.1",
      hostIPs: [{ ip: "127.0.0.1" }],
      ...(state === "creating" ? {} : { podIP, podIPs: [{ ip: podIP }] }),
      startTime,
      containerStatuses,
      qosClass: containers.some(
        (ct) => isObj(ct.resources) && (isObj(ct.resources.requests) || isObj(ct.resources.limits)),
      )
        ? "Burstable"
        : "BestEffort",
    };
  }

  // ── deployment controller ───────────────────────────────────────────────────────────────────────────────────────

  private syncDeployment(def: ResourceDef, d: KObject): void {
    const rsDef = this.def("apps", "replicasets");
    if (!rsDef) return;
    const spec = (d.spec ?? {}) as Obj;
    const replicas = num(spec.replicas, 1);
    const template = (spec.template ?? {}) as Obj;
    const hash = templateHash(template);
    const strategy = (spec.strategy ?? {}) as Obj;
    const rolling = (strategy.rollingUpdate ?? {}) as Obj;
    const recreate = strategy.type === "Recreate";
    const maxSurge = recreate ? 0 : intOrPercent(rolling.maxSurge ?? "25%", replicas, true);
    const maxUnavailable = recreate ? 0 : intOrPercent(rolling.maxUnavailable ?? "25%", replicas, false);
    const revisionOf = (rs: KObject) => Number(rs.metadata.annotations?.[REVISION] ?? "0") || 0;
    let all = this.owned(d, "apps", "replicasets");
    let newRS = all.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    const maxRevision = Math.max(0, ...all.map(revisionOf));
    const paused = spec.paused === true;

    if (!paused) {
      const annotations = (rsAnn: Record<string, string>) => {
        const out: Record<string, string> = {
          ...rsAnn,
          [DESIRED]: String(replicas),
          [MAX]: String(replicas + maxSurge),
        };
        const cause = d.metadata.annotations?.[CHANGE_CAUSE];
        if (cause !== undefined) out[CHANGE_CAUSE] = cause;
        return out;
      };
      if (!newRS) {
        const selector = structuredClone((spec.selector ?? {}) as Obj);
        selector.matchLabels = {
          ...((selector.matchLabels ?? {}) as Record<string, string>),
          "pod-template-hash": hash,
        };
        const tmpl = structuredClone(template);
        const tmeta = (isObj(tmpl.metadata) ? tmpl.metadata : (tmpl.metadata = {})) as Obj;
        tmeta.labels = { ...((tmeta.labels ?? {}) as Record<string, string>), "pod-template-hash": hash };
        const initial = this.newReplicaSetTarget(0, all, replicas, maxSurge, recreate);
        newRS = this.create("apps", "replicasets", d.metadata.namespace, {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          metadata: {
            name: `${d.metadata.name ?? ""}-${hash}`,
            labels: tmeta.labels,
            annotations: annotations({ [REVISION]: String(maxRevision + 1) }),
            ownerReferences: [ownerRef(d)],
          },
          spec: {
            replicas: initial,
            ...(spec.minReadySeconds !== undefined ? { minReadySeconds: spec.minReadySeconds } : {}),
            selector,
            template: tmpl,
          },
        });
        if (newRS && initial > 0)
          this.event(
            d,
            "Normal",
            "ScalingReplicaSet",
            `Scaled up replica set ${newRS.metadata.name ?? ""} from 0 to ${initial}`,
            "deployment-controller",
          );
      } else {
        // A rollback (`kubectl rollout undo`) makes an old ReplicaSet current again: it gets the next revision.
        const rev = revisionOf(newRS);
        const others = all.filter((rs) => rs !== newRS);
        const needsRevision = others.some((rs) => revisionOf(rs) > rev);
        const from = num((newRS.spec as Obj | undefined)?.replicas);
        const target = this.newReplicaSetTarget(from, others, replicas, maxSurge, recreate);
        newRS = this.writeObject(rsDef, newRS, (o) => {
          const ann = o.metadata.annotations ?? {};
          if (needsRevision) {
            ann[REVISION_HISTORY] = [ann[REVISION_HISTORY], String(rev)].filter(Boolean).join(",");
            ann[REVISION] = String(maxRevision + 1);
          }
          o.metadata.annotations = annotations(ann);
          (o.spec as Obj).replicas = target;
        });
        if (from !== target)
          this.event(
            d,
            "Normal",
            "ScalingReplicaSet",
            `Scaled ${target > from ? "up" : "down"} replica set ${newRS.metadata.name ?? ""} from ${from} to ${target}`,
            "deployment-controller",
          );
      }
      // Old ReplicaSets shrink as far as maxUnavailable allows, counting the new one's unavailable pods (the rolling
      // updater's maxScaledDown), oldest revision first; Recreate scales them to zero before the new one starts.
      const newSpec = num((newRS?.spec as Obj | undefined)?.replicas);
      const newUnavailable = Math.max(0, newSpec - num(((newRS?.status ?? {}) as Obj).availableReplicas));
      const olds = all
        .filter((rs) => rs.metadata.uid !== newRS?.metadata.uid)
        .sort((a, b) => revisionOf(a) - revisionOf(b));
      const oldTotal = olds.reduce((n, rs) => n + num((rs.spec as Obj | undefined)?.replicas), 0);
      let budget = recreate ? oldTotal : oldTotal + newSpec - (replicas - maxUnavailable) - newUnavailable;
      for (const rs of olds) {
        const from = num((rs.spec as Obj | undefined)?.replicas);
        if (from === 0 || budget <= 0) continue;
        const to = from - Math.min(from, budget);
        budget -= from - to;
        this.writeObject(rsDef, rs, (o) => {
          (o.spec as Obj).replicas = to;
        });
        this.event(
          d,
          "Normal",
          "ScalingReplicaSet",
          `Scaled down replica set ${rs.metadata.name ?? ""} from ${from} to ${to}`,
          "deployment-controller",
        );
      }
      // revisionHistoryLimit: the oldest scaled-down ReplicaSets beyond it are deleted.
      all = this.owned(d, "apps", "replicasets");
      const limit = num(spec.revisionHistoryLimit, 10);
      const idle = all
        .filter(
          (rs) =>
            rs.metadata.uid !== newRS?.metadata.uid &&
            num((rs.spec as Obj | undefined)?.replicas) === 0 &&
            num((rs.status as Obj | undefined)?.replicas) === 0,
        )
        .sort((a, b) => revisionOf(a) - revisionOf(b));
      for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) this.deleteObject("apps", "replicasets", rs);
      if (newRS && d.metadata.annotations?.[REVISION] !== newRS.metadata.annotations?.[REVISION]) {
        const revision = newRS.metadata.annotations?.[REVISION] ?? "1";
        d = this.writeObject(def, d, (o) => {
          o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: revision };
        });
      }
    }

    all = this.owned(d, "apps", "replicasets");
    const current = newRS ? all.find((rs) => rs.metadata.uid === newRS?.metadata.uid) : undefined;
    const sum = (field: string) => all.reduce((n, rs) => n + num(((rs.status ?? {}) as Obj)[field]), 0);
    const total = sum("replicas");
    const specTotal = all.reduce((n, rs) => n + num((rs.spec as Obj | undefined)?.replicas), 0);
    const available = sum("availableReplicas");
    const updated = num(((current?.status ?? {}) as Obj).replicas);
    const rsName = current?.metadata.name ?? `${d.metadata.name ?? ""}-${hash}`;
    const prevConds = ((d.status ?? {}) as Obj).conditions;
    const crashing = current ? this.owned(current, "", "pods").some(podCrashing) : false;
    const complete =
      updated === replicas &&
      total === replicas &&
      available >= replicas &&
      num(((current?.status ?? {}) as Obj).availableReplicas) >= replicas;
    const progressing = paused
      ? condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", prevConds)
      : crashing
        ? condition(
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            `ReplicaSet "${rsName}" has timed out progressing.`,
            prevConds,
          )
        : complete
          ? condition(
              "Progressing",
              "True",
              "NewReplicaSetAvailable",
              `ReplicaSet "${rsName}" has successfully progressed.`,
              prevConds,
            )
          : condition("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rsName}" is progressing.`, prevConds);
    const availableCond =
      available >= replicas - maxUnavailable
        ? condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", prevConds)
        : condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            prevConds,
          );
    this.writeStatus(
      def,
      d,
      compact(
        {
          observedGeneration: d.metadata.generation ?? 1,
          replicas: total,
          updatedReplicas: updated,
          readyReplicas: sum("readyReplicas"),
          availableReplicas: available,
          unavailableReplicas: Math.max(0, specTotal - available),
          conditions: [availableCond, progressing],
        },
        [],
      ),
    );
  }

  /**
   * The new ReplicaSet's size for this step: all of `replicas` when nothing old runs; under RollingUpdate no more than
   * replicas + maxSurge pods in total; under Recreate nothing until the old ReplicaSets are at zero.
   */
  private newReplicaSetTarget(
    current: number,
    others: KObject[],
    replicas: number,
    maxSurge: number,
    recreate: boolean,
  ): number {
    const oldTotal = others.reduce((n, rs) => n + num((rs.spec as Obj | undefined)?.replicas), 0);
    if (oldTotal === 0 || current >= replicas) return replicas;
    if (recreate) return 0;
    return current + Math.max(0, Math.min(replicas + maxSurge - (oldTotal + current), replicas - current));
  }

  // ── replicaset controller ───────────────────────────────────────────────────────────────────────────────────────

  private syncReplicaSet(def: ResourceDef, rs: KObject): void {
    const spec = (rs.spec ?? {}) as Obj;
    const replicas = num(spec.replicas, 1);
    let pods = this.owned(rs, "", "pods").filter((p) => podPhase(p) !== "Failed" && podPhase(p) !== "Succeeded");
    const name = rs.metadata.name ?? "";
    if (pods.length < replicas) {
      for (let i = pods.length; i < replicas; i++) {
        const pod = this.createPod(rs, (spec.template ?? {}) as Obj, { generateName: `${name}-` }, {});
        if (pod)
          this.event(
            rs,
            "Normal",
            "SuccessfulCreate",
            `Created pod: ${pod.metadata.name ?? ""}`,
            "replicaset-controller",
          );
      }
    } else if (pods.length > replicas) {
      // Not-ready pods go first, then the newest, as the controller's ranking does.
      const victims = [...pods]
        .sort(
          (a, b) =>
            Number(podReady(a)) - Number(podReady(b)) ||
            (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""),
        )
        .slice(0, pods.length - replicas);
      for (const p of victims) {
        this.deleteObject("", "pods", p);
        this.event(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name ?? ""}`, "replicaset-controller");
      }
    }
    pods = this.owned(rs, "", "pods").filter((p) => podPhase(p) !== "Failed" && podPhase(p) !== "Succeeded");
    const ready = pods.filter(podReady).length;
    this.writeStatus(
      def,
      rs,
      compact(
        {
          replicas: pods.length,
          fullyLabeledReplicas: pods.length,
          readyReplicas: ready,
          availableReplicas: ready,
          observedGeneration: rs.metadata.generation ?? 1,
        },
        ["replicas"],
      ),
    );
  }

  // ── controller revisions (StatefulSet, DaemonSet) ───────────────────────────────────────────────────────────────

  /** The ControllerRevision for the current template, created or promoted to the newest revision. */
  private revisionFor(owner: KObject, hash: string, labels: Record<string, string>): KObject | undefined {
    const crDef = this.def("apps", "controllerrevisions");
    if (!crDef) return undefined;
    const name = `${owner.metadata.name ?? ""}-${hash}`;
    const all = this.owned(owner, "apps", "controllerrevisions");
    const max = Math.max(0, ...all.map((r) => num(r.revision)));
    const existing = all.find((r) => r.metadata.name === name);
    if (existing) {
      if (num(existing.revision) === max) return existing;
      return this.writeObject(crDef, existing, (o) => {
        o.revision = max + 1;
      });
    }
    const template = structuredClone((((owner.spec ?? {}) as Obj).template ?? {}) as Obj);
    template.$patch = "replace";
    const cr = this.create("apps", "controllerrevisions", owner.metadata.namespace, {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name, labels: { ...labels, "controller-revision-hash": hash }, ownerReferences: [ownerRef(owner)] },
      data: { spec: { template } },
      revision: max + 1,
    });
    const limit = num(((owner.spec ?? {}) as Obj).revisionHistoryLimit, 10);
    const stale = all.sort((a, b) => num(a.revision) - num(b.revision));
    for (const r of stale.slice(0, Math.max(0, stale.length + 1 - limit)))
      this.deleteObject("apps", "controllerrevisions", r);
    return cr;
  }

  // ── statefulset controller ──────────────────────────────────────────────────────────────────────────────────────

  private syncStatefulSet(def: ResourceDef, sts: KObject): void {
    const spec = (sts.spec ?? {}) as Obj;
    const replicas = num(spec.replicas, 1);
    const template = (spec.template ?? {}) as Obj;
    const labels = ((template.metadata as Obj | undefined)?.labels ?? {}) as Record<string, string>;
    const hash = templateHash(template);
    const cr = this.revisionFor(sts, hash, labels);
    const updateRevision = cr?.metadata.name ?? `${sts.metadata.name ?? ""}-${hash}`;
    const name = sts.metadata.name ?? "";
    const ordered = (spec.podManagementPolicy ?? "OrderedReady") === "OrderedReady";
    const strategy = (spec.updateStrategy ?? {}) as Obj;
    const partition = num(((strategy.rollingUpdate ?? {}) as Obj).partition);
    const revisionOf = (p: KObject) => p.metadata.labels?.["controller-revision-hash"];
    const podsBy = () => new Map(this.owned(sts, "", "pods").map((p) => [p.metadata.name ?? "", p]));
    let pods = podsBy();

    for (let i = 0; i < replicas; i++) {
      const podName = `${name}-${i}`;
      if (pods.has(podName)) continue;
      if (
        ordered &&
        [...Array(i).keys()].some((j) => !podReady(pods.get(`${name}-${j}`) ?? ({ metadata: {} } as KObject)))
      )
        break;
      const pod = this.createPod(
        sts,
        template,
        { name: podName },
        {
          "controller-revision-hash": updateRevision,
          "statefulset.kubernetes.io/pod-name": podName,
          "apps.kubernetes.io/pod-index": String(i),
        },
        { hostname: podName, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) },
      );
      if (pod)
        this.event(
          sts,
          "Normal",
          "SuccessfulCreate",
          `create Pod ${podName} in StatefulSet ${name} successful`,
          "statefulset-controller",
        );
      if (ordered) break;
    }
    pods = podsBy();
    // Scale down and rolling update go from the highest ordinal, one pod at a time once the rest is ready.
    const byOrdinal = [...pods.values()].sort(
      (a, b) => Number(b.metadata.name?.slice(name.length + 1)) - Number(a.metadata.name?.slice(name.length + 1)),
    );
    const surplus = byOrdinal.find((p) => Number(p.metadata.name?.slice(name.length + 1)) >= replicas);
    const allReady = byOrdinal.every(podReady);
    const outdated =
      strategy.type !== "OnDelete" && allReady && pods.size === replicas
        ? byOrdinal.find(
            (p) => revisionOf(p) !== updateRevision && Number(p.metadata.name?.slice(name.length + 1)) >= partition,
          )
        : undefined;
    const victim = surplus ?? outdated;
    if (victim) {
      this.deleteObject("", "pods", victim);
      this.event(
        sts,
        "Normal",
        "SuccessfulDelete",
        `delete Pod ${victim.metadata.name ?? ""} in StatefulSet ${name} successful`,
        "statefulset-controller",
      );
      pods = podsBy();
    }
    const list = [...pods.values()];
    const prev = (sts.status ?? {}) as Obj;
    const updated = list.filter((p) => revisionOf(p) === updateRevision).length;
    const ready = list.filter(podReady).length;
    const prevCurrent = typeof prev.currentRevision === "string" ? prev.currentRevision : updateRevision;
    const currentRevision =
      updated === replicas && ready === replicas && list.length === replicas ? updateRevision : prevCurrent;
    this.writeStatus(
      def,
      sts,
      compact(
        {
          observedGeneration: sts.metadata.generation ?? 1,
          replicas: list.length,
          readyReplicas: ready,
          currentReplicas: list.filter((p) => revisionOf(p) === currentRevision).length,
          updatedReplicas: updated,
          currentRevision,
          updateRevision,
          collisionCount: 0,
          availableReplicas: ready,
        },
        ["replicas", "collisionCount", "availableReplicas"],
      ),
    );
  }

  // ── daemonset controller ────────────────────────────────────────────────────────────────────────────────────────

  private syncDaemonSet(def: ResourceDef, ds: KObject): void {
    const spec = (ds.spec ?? {}) as Obj;
    const template = (spec.template ?? {}) as Obj;
    const labels = ((template.metadata as Obj | undefined)?.labels ?? {}) as Record<string, string>;
    const hash = templateHash(template);
    this.revisionFor(ds, hash, labels);
    const name = ds.metadata.name ?? "";
    let pods = this.owned(ds, "", "pods");
    const desired = 1;
    for (const p of pods) {
      if (p.metadata.labels?.["controller-revision-hash"] === hash) continue;
      this.deleteObject("", "pods", p);
      this.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name ?? ""}`, "daemonset-controller");
    }
    pods = this.owned(ds, "", "pods");
    if (pods.length === 0) {
      const pod = this.createPod(
        ds,
        template,
        { generateName: `${name}-` },
        { "controller-revision-hash": hash, "pod-template-generation": String(ds.metadata.generation ?? 1) },
        { nodeName: SANDBOX_NODE },
      );
      if (pod)
        this.event(ds, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name ?? ""}`, "daemonset-controller");
      pods = this.owned(ds, "", "pods");
    }
    const ready = pods.filter(podReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.["controller-revision-hash"] === hash).length;
    this.writeStatus(
      def,
      ds,
      compact(
        {
          currentNumberScheduled: pods.length,
          numberMisscheduled: 0,
          desiredNumberScheduled: desired,
          numberReady: ready,
          observedGeneration: ds.metadata.generation ?? 1,
          updatedNumberScheduled: updated,
          numberAvailable: ready,
          numberUnavailable: desired - ready,
        },
        ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"],
      ),
    );
  }

  // ── job controller ──────────────────────────────────────────────────────────────────────────────────────────────

  private syncJob(def: ResourceDef, job: KObject): void {
    const spec = (job.spec ?? {}) as Obj;
    const prev = (job.status ?? {}) as Obj;
    const prevConds = prev.conditions;
    const finished = ((prevConds ?? []) as Obj[]).some(
      (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
    );
    if (finished) return;
    const name = job.metadata.name ?? "";
    if (spec.suspend === true) {
      for (const p of this.owned(job, "", "pods"))
        if (podPhase(p) !== "Succeeded" && podPhase(p) !== "Failed") this.deleteObject("", "pods", p);
      this.writeStatus(
        def,
        job,
        compact(
          {
            ...prev,
            active: 0,
            conditions: [condition("Suspended", "True", "JobSuspended", "Job suspended", prevConds, "probe")],
          },
          [],
        ),
      );
      return;
    }
    const parallelism = num(spec.parallelism, 1);
    const completions = num(spec.completions, 1);
    const backoffLimit = num(spec.backoffLimit, 6);
    let pods = this.owned(job, "", "pods");
    const count = (phase: string) => pods.filter((p) => podPhase(p) === phase).length;
    let succeeded = count("Succeeded");
    let failed = count("Failed");
    let active = pods.length - succeeded - failed;
    const startTime = typeof prev.startTime === "string" ? prev.startTime : nowTimestamp();
    const now = nowTimestamp();
    if (failed > backoffLimit) {
      for (const p of pods)
        if (podPhase(p) !== "Succeeded" && podPhase(p) !== "Failed") this.deleteObject("", "pods", p);
      const message = "Job has reached the specified backoff limit";
      this.event(job, "Warning", "BackoffLimitExceeded", message, "job-controller");
      this.writeStatus(def, job, {
        startTime,
        failed,
        ...(succeeded ? { succeeded } : {}),
        terminating: 0,
        ready: 0,
        uncountedTerminatedPods: {},
        conditions: [
          {
            type: "FailureTarget",
            status: "True",
            lastProbeTime: now,
            lastTransitionTime: now,
            reason: "BackoffLimitExceeded",
            message,
          },
          {
            type: "Failed",
            status: "True",
            lastProbeTime: now,
            lastTransitionTime: now,
            reason: "BackoffLimitExceeded",
            message,
          },
        ],
      });
      return;
    }
    if (succeeded >= completions) {
      const message = "Reached expected number of succeeded pods";
      this.event(job, "Normal", "Completed", "Job completed", "job-controller");
      this.writeStatus(def, job, {
        startTime,
        completionTime: now,
        succeeded,
        ...(failed ? { failed } : {}),
        terminating: 0,
        ready: 0,
        uncountedTerminatedPods: {},
        conditions: [
          {
            type: "SuccessCriteriaMet",
            status: "True",
            lastProbeTime: now,
            lastTransitionTime: now,
            reason: "CompletionsReached",
            message,
          },
          {
            type: "Complete",
            status: "True",
            lastProbeTime: now,
            lastTransitionTime: now,
            reason: "CompletionsReached",
            message,
          },
        ],
      });
      return;
    }
    const want = Math.min(parallelism, completions - succeeded) - active;
    for (let i = 0; i < want; i++) {
      const pod = this.createPod(job, (spec.template ?? {}) as Obj, { generateName: `${name}-` }, {});
      if (pod)
        this.event(job, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name ?? ""}`, "job-controller");
    }
    pods = this.owned(job, "", "pods");
    succeeded = count("Succeeded");
    failed = count("Failed");
    active = pods.length - succeeded - failed;
    this.writeStatus(
      def,
      job,
      compact(
        {
          startTime,
          active,
          ready: pods.filter(podReady).length,
          succeeded,
          failed,
          terminating: 0,
          uncountedTerminatedPods: {},
        },
        ["ready", "terminating"],
      ),
    );
  }
}
