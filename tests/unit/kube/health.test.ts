import { describe, expect, it } from "vitest";
import { aggregateHealth, assessHealth, isWorseHealth, type HealthStatusCode } from "@/lib/kube/health";
import type { KubeObject } from "@/lib/kube/types";

// The health rules as a table: one object per row, the status it must get and, where the status needs explaining,
// words the message must contain (the reason a user acts on). Rows follow Argo CD's gitops-engine checks and its
// CronJob Lua check; where Wharf differs on purpose the row says so.

interface Row {
  name: string;
  obj: KubeObject;
  status: HealthStatusCode;
  message?: string | RegExp;
}

function make(apiVersion: string, kind: string, body: { spec?: unknown; status?: unknown; generation?: number } = {}) {
  const obj: KubeObject = {
    apiVersion,
    kind,
    metadata: { name: "web", namespace: "shop", ...(body.generation ? { generation: body.generation } : {}) },
  };
  if (body.spec !== undefined) obj.spec = body.spec;
  if (body.status !== undefined) obj.status = body.status;
  return obj;
}

const deployment = (spec: object, status: object) =>
  make("apps/v1", "Deployment", {
    generation: 2,
    spec: { replicas: 3, ...spec },
    status: { observedGeneration: 2, ...status },
  });
const fullyRolled = { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 };

const statefulSet = (spec: object, status: object) =>
  make("apps/v1", "StatefulSet", {
    generation: 3,
    spec: { replicas: 3, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } }, ...spec },
    status: { observedGeneration: 3, currentRevision: "web-1", updateRevision: "web-1", ...status },
  });

const daemonSet = (spec: object, status: object) =>
  make("apps/v1", "DaemonSet", {
    generation: 1,
    spec: { updateStrategy: { type: "RollingUpdate" }, ...spec },
    status: {
      observedGeneration: 1,
      desiredNumberScheduled: 4,
      updatedNumberScheduled: 4,
      numberAvailable: 4,
      ...status,
    },
  });

const replicaSet = (spec: object, status: object) =>
  make("apps/v1", "ReplicaSet", {
    generation: 1,
    spec: { replicas: 2, ...spec },
    status: { observedGeneration: 1, ...status },
  });

const container = (state: object, extra: object = {}) => ({
  name: "app",
  ready: false,
  restartCount: 0,
  state,
  ...extra,
});
const pod = (spec: object, status: object) =>
  make("v1", "Pod", { spec: { containers: [{ name: "app", image: "shop:1" }], ...spec }, status });
const readyCondition = (value: "True" | "False") => ({ type: "Ready", status: value });

const job = (spec: object, status: object) => make("batch/v1", "Job", { spec, status });
const cronJob = (spec: object, status?: object) =>
  make("batch/v1", "CronJob", { spec: { schedule: "*/5 * * * *", ...spec }, status });

const hpa = (conditions: object[]) =>
  make("autoscaling/v2", "HorizontalPodAutoscaler", { spec: { maxReplicas: 5 }, status: { conditions } });

const custom = (status?: object, spec: object = {}, generation = 4) =>
  make("example.com/v1", "Database", { generation, spec, status });

