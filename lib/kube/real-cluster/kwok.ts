/**
 * kwok's configuration: its own default Stages (copied from the kwok module by `npm run cluster:build`) plus the one
 * convention the sandbox's workload simulator also follows (lib/kube/sandbox/simulator.ts), so a test can ask for a
 * failing workload on either leg: a container whose image is tagged `fail`, or a Pod carrying
 * `sandbox.wharf.dev/fail: "true"`, exits 1 — CrashLoopBackOff under restartPolicy Always, phase Failed otherwise.
 */
import YAML from "yaml";

const FAIL_ANNOTATION = "sandbox.wharf.dev/fail";
const POD_READY_DELAY_MS = 1500;
/** A kwok selector key (a jq expression over the Pod) that is `true` for a Pod that must fail. */
const FAILING = `([(.spec.containers // [])[] | .image | endswith(":fail")] | any) or (.metadata.annotations["${FAIL_ANNOTATION}"] == "true")`;

interface Stage {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    resourceRef: { kind: string };
    delay?: { durationMilliseconds: number };
    selector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  };
}

const PENDING_FAILING = [
  { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
  { key: ".status.phase", operator: "In", values: ["Pending"] },
  { key: FAILING, operator: "In", values: ["true"] },
];

const CONDITIONS = `
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: %REASON%
        type: Ready
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: %REASON%
        type: ContainersReady`;

const FAIL_STAGES = [
  {
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name: "wharf-pod-crashloop" },
    spec: {
      resourceRef: { apiGroup: "v1", kind: "Pod" },
      selector: {
        matchExpressions: [...PENDING_FAILING, { key: ".spec.restartPolicy", operator: "In", values: ["Always"] }],
      },
      next: {
        statusTemplate: `${CONDITIONS.replaceAll("%REASON%", "ContainersNotReady")}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 1
        started: false
        state:
          waiting:
            reason: CrashLoopBackOff
            message: back-off 10s restarting failed container
        lastState:
          terminated:
            exitCode: 1
            reason: Error
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}
`,
      },
    },
  },
  {
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name: "wharf-pod-fail" },
    spec: {
      resourceRef: { apiGroup: "v1", kind: "Pod" },
      selector: {
        matchExpressions: [...PENDING_FAILING, { key: ".spec.restartPolicy", operator: "NotIn", values: ["Always"] }],
      },
      next: {
        statusTemplate: `${CONDITIONS.replaceAll("%REASON%", "PodFailed")}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: 1
            reason: Error
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
      {{ end }}
      phase: Failed
      startTime: {{ $now | Quote }}
`,
      },
    },
  },
];

/** kwok's default stages with pod-ready narrowed to Pods that must not fail, plus the two failure stages. */
export function kwokStages(defaultStagesYaml: string): string {
  const stages = YAML.parseAllDocuments(defaultStagesYaml).map((d) => d.toJS() as Stage);
  const podReady = stages.find((s) => s.metadata.name === "pod-ready");
  if (!podReady?.spec.selector?.matchExpressions)
    throw new Error("kwok's pod-ready stage not found in its default stages");
  podReady.spec.selector.matchExpressions.push({ key: FAILING, operator: "NotIn", values: ["true"] });
  // A kubelet takes a while to pull and start containers; kwok's "fast" stage takes none, so a rollout would finish
  // before anyone could watch it progress. The sandbox's default readiness delay, likewise.
  podReady.spec.delay = { durationMilliseconds: POD_READY_DELAY_MS };
  return [...stages, ...FAIL_STAGES].map((s) => YAML.stringify(s)).join("---\n");
}
