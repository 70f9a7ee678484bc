/** Defaulting the API server applies when decoding built-in objects (the subset clients observe most). */
import type { ResourceDef } from "./resources";
import type { KObject } from "./store";

type Obj = Record<string, unknown>;

function obj(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Obj;
  const fresh: Obj = {};
  parent[key] = fresh;
  return fresh;
}

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

function imagePullPolicy(image: unknown): string {
  if (typeof image !== "string") return "IfNotPresent";
  const lastSegment = image.split("/").pop() ?? image;
  if (image.includes("@")) return "IfNotPresent";
  const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
  return !tag || tag === "latest" ? "Always" : "IfNotPresent";
}

function defaultContainer(c: Obj): void {
  setDefault(c, "terminationMessagePath", "/dev/termination-log");
  setDefault(c, "terminationMessagePolicy", "File");
  setDefault(c, "imagePullPolicy", imagePullPolicy(c.image));
  setDefault(c, "resources", {});
  if (Array.isArray(c.ports))
    for (const p of c.ports as Obj[]) if (p && typeof p === "object") setDefault(p, "protocol", "TCP");
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const pr = c[probe] as Obj | undefined;
    if (pr && typeof pr === "object") {
      setDefault(pr, "timeoutSeconds", 1);
      setDefault(pr, "periodSeconds", 10);
      setDefault(pr, "successThreshold", 1);
      setDefault(pr, "failureThreshold", 3);
      const http = pr.httpGet as Obj | undefined;
      if (http && typeof http === "object") {
        setDefault(http, "path", "/");
        setDefault(http, "scheme", "HTTP");
      }
    }
  }
}

export function defaultPodSpec(spec: Obj, restartPolicy = "Always"): void {
  setDefault(spec, "restartPolicy", restartPolicy);
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "securityContext", {});
  setDefault(spec, "schedulerName", "default-scheduler");
  for (const key of ["containers", "initContainers"]) {
    if (Array.isArray(spec[key]))
      for (const c of spec[key] as Obj[]) if (c && typeof c === "object") defaultContainer(c);
  }
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes as Obj[]) {
      for (const src of ["configMap", "secret"]) {
        const s = v?.[src] as Obj | undefined;
        if (s && typeof s === "object") setDefault(s, "defaultMode", 420);
      }
    }
  }
}

function defaultTemplate(spec: Obj, restartPolicy?: string): void {
  const template = spec.template as Obj | undefined;
  if (!template || typeof template !== "object") return;
  const podSpec = template.spec as Obj | undefined;
  if (podSpec && typeof podSpec === "object") defaultPodSpec(podSpec, restartPolicy);
}

let nextServiceIp = 1;