const rows: Row[] = [
  // Deployment
  { name: "Deployment fully rolled out", obj: deployment({}, fullyRolled), status: "Healthy" },
  { name: "Deployment paused", obj: deployment({ paused: true }, fullyRolled), status: "Suspended", message: "paused" },
  {
    name: "Deployment whose new generation is not observed yet",
    obj: deployment({}, { ...fullyRolled, observedGeneration: 1 }),
    status: "Progressing",
    message: "observed generation",
  },
  {
    name: "Deployment with too few updated replicas",
    obj: deployment({}, { ...fullyRolled, updatedReplicas: 1 }),
    status: "Progressing",
    message: "1 out of 3 new replicas have been updated",
  },
  {
    name: "Deployment with old replicas still terminating",
    obj: deployment({}, { ...fullyRolled, replicas: 4 }),
    status: "Progressing",
    message: "1 old replicas are pending termination",
  },
  {
    name: "Deployment with updated replicas not yet available",
    obj: deployment({}, { ...fullyRolled, availableReplicas: 2 }),
    status: "Progressing",
    message: "2 of 3 updated replicas are available",
  },
  {
    name: "Deployment past its progress deadline (the condition's message is kept)",
    obj: deployment(
      {},
      {
        ...fullyRolled,
        availableReplicas: 2,
        conditions: [
          {
            type: "Progressing",
            status: "False",
            reason: "ProgressDeadlineExceeded",
            message: 'ReplicaSet "web-7d9f" has timed out progressing.',
          },
        ],
      },
    ),
    status: "Degraded",
    message: 'Deployment "web" exceeded its progress deadline: ReplicaSet "web-7d9f" has timed out progressing.',
  },
  {
    name: "Deployment without spec.replicas counts the default of 1",
    obj: make("apps/v1", "Deployment", { generation: 1, spec: {}, status: { observedGeneration: 1 } }),
    status: "Progressing",
    message: "0 out of 1 new replicas",
  },

  // StatefulSet
  {
    name: "StatefulSet at one revision, all ready",
    obj: statefulSet({}, { readyReplicas: 3, updatedReplicas: 3 }),
    status: "Healthy",
  },
  {
    name: "StatefulSet never observed by its controller",
    obj: statefulSet({}, { observedGeneration: 0, readyReplicas: 3 }),
    status: "Progressing",
    message: "spec update to be observed",
  },
  {
    name: "StatefulSet with pods not ready",
    obj: statefulSet({}, { readyReplicas: 1 }),
    status: "Progressing",
    message: "Waiting for 2 pods to be ready",
  },
  {
    // Argo CD calls this Healthy because the API server always writes rollingUpdate.partition: 0; kubectl does not.
    name: "StatefulSet still moving to its update revision (partition 0)",
    obj: statefulSet({}, { readyReplicas: 3, updatedReplicas: 1, updateRevision: "web-2" }),
    status: "Progressing",
    message: "revision web-2",
  },
  {
    name: "StatefulSet partitioned, the pods above the partition updated",
    obj: statefulSet(
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } },
      { readyReplicas: 3, updatedReplicas: 1, updateRevision: "web-2" },
    ),
    status: "Healthy",
    message: "partitioned roll out complete",
  },
  {
    name: "StatefulSet partitioned, not yet updated above the partition",
    obj: statefulSet(
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } },
      { readyReplicas: 3, updatedReplicas: 1, updateRevision: "web-2" },
    ),
    status: "Progressing",
    message: "1 out of 2 new pods have been updated",
  },
  {
    name: "StatefulSet with OnDelete: ready pods are enough, revisions may differ",
    obj: statefulSet({ updateStrategy: { type: "OnDelete" } }, { readyReplicas: 3, updateRevision: "web-2" }),
    status: "Healthy",
  },

  // DaemonSet
  { name: "DaemonSet with every node updated and available", obj: daemonSet({}, {}), status: "Healthy" },
  {
    name: "DaemonSet rolling out",
    obj: daemonSet({}, { updatedNumberScheduled: 2 }),
    status: "Progressing",
    message: "2 out of 4 new pods have been updated",
  },
  {
    name: "DaemonSet with updated pods unavailable",
    obj: daemonSet({}, { numberAvailable: 3 }),
    status: "Progressing",
    message: "3 of 4 updated pods are available",
  },
  {
    name: "DaemonSet with OnDelete",
    obj: daemonSet({ updateStrategy: { type: "OnDelete" } }, { updatedNumberScheduled: 1 }),
    status: "Healthy",
  },
  {
    name: "DaemonSet whose generation is not observed",
    obj: daemonSet({}, { observedGeneration: 0 }),
    status: "Progressing",
  },

  // ReplicaSet
  { name: "ReplicaSet with all replicas available", obj: replicaSet({}, { availableReplicas: 2 }), status: "Healthy" },
  {
    name: "ReplicaSet waiting for replicas",
    obj: replicaSet({}, { availableReplicas: 1 }),
    status: "Progressing",
    message: "1 out of 2 new replicas are available",
  },
  {
    name: "ReplicaSet that cannot create pods (quota)",
    obj: replicaSet(
      {},
      {
        availableReplicas: 0,
        conditions: [
          {
            type: "ReplicaFailure",
            status: "True",
            reason: "FailedCreate",
            message: 'pods "web-x" is forbidden: exceeded quota: compute',
          },
        ],
      },
    ),
    status: "Degraded",
    message: 'FailedCreate: pods "web-x" is forbidden: exceeded quota: compute',
  },
  { name: "ReplicaSet scaled to zero", obj: replicaSet({ replicas: 0 }, {}), status: "Healthy" },

  // Pod
  {
    name: "Pod running and ready",
    obj: pod(
      {},
      { phase: "Running", conditions: [readyCondition("True")], containerStatuses: [container({ running: {} })] },
    ),
    status: "Healthy",
  },
  {
    name: "Pod in CrashLoopBackOff",
    obj: pod(
      {},
      {
        phase: "Running",
        conditions: [readyCondition("False")],
        containerStatuses: [
          container(
            { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app" } },
            { restartCount: 3 },
          ),
        ],
      },
    ),
    status: "Degraded",
    message: 'container "app": CrashLoopBackOff: back-off 40s restarting failed container=app',
  },
  {
    name: "Pod whose image cannot be pulled (a :fail tag)",
    obj: pod(
      {},
      {
        phase: "Pending",
        containerStatuses: [
          container({ waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "shop:fail"' } }),
        ],
      },
    ),
    status: "Degraded",
    message: /ImagePullBackOff: Back-off pulling image "shop:fail"/,
  },
  {
    name: "Pod with ErrImagePull and no message",
    obj: pod({}, { phase: "Pending", containerStatuses: [container({ waiting: { reason: "ErrImagePull" } })] }),
    status: "Degraded",
    message: 'container "app": ErrImagePull',
  },
  {
    name: "Pod whose config is broken (CreateContainerConfigError)",
    obj: pod(
      {},
      {
        phase: "Pending",
        containerStatuses: [
          container({ waiting: { reason: "CreateContainerConfigError", message: 'secret "db" not found' } }),
        ],
      },
    ),
    status: "Degraded",
    message: 'secret "db" not found',
  },
  {
    name: "Pod still creating its container",
    obj: pod({}, { phase: "Pending", containerStatuses: [container({ waiting: { reason: "ContainerCreating" } })] }),
    status: "Progressing",
  },
  {
    name: "Pod that cannot be scheduled says why",
    obj: pod(
      {},
      {
        phase: "Pending",
        conditions: [
          { type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available" },
        ],
      },
    ),
    status: "Progressing",
    message: "Unschedulable: 0/3 nodes are available",
  },
  {
    // A Job's pod may still get its image; Argo CD keeps such pods Progressing so a hook is not failed early.
    name: "Pod with restartPolicy Never waiting on its image",
    obj: pod(
      { restartPolicy: "Never" },
      { phase: "Pending", containerStatuses: [container({ waiting: { reason: "ImagePullBackOff" } })] },
    ),
    status: "Progressing",
  },
  {
    name: "Pod with restartPolicy OnFailure running (finite work, not a service)",
    obj: pod(
      { restartPolicy: "OnFailure" },
      { phase: "Running", conditions: [readyCondition("True")], containerStatuses: [container({ running: {} })] },
    ),
    status: "Progressing",
  },
  {
    name: "Pod running, not ready, a container terminated before",
    obj: pod(
      {},
      {
        phase: "Running",
        conditions: [readyCondition("False")],
        containerStatuses: [
          container({ running: {} }, { lastState: { terminated: { reason: "Error", exitCode: 1 } }, restartCount: 1 }),
        ],
      },
    ),
    status: "Degraded",
    message: /last terminated: Error/,
  },
  {
    name: "Pod running, not ready, no crash yet (readiness probe pending)",
    obj: pod(
      {},
      { phase: "Running", conditions: [readyCondition("False")], containerStatuses: [container({ running: {} })] },
    ),
    status: "Progressing",
  },
  { name: "Pod succeeded", obj: pod({ restartPolicy: "Never" }, { phase: "Succeeded" }), status: "Healthy" },
  {
    name: "Pod failed with its own message",
    obj: pod({ restartPolicy: "Never" }, { phase: "Failed", message: "Pod was evicted: low on memory" }),
    status: "Degraded",
    message: "Pod was evicted: low on memory",
  },
  {
    name: "Pod failed, OOMKilled",
    obj: pod(
      { restartPolicy: "Never" },
      { phase: "Failed", containerStatuses: [container({ terminated: { reason: "OOMKilled", exitCode: 137 } })] },
    ),
    status: "Degraded",
    message: "OOMKilled",
  },
  {
    name: "Pod failed with an exit code",
    obj: pod(
      { restartPolicy: "Never" },
      { phase: "Failed", containerStatuses: [container({ terminated: { reason: "Error", exitCode: 2 } })] },
    ),
    status: "Degraded",
    message: 'container "app" failed with exit code 2',
  },
  { name: "Pod in phase Unknown (node lost)", obj: pod({}, { phase: "Unknown" }), status: "Unknown" },

  // Job
  {
    name: "Job complete",
    obj: job({}, { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] }),
    status: "Healthy",
  },
  { name: "Job running", obj: job({}, { active: 1 }), status: "Progressing", message: "1 active pods" },
  {
    name: "Job failed past its backoff limit",
    obj: job(
      {},
      {
        failed: 7,
        conditions: [
          {
            type: "Failed",
            status: "True",
            reason: "BackoffLimitExceeded",
            message: "Job has reached the specified backoff limit",
          },
        ],
      },
    ),
    status: "Degraded",
    message: "BackoffLimitExceeded: Job has reached the specified backoff limit",
  },
  {
    name: "Job suspended (condition)",
    obj: job({ suspend: true }, { conditions: [{ type: "Suspended", status: "True", message: "Job suspended" }] }),
    status: "Suspended",
  },
  {
    name: "Job suspended before the controller wrote its condition",
    obj: job({ suspend: true }, {}),
    status: "Suspended",
  },
  {
    name: "Job resumed (Suspended condition False) and running",
    obj: job({ suspend: false }, { active: 1, conditions: [{ type: "Suspended", status: "False" }] }),
    status: "Progressing",
  },

  // CronJob
  { name: "CronJob suspended", obj: cronJob({ suspend: true }, {}), status: "Suspended", message: "suspended" },
  { name: "CronJob without a status yet", obj: cronJob({}), status: "Progressing" },
  { name: "CronJob never scheduled", obj: cronJob({}, {}), status: "Healthy", message: "not been scheduled yet" },
  {
    name: "CronJob whose last run succeeded",
    obj: cronJob({}, { lastScheduleTime: "2026-12-06T10:00:00Z", lastSuccessfulTime: "2026-12-06T10:00:40Z" }),
    status: "Healthy",
    message: "completed its last execution successfully",
  },
  {
    name: "CronJob whose last run failed",
    obj: cronJob({}, { lastScheduleTime: "2026-12-06T10:05:00Z", lastSuccessfulTime: "2026-12-06T10:00:40Z" }),
    status: "Degraded",
    message: "has not completed its last execution successfully",
  },
  {
    name: "CronJob with a run in progress after a success",
    obj: cronJob(
      {},
      {
        lastScheduleTime: "2026-12-06T10:05:00Z",
        lastSuccessfulTime: "2026-12-06T10:00:40Z",
        active: [{ kind: "Job", name: "web-29001" }],
      },
    ),
    status: "Healthy",
    message: "running",
  },

  // PersistentVolumeClaim
  { name: "PVC bound", obj: make("v1", "PersistentVolumeClaim", { status: { phase: "Bound" } }), status: "Healthy" },
  {
    name: "PVC pending",
    obj: make("v1", "PersistentVolumeClaim", { status: { phase: "Pending" } }),
    status: "Progressing",
  },
  { name: "PVC lost", obj: make("v1", "PersistentVolumeClaim", { status: { phase: "Lost" } }), status: "Degraded" },
  { name: "PVC without a phase", obj: make("v1", "PersistentVolumeClaim", { status: {} }), status: "Unknown" },

  // Service
  { name: "ClusterIP Service", obj: make("v1", "Service", { spec: { type: "ClusterIP" } }), status: "Healthy" },
  {
    name: "LoadBalancer Service without an address",
    obj: make("v1", "Service", { spec: { type: "LoadBalancer" }, status: { loadBalancer: {} } }),
    status: "Progressing",
    message: "load balancer",
  },
  {
    name: "LoadBalancer Service with an IP",
    obj: make("v1", "Service", {
      spec: { type: "LoadBalancer" },
      status: { loadBalancer: { ingress: [{ ip: "203.0.113.7" }] } },
    }),
    status: "Healthy",
  },
  {
    name: "LoadBalancer Service with a hostname",
    obj: make("v1", "Service", {
      spec: { type: "LoadBalancer" },
      status: { loadBalancer: { ingress: [{ hostname: "lb.example.com" }] } },
    }),
    status: "Healthy",
  },

  // Ingress
  {
    name: "Ingress with an address",
    obj: make("networking.k8s.io/v1", "Ingress", { status: { loadBalancer: { ingress: [{ ip: "10.0.0.9" }] } } }),
    status: "Healthy",
  },
  {
    name: "Ingress without an address (no controller published one)",
    obj: make("networking.k8s.io/v1", "Ingress", { status: { loadBalancer: {} } }),
    status: "Progressing",
  },
  {
    name: "Ingress with an empty ingress entry",
    obj: make("networking.k8s.io/v1", "Ingress", { status: { loadBalancer: { ingress: [{}] } } }),
    status: "Progressing",
  },

  // HorizontalPodAutoscaler
  {
    name: "HPA able to scale, metrics valid",
    obj: hpa([
      {
        type: "AbleToScale",
        status: "True",
        reason: "ReadyForNewScale",
        message: "recommended size matches current size",
      },
      { type: "ScalingActive", status: "True", reason: "ValidMetricFound" },
      { type: "ScalingLimited", status: "False", reason: "DesiredWithinRange" },
    ]),
    status: "Healthy",
    message: "recommended size matches current size",
  },
  {
    name: "HPA that cannot read its metric, even though AbleToScale is listed first",
    obj: hpa([
      { type: "AbleToScale", status: "True", reason: "SucceededGetScale" },
      {
        type: "ScalingActive",
        status: "False",
        reason: "FailedGetResourceMetric",
        message: "unable to get metrics for resource cpu",
      },
    ]),
    status: "Degraded",
    message: "FailedGetResourceMetric: unable to get metrics for resource cpu",
  },
  {
    name: "HPA whose target cannot be scaled",
    obj: hpa([
      { type: "AbleToScale", status: "False", reason: "FailedGetScale", message: 'deployments/scale "web" not found' },
    ]),
    status: "Degraded",
    message: 'deployments/scale "web" not found',
  },
  { name: "HPA without conditions yet", obj: hpa([]), status: "Progressing", message: "Waiting to autoscale" },
  {
    name: "autoscaling/v1 HPA with its conditions in the annotation",
    obj: {
      apiVersion: "autoscaling/v1",
      kind: "HorizontalPodAutoscaler",
      metadata: {
        name: "web",
        annotations: {
          "autoscaling.alpha.kubernetes.io/conditions": JSON.stringify([
            { type: "ScalingActive", status: "False", reason: "InvalidSelector", message: "selector is invalid" },
          ]),
        },
      },
      spec: {},
      status: {},
    },
    status: "Degraded",
    message: "selector is invalid",
  },

  // Custom resources and other kinds
  { name: "ConfigMap (nothing to assess)", obj: make("v1", "ConfigMap", {}), status: "Healthy" },
  { name: "Custom resource without a status", obj: custom(), status: "Healthy" },
  {
    name: "Custom resource Ready=True",
    obj: custom({ observedGeneration: 4, conditions: [{ type: "Ready", status: "True", message: "primary is up" }] }),
    status: "Healthy",
    message: "primary is up",
  },
  {
    name: "Custom resource Ready=False says why",
    obj: custom({
      observedGeneration: 4,
      conditions: [{ type: "Ready", status: "False", reason: "BackupFailed", message: "bucket s3://db denied access" }],
    }),
    status: "Degraded",
    message: "BackupFailed: bucket s3://db denied access",
  },
  {
    name: "Custom resource Ready=Unknown",
    obj: custom({ conditions: [{ type: "Ready", status: "Unknown", reason: "Provisioning" }] }),
    status: "Progressing",
    message: "Provisioning",
  },
  {
    name: "Custom resource reconciling (Flux: Reconciling=True next to Ready=False)",
    obj: custom({
      conditions: [
        { type: "Reconciling", status: "True", reason: "Progressing", message: "building artifact" },
        { type: "Ready", status: "False", reason: "Progressing" },
      ],
    }),
    status: "Progressing",
    message: "building artifact",
  },
  {
    name: "Custom resource stalled",
    obj: custom({ conditions: [{ type: "Stalled", status: "True", reason: "InvalidSpec", message: "bad URL" }] }),
    status: "Degraded",
    message: "InvalidSpec: bad URL",
  },
  {
    name: "Custom resource with Deployment-style conditions (Progressing=True stays after success)",
    obj: custom({
      conditions: [
        { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
        { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
      ],
    }),
    status: "Healthy",
  },
  {
    name: "Custom resource whose status is for an older generation",
    obj: custom({ observedGeneration: 3, conditions: [{ type: "Ready", status: "True" }] }),
    status: "Progressing",
  },
  {
    name: "Custom resource suspended (spec.suspend, Flux)",
    obj: custom({ conditions: [{ type: "Ready", status: "True" }] }, { suspend: true }),
    status: "Suspended",
  },
  {
    name: "Custom resource reporting only a failed phase",
    obj: custom({ phase: "Failed", message: "disk full" }),
    status: "Degraded",
    message: "disk full",
  },
  {
    // A Deployment of another API group is a custom resource, not apps/Deployment.
    name: "A Deployment kind of another group is assessed generically",
    obj: make("example.com/v1", "Deployment", {
      spec: { paused: true },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    }),
    status: "Healthy",
  },
  {
    name: "CRD established",
    obj: make("apiextensions.k8s.io/v1", "CustomResourceDefinition", {
      status: {
        conditions: [
          { type: "NamesAccepted", status: "True" },
          { type: "Established", status: "True" },
        ],
      },
    }),
    status: "Healthy",
  },
  {
    name: "CRD whose names clash",
    obj: make("apiextensions.k8s.io/v1", "CustomResourceDefinition", {
      status: {
        conditions: [
          { type: "NamesAccepted", status: "False", message: '"widgets" is already in use' },
          { type: "Established", status: "False" },
        ],
      },
    }),
    status: "Degraded",
    message: "already in use",
  },
];

describe("assessHealth", () => {
  it.each(rows)("$name → $status", ({ obj, status, message }) => {
    const health = assessHealth(obj);
    expect(health.status).toBe(status);
    if (message instanceof RegExp) expect(health.message).toMatch(message);
    else if (message !== undefined) expect(health.message).toContain(message);
  });

  it("assesses any object being deleted as Progressing", () => {
    const obj = deployment({}, fullyRolled);
    obj.metadata.deletionTimestamp = "2026-12-06T10:00:00Z";
    expect(assessHealth(obj)).toEqual({ status: "Progressing", message: "Pending deletion" });
  });

  it("names every container in trouble", () => {
    const health = assessHealth(
      pod(
        {},
        {
          phase: "Running",
          containerStatuses: [
            container({ waiting: { reason: "CrashLoopBackOff" } }, { name: "app" }),
            container({ running: {} }, { name: "proxy", ready: true }),
            container({ waiting: { reason: "ImagePullBackOff" } }, { name: "sidecar" }),
          ],
        },
      ),
    );
    expect(health).toEqual({
      status: "Degraded",
      message: 'container "app": CrashLoopBackOff; container "sidecar": ImagePullBackOff',
    });
  });

  it("does not throw on malformed objects", () => {
    const odd = [
      make("apps/v1", "Deployment", { spec: "nonsense", status: 42 }),
      make("v1", "Pod", { status: { containerStatuses: "x", conditions: [null, 3] } }),
      make("example.com/v1", "Thing", { status: { conditions: { type: "Ready" } } }),
      { apiVersion: "v1", kind: "Pod" } as unknown as KubeObject,
    ];
    for (const obj of odd) expect(() => assessHealth(obj)).not.toThrow();
    expect(assessHealth(odd[3]!).status).toBe("Unknown");
  });
});

describe("aggregateHealth", () => {
  it("is Healthy for nothing", () => {
    expect(aggregateHealth([])).toEqual({ status: "Healthy" });
  });

  it("takes the worst in Argo CD's order and keeps its message", () => {
    expect(
      aggregateHealth([
        { status: "Healthy" },
        { status: "Suspended" },
        { status: "Degraded", message: "CrashLoopBackOff" },
        { status: "Progressing" },
        { status: "Missing" },
        { status: "Degraded", message: "second" },
      ]),
    ).toEqual({ status: "Degraded", message: "CrashLoopBackOff" });
  });

  it.each([
    [["Healthy", "Suspended"], "Suspended"],
    [["Suspended", "Progressing"], "Progressing"],
    [["Progressing", "Missing"], "Missing"],
    [["Missing", "Degraded"], "Degraded"],
    [["Degraded", "Unknown"], "Unknown"],
  ] as const)("%j → %s", (codes, worst) => {
    expect(aggregateHealth(codes.map((status) => ({ status }))).status).toBe(worst);
    expect(aggregateHealth([...codes].reverse().map((status) => ({ status }))).status).toBe(worst);
    expect(isWorseHealth(codes[0], codes[1])).toBe(true);
    expect(isWorseHealth(codes[1], codes[0])).toBe(false);
  });
});
