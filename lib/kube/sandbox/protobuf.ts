/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`). kubectl's typed clients
 * (`kubectl create <kind>`, `auth can-i`, `create token`) send them; the schemas below cover those kinds. Field
 * numbers follow k8s.io/api generated.proto.
 */
import { badRequest, unsupportedMediaType } from "./errors";

type FieldType =
  | "string"
  | "int"
  | "bool"
  | "bytes"
  | "time"
  | "quantity"
  | "intstr"
  | "raw"
  | Schema
  | { map: "string" | "bytes" | "quantity" };
type Field = { name: string; type: FieldType; repeated?: boolean };
type Schema = { [num: number]: Field };

const s = (name: string, repeated = false): Field => ({ name, type: "string", ...(repeated ? { repeated } : {}) });
const i = (name: string): Field => ({ name, type: "int" });
const b = (name: string): Field => ({ name, type: "bool" });
const m = (name: string, type: Schema, repeated = false): Field => ({ name, type, ...(repeated ? { repeated } : {}) });
const strMap = (name: string): Field => ({ name, type: { map: "string" } });

const OwnerReference: Schema = {
  1: s("kind"),
  3: s("name"),
  4: s("uid"),
  5: s("apiVersion"),
  6: b("controller"),
  7: b("blockOwnerDeletion"),
};
const ObjectMeta: Schema = {
  1: s("name"),
  2: s("generateName"),
  3: s("namespace"),
  5: s("uid"),
  6: s("resourceVersion"),
  7: i("generation"),
  8: { name: "creationTimestamp", type: "time" },
  11: strMap("labels"),
  12: strMap("annotations"),
  13: m("ownerReferences", OwnerReference, true),
  14: s("finalizers", true),
};
const LocalObjectReference: Schema = { 1: s("name") };
const ObjectReference: Schema = {
  1: s("kind"),
  2: s("namespace"),
  3: s("name"),
  4: s("uid"),
  5: s("apiVersion"),
  6: s("resourceVersion"),
  7: s("fieldPath"),
};
const LabelSelectorRequirement: Schema = { 1: s("key"), 2: s("operator"), 3: s("values", true) };
const LabelSelector: Schema = { 1: strMap("matchLabels"), 2: m("matchExpressions", LabelSelectorRequirement, true) };
const ContainerPort: Schema = {
  1: s("name"),
  2: i("hostPort"),
  3: i("containerPort"),
  4: s("protocol"),
  5: s("hostIP"),
};
const EnvVar: Schema = { 1: s("name"), 2: s("value") };
const ResourceRequirements: Schema = {
  1: { name: "limits", type: { map: "quantity" } },
  2: { name: "requests", type: { map: "quantity" } },
};
const Container: Schema = {
  1: s("name"),
  2: s("image"),
  3: s("command", true),
  4: s("args", true),
  5: s("workingDir"),
  6: m("ports", ContainerPort, true),
  7: m("env", EnvVar, true),
  8: m("resources", ResourceRequirements),
  13: s("terminationMessagePath"),
  14: s("imagePullPolicy"),
  16: b("stdin"),
  17: b("stdinOnce"),
  18: b("tty"),
  20: s("terminationMessagePolicy"),
};
const PodSpec: Schema = {
  2: m("containers", Container, true),
  3: s("restartPolicy"),
  4: i("terminationGracePeriodSeconds"),
  5: i("activeDeadlineSeconds"),
  6: s("dnsPolicy"),
  7: strMap("nodeSelector"),
  8: s("serviceAccountName"),
  9: s("serviceAccount"),
  10: s("nodeName"),
  11: b("hostNetwork"),
  15: m("imagePullSecrets", LocalObjectReference, true),
  19: s("schedulerName"),
  20: m("initContainers", Container, true),
};
const PodTemplateSpec: Schema = { 1: m("metadata", ObjectMeta), 2: m("spec", PodSpec) };
const RollingUpdateDeployment: Schema = {
  1: { name: "maxUnavailable", type: "intstr" },
  2: { name: "maxSurge", type: "intstr" },
};
const DeploymentStrategy: Schema = { 1: s("type"), 2: m("rollingUpdate", RollingUpdateDeployment) };
const DeploymentSpec: Schema = {
  1: i("replicas"),
  2: m("selector", LabelSelector),
  3: m("template", PodTemplateSpec),
  4: m("strategy", DeploymentStrategy),
  5: i("minReadySeconds"),
  6: i("revisionHistoryLimit"),
  7: b("paused"),
  9: i("progressDeadlineSeconds"),
};
const JobSpec: Schema = {
  1: i("parallelism"),
  2: i("completions"),
  3: i("activeDeadlineSeconds"),
  4: m("selector", LabelSelector),
  5: b("manualSelector"),
  6: m("template", PodTemplateSpec),
  7: i("backoffLimit"),
  8: i("ttlSecondsAfterFinished"),
};
const ServicePort: Schema = {
  1: s("name"),
  2: s("protocol"),
  3: i("port"),
  4: { name: "targetPort", type: "intstr" },
  5: i("nodePort"),
};
const ServiceSpec: Schema = {
  1: m("ports", ServicePort, true),
  2: strMap("selector"),
  3: s("clusterIP"),
  4: s("type"),
  5: s("externalIPs", true),
  10: s("externalName"),
};
const Subject: Schema = { 1: s("kind"), 2: s("apiGroup"), 3: s("name"), 4: s("namespace") };
const RoleRef: Schema = { 1: s("apiGroup"), 2: s("kind"), 3: s("name") };
const PolicyRule: Schema = {
  1: s("verbs", true),
  2: s("apiGroups", true),
  3: s("resources", true),
  4: s("resourceNames", true),
  5: s("nonResourceURLs", true),
};
const FieldSelectorAttributes: Schema = { 1: s("rawSelector") };
const ResourceAttributes: Schema = {
  1: s("namespace"),
  2: s("verb"),
  3: s("group"),
  4: s("version"),
  5: s("resource"),
  6: s("subresource"),
  7: s("name"),
  8: m("fieldSelector", FieldSelectorAttributes),
  9: m("labelSelector", FieldSelectorAttributes),
};
const NonResourceAttributes: Schema = { 1: s("path"), 2: s("verb") };

const top = (spec?: Schema, extra: Schema = {}): Schema => {
  const schema: Schema = { 1: m("metadata", ObjectMeta), ...extra };
  if (spec) schema[2] = m("spec", spec);
  return schema;
};

const KINDS: Record<string, Schema> = {
  "v1/Namespace": top({ 1: s("finalizers", true) }),
  "v1/ServiceAccount": top(undefined, {
    2: m("secrets", ObjectReference, true),
    3: m("imagePullSecrets", LocalObjectReference, true),
    4: b("automountServiceAccountToken"),
  }),
  "v1/ConfigMap": top(undefined, {
    2: strMap("data"),
    3: { name: "binaryData", type: { map: "bytes" } },
    4: b("immutable"),
  }),
  "v1/Secret": top(undefined, {
    2: { name: "data", type: { map: "bytes" } },
    3: s("type"),
    4: strMap("stringData"),
    5: b("immutable"),
  }),
  "v1/Service": top(ServiceSpec),
  "v1/Pod": top(PodSpec),
  "v1/ResourceQuota": top({ 1: { name: "hard", type: { map: "quantity" } }, 2: s("scopes", true) }),
  "apps/v1/Deployment": top(DeploymentSpec),
  "batch/v1/Job": top(JobSpec),
  "batch/v1/CronJob": top({
    1: s("schedule"),
    8: s("timeZone"),
    2: i("startingDeadlineSeconds"),
    3: s("concurrencyPolicy"),
    4: b("suspend"),
    5: m("jobTemplate", { 1: m("metadata", ObjectMeta), 2: m("spec", JobSpec) }),
  }),
  "rbac.authorization.k8s.io/v1/Role": top(undefined, { 2: m("rules", PolicyRule, true) }),
  "rbac.authorization.k8s.io/v1/ClusterRole": top(undefined, {
    2: m("rules", PolicyRule, true),
    3: m("aggregationRule", { 1: m("clusterRoleSelectors", LabelSelector, true) }),
  }),
  "rbac.authorization.k8s.io/v1/RoleBinding": top(undefined, {
    2: m("subjects", Subject, true),
    3: m("roleRef", RoleRef),
  }),
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": top(undefined, {
    2: m("subjects", Subject, true),
    3: m("roleRef", RoleRef),
  }),
  "scheduling.k8s.io/v1/PriorityClass": top(undefined, {
    2: i("value"),
    3: b("globalDefault"),
    4: s("description"),
    5: s("preemptionPolicy"),
  }),
  "policy/v1/PodDisruptionBudget": top({
    1: { name: "minAvailable", type: "intstr" },
    2: m("selector", LabelSelector),
    3: { name: "maxUnavailable", type: "intstr" },
  }),
  "authentication.k8s.io/v1/TokenRequest": top({
    1: s("audiences", true),
    4: i("expirationSeconds"),
    3: m("boundObjectRef", { 1: s("kind"), 2: s("apiVersion"), 3: s("name"), 4: s("uid") }),
  }),
  "authentication.k8s.io/v1/SelfSubjectReview": top(),
  "authentication.k8s.io/v1/TokenReview": top({ 1: s("token"), 2: s("audiences", true) }),
  "authorization.k8s.io/v1/SelfSubjectAccessReview": top({
    1: m("resourceAttributes", ResourceAttributes),
    2: m("nonResourceAttributes", NonResourceAttributes),
  }),
  "authorization.k8s.io/v1/SelfSubjectRulesReview": top({ 1: s("namespace") }),
  "authorization.k8s.io/v1/SubjectAccessReview": top({
    1: m("resourceAttributes", ResourceAttributes),
    2: m("nonResourceAttributes", NonResourceAttributes),
    3: s("user"),
    4: s("groups", true),
    6: s("uid"),
  }),
  "authorization.k8s.io/v1/LocalSubjectAccessReview": top({
    1: m("resourceAttributes", ResourceAttributes),
    2: m("nonResourceAttributes", NonResourceAttributes),
    3: s("user"),
    4: s("groups", true),
    6: s("uid"),
  }),
};

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end = buf.length,
  ) {}
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    while (this.pos < this.end) {
      const byte = this.buf[this.pos++] ?? 0;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
    throw badRequest("truncated protobuf varint");
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw badRequest(`unsupported protobuf wire type ${wire}`);
  }
}

function decodeFields(buf: Buffer, visit: (num: number, wire: number, r: Reader) => void): void {
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const tag = Number(r.varint());
    visit(tag >>> 3, tag & 7, r);
  }
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  decodeFields(buf, (num, wire, r) => {
    const field = schema[num];
    if (!field) {
      r.skip(wire);
      return;
    }
    const value = decodeValue(field.type, wire, r);
    if (value === undefined) return;
    if (typeof field.type === "object" && "map" in field.type) {
      const entry = value as [string, unknown];
      const map = (out[field.name] ?? {}) as Record<string, unknown>;
      map[entry[0]] = entry[1];
      out[field.name] = map;
    } else if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else out[field.name] = value;
  });
  return out;
}

function decodeValue(type: FieldType, wire: number, r: Reader): unknown {
  if (type === "int") return Number(BigInt.asIntN(64, r.varint()));
  if (type === "bool") return r.varint() !== 0n;
  const raw = r.bytes();
  switch (type) {
    case "string":
      return raw.toString("utf8");
    case "bytes":
      return raw.toString("base64");
    case "quantity":
      return decodeMessage(raw, { 1: s("string") }).string ?? "0";
    case "time": {
      const t = decodeMessage(raw, { 1: i("seconds") });
      return typeof t.seconds === "number" ? new Date(t.seconds * 1000).toISOString().replace(".000Z", "Z") : null;
    }
    case "intstr": {
      const v = decodeMessage(raw, { 1: i("type"), 2: i("intVal"), 3: s("strVal") });
      return v.type === 1 ? (v.strVal ?? "") : (v.intVal ?? 0);
    }
    case "raw":
      return raw.toString("utf8");
    default:
      if ("map" in type) {
        const entry = decodeMessage(raw, {
          1: s("key"),
          2: { name: "value", type: type.map === "string" ? "string" : type.map === "bytes" ? "bytes" : "quantity" },
        });
        return [String(entry.key ?? ""), entry.value ?? (type.map === "string" ? "" : "")];
      }
      return decodeMessage(raw, type as Schema);
  }
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a `k8s\0`-prefixed protobuf object into its JSON form; 415 for kinds the sandbox has no schema for. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw badRequest("protobuf body without the k8s envelope");
  const unknown = decodeMessage(body.subarray(4), {
    1: m("typeMeta", { 1: s("apiVersion"), 2: s("kind") }),
    2: { name: "raw", type: "bytes" },
  });
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const key = `${typeMeta.apiVersion ?? ""}/${typeMeta.kind ?? ""}`;
  const schema = KINDS[key];
  if (!schema) throw unsupportedMediaType("application/vnd.kubernetes.protobuf");
  const raw = Buffer.from(String(unknown.raw ?? ""), "base64");
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decodeMessage(raw, schema) };
}