function allocateClusterIp(): string {
  const n = nextServiceIp++;
  return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

/** Applies defaults in place. `old` carries server-assigned values (cluster IPs) forward across updates. */
export function applyDefaults(o: KObject, def: ResourceDef, old: KObject | undefined): void {
  if (def.crd) return;
  const spec = (o.spec && typeof o.spec === "object" ? o.spec : undefined) as Obj | undefined;
  switch (`${def.group}/${def.kind}`) {
    case "apps/Deployment": {
      const s = spec ?? obj(o, "spec");
      setDefault(s, "replicas", 1);
      setDefault(s, "revisionHistoryLimit", 10);
      setDefault(s, "progressDeadlineSeconds", 600);
      const strategy = obj(s, "strategy");
      setDefault(strategy, "type", "RollingUpdate");
      if (strategy.type === "RollingUpdate") {
        const ru = obj(strategy, "rollingUpdate");
        setDefault(ru, "maxUnavailable", "25%");
        setDefault(ru, "maxSurge", "25%");
      }
      defaultTemplate(s);
      break;
    }
    case "apps/StatefulSet": {
      const s = spec ?? obj(o, "spec");
      setDefault(s, "replicas", 1);
      setDefault(s, "podManagementPolicy", "OrderedReady");
      setDefault(s, "revisionHistoryLimit", 10);
      const us = obj(s, "updateStrategy");
      setDefault(us, "type", "RollingUpdate");
      if (us.type === "RollingUpdate") setDefault(obj(us, "rollingUpdate"), "partition", 0);
      const retention = obj(s, "persistentVolumeClaimRetentionPolicy");
      setDefault(retention, "whenDeleted", "Retain");
      setDefault(retention, "whenScaled", "Retain");
      defaultTemplate(s);
      break;
    }
    case "apps/DaemonSet": {
      const s = spec ?? obj(o, "spec");
      setDefault(s, "revisionHistoryLimit", 10);
      const us = obj(s, "updateStrategy");
      setDefault(us, "type", "RollingUpdate");
      if (us.type === "RollingUpdate") {
        const ru = obj(us, "rollingUpdate");
        setDefault(ru, "maxUnavailable", 1);
        setDefault(ru, "maxSurge", 0);
      }
      defaultTemplate(s);
      break;
    }
    case "apps/ReplicaSet": {
      const s = spec ?? obj(o, "spec");
      setDefault(s, "replicas", 1);
      defaultTemplate(s);
      break;
    }
    case "batch/Job": {
      const s = spec ?? obj(o, "spec");
      setDefault(s, "parallelism", 1);
      setDefault(s, "completions", 1);
      setDefault(s, "backoffLimit", 6);
      setDefault(s, "completionMode", "NonIndexed");
      setDefault(s, "suspend", false);
      setDefault(s, "podReplacementPolicy", "TerminatingOrFailed");
      setDefault(s, "manualSelector", undefined);
      if (s.manualSelector === undefined) delete s.manualSelector;
      defaultTemplate(s, "");
      const tspec = (s.template as Obj | undefined)?.spec as Obj | undefined;
      if (tspec && tspec.restartPolicy === "") delete tspec.restartPolicy;
      break;
    }
    case "batch/CronJob": {
      const s = spec ?? obj(o, "spec");
      setDefault(s, "concurrencyPolicy", "Allow");
      setDefault(s, "suspend", false);
      setDefault(s, "successfulJobsHistoryLimit", 3);
      setDefault(s, "failedJobsHistoryLimit", 1);
      const jt = obj(s, "jobTemplate");
      const js = obj(jt, "spec");
      defaultTemplate(js, "");
      const tspec = (js.template as Obj | undefined)?.spec as Obj | undefined;
      if (tspec && tspec.restartPolicy === "") delete tspec.restartPolicy;
      break;
    }
    case "/Pod": {
      const s = spec ?? obj(o, "spec");
      defaultPodSpec(s);
      setDefault(s, "enableServiceLinks", true);
      setDefault(s, "preemptionPolicy", "PreemptLowerPriority");
      setDefault(s, "priority", 0);
      setDefault(s, "serviceAccountName", "default");
      setDefault(s, "serviceAccount", s.serviceAccountName);
      break;
    }
    case "/Service": {
      const s = spec ?? obj(o, "spec");
      setDefault(s, "type", "ClusterIP");
      setDefault(s, "sessionAffinity", "None");
      if (s.type !== "ExternalName") {
        const oldSpec = (old?.spec ?? {}) as Obj;
        if (s.clusterIP === undefined || s.clusterIP === "")
          s.clusterIP = (oldSpec.clusterIP as string | undefined) ?? allocateClusterIp();
        setDefault(s, "clusterIPs", [s.clusterIP]);
        setDefault(s, "ipFamilies", ["IPv4"]);
        setDefault(s, "ipFamilyPolicy", "SingleStack");
        setDefault(s, "internalTrafficPolicy", "Cluster");
      }
      if (s.type === "NodePort" || s.type === "LoadBalancer") setDefault(s, "externalTrafficPolicy", "Cluster");
      if (Array.isArray(s.ports)) {
        let nodePort = 30000 + Math.floor(Math.random() * 2000);
        for (const p of s.ports as Obj[]) {
          setDefault(p, "protocol", "TCP");
          setDefault(p, "targetPort", p.port);
          if (s.type === "NodePort" || s.type === "LoadBalancer") setDefault(p, "nodePort", nodePort++);
        }
      }
      setDefault(o, "status", { loadBalancer: {} });
      break;
    }
    case "/Secret":
      if (!o.type) o.type = "Opaque";
      if (o.stringData && typeof o.stringData === "object") {
        const data = obj(o, "data");
        for (const [k, v] of Object.entries(o.stringData as Record<string, string>))
          data[k] = Buffer.from(String(v)).toString("base64");
        delete o.stringData;
      }
      break;
    case "/Namespace": {
      const s = obj(o, "spec");
      setDefault(s, "finalizers", ["kubernetes"]);
      o.metadata.labels = { ...(o.metadata.labels ?? {}), "kubernetes.io/metadata.name": o.metadata.name ?? "" };
      const status = obj(o, "status");
      setDefault(status, "phase", "Active");
      break;
    }
    case "/PersistentVolumeClaim": {
      const s = spec ?? obj(o, "spec");
      setDefault(s, "volumeMode", "Filesystem");
      setDefault(o, "status", { phase: "Pending" });
      break;
    }
    case "networking.k8s.io/NetworkPolicy": {
      const s = spec ?? obj(o, "spec");
      if (!Array.isArray(s.policyTypes)) s.policyTypes = s.egress ? ["Ingress", "Egress"] : ["Ingress"];
      setDefault(s, "podSelector", {});
      break;
    }
    case "apiextensions.k8s.io/CustomResourceDefinition": {
      const s = spec ?? obj(o, "spec");
      setDefault(s, "conversion", { strategy: "None" });
      const names = obj(s, "names");
      if (typeof names.kind === "string") setDefault(names, "listKind", `${names.kind}List`);
      if (typeof names.kind === "string") setDefault(names, "singular", names.kind.toLowerCase());
      break;
    }
    default:
      break;
  }
}
