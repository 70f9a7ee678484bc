/** Object validation with kube-apiserver's field paths and messages (422 Invalid). */
import type { FieldError } from "./errors";
import { GoLiteral, invalid } from "./errors";
import { builtinOpenApi } from "./openapi";
import type { ResourceDef } from "./resources";
import type { KObject } from "./store";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;
const TOTAL_ANNOTATION_BYTES = 256 * 1024;
const MAX_DATA_BYTES = 1024 * 1024;

const MSG_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const MSG_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const MSG_DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const MSG_LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const MSG_NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const MSG_PREFIX = `prefix part ${MSG_SUBDOMAIN}`;

type NameRule = "subdomain" | "label" | "dns1035" | "path";

function nameRule(def: ResourceDef): NameRule {
  if (def.group === "" && (def.name === "namespaces" || def.name === "serviceaccounts"))
    return def.name === "namespaces" ? "label" : "subdomain";
  if (def.group === "" && def.name === "services") return "dns1035";
  if (def.group === "rbac.authorization.k8s.io" || def.name === "tokenreviews") return "path";
  return "subdomain";
}

function checkName(value: string, rule: NameRule, field: string, errs: FieldError[]): void {
  if (rule === "path") {
    if (value === "." || value === "..")
      errs.push({ type: "FieldValueInvalid", field, value, detail: `may not be '${value}'` });
    else if (/[/%]/.test(value))
      errs.push({
        type: "FieldValueInvalid",
        field,
        value,
        detail: `may not contain '${value.includes("/") ? "/" : "%"}'`,
      });
    return;
  }
  const [re, msg, max] =
    rule === "label"
      ? [DNS1123_LABEL, MSG_LABEL, 63]
      : rule === "dns1035"
        ? [DNS1035_LABEL, MSG_DNS1035, 63]
        : [DNS1123_SUBDOMAIN, MSG_SUBDOMAIN, 253];
  if (value.length > max)
    errs.push({ type: "FieldValueInvalid", field, value, detail: `must be no more than ${max} characters` });
  if (!re.test(value)) errs.push({ type: "FieldValueInvalid", field, value, detail: msg });
}

function checkQualifiedName(key: string, field: string, errs: FieldError[]): void {
  const parts = key.split("/");
  let name = key;
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    name = parts[1] ?? "";
    if (prefix.length === 0)
      errs.push({ type: "FieldValueInvalid", field, value: key, detail: "prefix part must be non-empty" });
    else if (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253)
      errs.push({ type: "FieldValueInvalid", field, value: key, detail: MSG_PREFIX });
  } else if (parts.length > 2) {
    errs.push({
      type: "FieldValueInvalid",
      field,
      value: key,
      detail: `a qualified name ${MSG_NAME_PART.slice("name part ".length)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    });
    return;
  }
  if (name.length === 0)
    errs.push({ type: "FieldValueInvalid", field, value: key, detail: "name part must be non-empty" });
  else {
    if (name.length > 63)
      errs.push({
        type: "FieldValueInvalid",
        field,
        value: key,
        detail: "name part must be no more than 63 characters",
      });
    if (!QUALIFIED_NAME.test(name)) errs.push({ type: "FieldValueInvalid", field, value: key, detail: MSG_NAME_PART });
  }
}

function goMap(m: Record<string, string>): string {
  return `map[string]string{${Object.entries(m)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(", ")}}`;
}

function selectorMatches(selector: Record<string, unknown> | undefined, labels: Record<string, string>): boolean {
  const ml = (selector?.matchLabels ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of (selector?.matchExpressions ?? []) as Array<{ key: string; operator: string; values?: string[] }>) {
    const has = k(labels, e.key);
    const v = labels[e.key] ?? "";
    if (e.operator === "In" && !(has && (e.values ?? []).includes(v))) return false;
    if (e.operator === "NotIn" && has && (e.values ?? []).includes(v)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function k(o: Record<string, string>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function validatePodSpec(spec: Record<string, unknown> | undefined, field: string, errs: FieldError[]): void {
  if (!spec || typeof spec !== "object") {
    errs.push({ type: "FieldValueRequired", field: `${field}.containers`, detail: "" });
    return;
  }
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    errs.push({ type: "FieldValueRequired", field: `${field}.containers`, detail: "" });
    return;
  }
  const seen = new Set<string>();
  containers.forEach((c: Record<string, unknown>, i) => {
    const f = `${field}.containers[${i}]`;
    const name = typeof c?.name === "string" ? c.name : "";
    if (!name) errs.push({ type: "FieldValueRequired", field: `${f}.name`, detail: "" });
    else {
      checkName(name, "label", `${f}.name`, errs);
      if (seen.has(name)) errs.push({ type: "FieldValueDuplicate", field: `${f}.name`, value: name, detail: "" });
      seen.add(name);
    }
    if (typeof c?.image !== "string" || c.image.trim() === "")
      errs.push({ type: "FieldValueRequired", field: `${f}.image`, detail: "" });
  });
}

function validateWorkload(obj: KObject, def: ResourceDef, errs: FieldError[]): void {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const replicas = spec.replicas;
  if (typeof replicas === "number" && replicas < 0) {
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.replicas",
      value: replicas,
      detail: "must be greater than or equal to 0",
    });
  }
  if (def.kind === "CronJob") {
    const jt = ((spec.jobTemplate ?? {}) as Record<string, unknown>).spec as Record<string, unknown> | undefined;
    const tmpl = (jt?.template ?? {}) as Record<string, unknown>;
    if (typeof spec.schedule !== "string" || !spec.schedule)
      errs.push({ type: "FieldValueRequired", field: "spec.schedule", detail: "" });
    validatePodSpec(tmpl.spec as Record<string, unknown> | undefined, "spec.jobTemplate.spec.template.spec", errs);
    return;
  }
  const template = (spec.template ?? {}) as Record<string, unknown>;
  validatePodSpec(template.spec as Record<string, unknown> | undefined, "spec.template.spec", errs);
  if (def.group === "apps") {
    const selector = spec.selector as Record<string, unknown> | undefined;
    if (!selector) errs.push({ type: "FieldValueRequired", field: "spec.selector", detail: "" });
    else {
      const labels = (((template.metadata ?? {}) as Record<string, unknown>).labels ?? {}) as Record<string, string>;
      const empty = !selector.matchLabels && !selector.matchExpressions;
      if (empty)
        errs.push({
          type: "FieldValueInvalid",
          field: "spec.selector",
          value: selector,
          detail: "empty selector is invalid for deployment",
        });
      else if (!selectorMatches(selector, labels)) {
        errs.push({
          type: "FieldValueInvalid",
          field: "spec.template.metadata.labels",
          value: new GoLiteral(goMap(labels)),
          detail: "`selector` does not match template `labels`",
        });
      }
    }
  }
  if (def.kind === "Job") {
    const rp = ((template.spec ?? {}) as Record<string, unknown>).restartPolicy;
    if (rp !== "OnFailure" && rp !== "Never") {
      errs.push({
        type: "FieldValueNotSupported",
        field: "spec.template.spec.restartPolicy",
        value: rp ?? "",
        detail: 'supported values: "OnFailure", "Never"',
      });
    }
  }
}

function validateService(obj: KObject, errs: FieldError[]): void {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const type = spec.type ?? "ClusterIP";
  const ports = spec.ports;
  if (type === "ExternalName") {
    if (!spec.externalName) errs.push({ type: "FieldValueRequired", field: "spec.externalName", detail: "" });
    return;
  }
  if (spec.clusterIP !== "None" && (!Array.isArray(ports) || ports.length === 0)) {
    errs.push({ type: "FieldValueRequired", field: "spec.ports", detail: "" });
  }
  if (Array.isArray(ports)) {
    ports.forEach((p: Record<string, unknown>, i) => {
      const port = p?.port;
      if (typeof port !== "number" || port < 1 || port > 65535) {
        errs.push({
          type: "FieldValueInvalid",
          field: `spec.ports[${i}].port`,
          value: port ?? 0,
          detail: "must be between 1 and 65535, inclusive",
        });
      }
      if (ports.length > 1 && !p?.name)
        errs.push({ type: "FieldValueRequired", field: `spec.ports[${i}].name`, detail: "" });
    });
  }
}

function validateCrd(obj: KObject, errs: FieldError[]): void {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const names = (spec.names ?? {}) as Record<string, unknown>;
  const group = String(spec.group ?? "");
  if (!group) errs.push({ type: "FieldValueRequired", field: "spec.group", detail: "" });
  if (!names.plural) errs.push({ type: "FieldValueRequired", field: "spec.names.plural", detail: "" });
  if (!names.kind) errs.push({ type: "FieldValueRequired", field: "spec.names.kind", detail: "" });
  if (!["Namespaced", "Cluster"].includes(String(spec.scope))) {
    errs.push({
      type: "FieldValueNotSupported",
      field: "spec.scope",
      value: spec.scope ?? "",
      detail: 'supported values: "Cluster", "Namespaced"',
    });
  }
  const expected = `${String(names.plural ?? "")}.${group}`;
  if (obj.metadata.name !== expected) {
    errs.push({
      type: "FieldValueInvalid",
      field: "metadata.name",
      value: obj.metadata.name,
      detail: `must be spec.names.plural+"."+spec.group`,
    });
  }
  const versions = Array.isArray(spec.versions) ? (spec.versions as Array<Record<string, unknown>>) : [];
  if (versions.length === 0)
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.versions",
      value: [],
      detail: "must have exactly one version marked as storage version",
    });
  else if (versions.filter((v) => v.storage === true).length !== 1) {
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.versions",
      value: versions,
      detail: "must have exactly one version marked as storage version",
    });
  }
}

/** Validates an object about to be stored; throws a 422 Invalid Status listing every field error. */
export function validateObject(obj: KObject, def: ResourceDef, old: KObject | undefined): void {
  const errs: FieldError[] = [];
  const name = obj.metadata.name ?? "";
  if (!name)
    errs.push({ type: "FieldValueRequired", field: "metadata.name", detail: "name or generateName is required" });
  else checkName(name, nameRule(def), "metadata.name", errs);
  if (def.namespaced && obj.metadata.namespace) checkName(obj.metadata.namespace, "label", "metadata.namespace", errs);
  for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) {
    checkQualifiedName(key, "metadata.labels", errs);
    if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value)) {
      errs.push({
        type: "FieldValueInvalid",
        field: "metadata.labels",
        value,
        detail: typeof value === "string" && value.length > 63 ? "must be no more than 63 characters" : MSG_LABEL_VALUE,
      });
    }
  }
  for (const key of Object.keys(obj.metadata.annotations ?? {}))
    checkQualifiedName(key.toLowerCase(), "metadata.annotations", errs);
  // ValidateAnnotations: keys and values together at most 256 KiB (a last-applied-configuration hits it first).
  const annotationBytes = Object.entries(obj.metadata.annotations ?? {}).reduce(
    (n, [key, v]) => n + Buffer.byteLength(key) + Buffer.byteLength(String(v)),
    0,
  );
  if (annotationBytes > TOTAL_ANNOTATION_BYTES)
    errs.push({
      type: "FieldValueTooLong",
      field: "metadata.annotations",
      detail: `may not be more than ${TOTAL_ANNOTATION_BYTES} bytes`,
    });

  if (!def.crd) {
    switch (`${def.group}/${def.kind}`) {
      case "apps/Deployment":
      case "apps/StatefulSet":
      case "apps/DaemonSet":
      case "apps/ReplicaSet":
      case "batch/Job":
      case "batch/CronJob":
        validateWorkload(obj, def, errs);
        break;
      case "/Pod":
        validatePodSpec(obj.spec as Record<string, unknown> | undefined, "spec", errs);
        break;
      case "/Service":
        validateService(obj, errs);
        break;
      case "/ConfigMap":
      case "/Secret": {
        // ValidateConfigMap / ValidateSecret: the values together at most 1 MiB (core.MaxSecretSize).
        const values =
          def.kind === "ConfigMap"
            ? [
                ...Object.values((obj.data ?? {}) as Record<string, string>),
                ...Object.values((obj.binaryData ?? {}) as Record<string, string>).map((b) =>
                  Buffer.from(b, "base64").toString("latin1"),
                ),
              ]
            : Object.values((obj.data ?? {}) as Record<string, string>).map((b) =>
                Buffer.from(b, "base64").toString("latin1"),
              );
        const total = values.reduce(
          (n, v) => n + Buffer.byteLength(String(v), def.kind === "ConfigMap" ? "utf8" : "latin1"),
          0,
        );
        // ValidateConfigMap reports the whole object with field.NewPath(""), which prints as "[]"; ValidateSecret says "data".
        if (total > MAX_DATA_BYTES)
          errs.push({
            type: "FieldValueTooLong",
            field: def.kind === "ConfigMap" ? "[]" : "data",
            detail: `may not be more than ${MAX_DATA_BYTES} bytes`,
          });
        for (const field of ["data", "binaryData", "stringData"]) {
          for (const key of Object.keys((obj[field] ?? {}) as Record<string, unknown>)) {
            if (!CONFIGMAP_KEY.test(key)) {
              errs.push({
                type: "FieldValueInvalid",
                field: `${field}[${key}]`,
                value: key,
                detail:
                  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
              });
            }
          }
        }
        break;
      }
      case "apiextensions.k8s.io/CustomResourceDefinition":
        validateCrd(obj, errs);
        break;
      default:
        break;
    }
  }

  if (def.crd?.schema) {
    const { metadata: _m, status: _s, ...rest } = obj;
    void _m;
    void _s;
    validateCustom(rest, def.crd.schema as Schema, "", errs);
  }
  if (old) validateImmutable(obj, old, def, errs);
  if (errs.length > 0) throw invalid(def.group, def.kind, name, errs);
}

function validateImmutable(obj: KObject, old: KObject, def: ResourceDef, errs: FieldError[]): void {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const oldSpec = (old.spec ?? {}) as Record<string, unknown>;
  if (def.group === "apps" && !same(spec.selector, oldSpec.selector)) {
    const sel = (spec.selector ?? {}) as { matchLabels?: Record<string, string> };
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.selector",
      value: new GoLiteral(
        `v1.LabelSelector{MatchLabels:${goMap(sel.matchLabels ?? {})}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`,
      ),
      detail: "field is immutable",
    });
  }
  if (def.group === "apps" && def.kind === "StatefulSet") {
    const rest = (o: Record<string, unknown>) => {
      const {
        replicas: _r,
        ordinals: _o,
        template: _t,
        updateStrategy: _u,
        revisionHistoryLimit: _h,
        persistentVolumeClaimRetentionPolicy: _p,
        minReadySeconds: _m,
        ...others
      } = o;
      void [_r, _o, _t, _u, _h, _p, _m];
      return others;
    };
    if (!same(rest(spec), rest(oldSpec))) {
      errs.push({
        type: "FieldValueForbidden",
        field: "spec",
        detail:
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      });
    }
  }
  if (def.group === "" && def.kind === "Pod") {
    // ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations and the scheduler's binding may change.
    const mutable = (o: Record<string, unknown>, other: Record<string, unknown>) => {
      const c = structuredClone(o);
      for (const list of ["containers", "initContainers", "ephemeralContainers"]) {
        for (const ct of (c[list] ?? []) as Array<Record<string, unknown>>) delete ct.image;
      }
      delete c.activeDeadlineSeconds;
      delete c.tolerations;
      delete c.schedulingGates;
      if (!other.nodeName || !c.nodeName) delete c.nodeName;
      return c;
    };
    if (!same(mutable(spec, oldSpec), mutable(oldSpec, spec))) {
      errs.push({
        type: "FieldValueForbidden",
        field: "spec",
        detail:
          "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
      });
    }
  }
  if (def.kind === "Job" && def.group === "batch" && !same(spec.template, oldSpec.template)) {
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.template",
      value: spec.template,
      detail: "field is immutable",
    });
  }
  if ((def.kind === "RoleBinding" || def.kind === "ClusterRoleBinding") && !same(obj.roleRef, old.roleRef)) {
    errs.push({ type: "FieldValueInvalid", field: "roleRef", value: obj.roleRef, detail: "cannot change roleRef" });
  }
  if (def.kind === "CustomResourceDefinition" && !same(spec.group, oldSpec.group)) {
    errs.push({ type: "FieldValueInvalid", field: "spec.group", value: spec.group, detail: "field is immutable" });
  }
  if (def.group === "" && (def.kind === "Secret" || def.kind === "ConfigMap") && old.immutable === true) {
    // ValidateConfigMapUpdate / ValidateSecretUpdate: one error per field that moved.
    const detail = "field is immutable when `immutable` is set";
    if (obj.immutable !== true) errs.push({ type: "FieldValueForbidden", field: "immutable", detail });
    if (!same(obj.data ?? {}, old.data ?? {})) errs.push({ type: "FieldValueForbidden", field: "data", detail });
    if (def.kind === "ConfigMap" && !same(obj.binaryData ?? {}, old.binaryData ?? {}))
      errs.push({ type: "FieldValueForbidden", field: "binaryData", detail });
  }
  if (def.group === "" && def.kind === "Service") {
    const oldIp = oldSpec.clusterIP;
    const newIps = Array.isArray(spec.clusterIPs)
      ? (spec.clusterIPs as string[])
      : spec.clusterIP !== undefined
        ? [String(spec.clusterIP)]
        : [];
    if (
      typeof oldIp === "string" &&
      oldIp !== "" &&
      oldIp !== "None" &&
      newIps.length > 0 &&
      newIps[0] !== oldIp &&
      spec.type !== "ExternalName"
    ) {
      errs.push({
        type: "FieldValueInvalid",
        field: "spec.clusterIPs[0]",
        value: new GoLiteral(`[]string{${newIps.map((ip) => JSON.stringify(ip)).join(", ")}}`),
        detail: "may not change once set",
      });
    }
  }
}

// ── Field validation: unknown fields and wrong types, as kube-apiserver's decoders report them ─────────────────────

/** The `fieldValidation` directive; the API server's default is Warn. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** What decoding a request body into a built-in kind's Go type finds (see decodeBuiltin). */
export interface DecodeReport {
  /** Unknown fields in strict-decoder spelling: `spec.template.spec.containers[0].imagePullPolicyy`. */
  unknown: string[];
  /** The first type mismatch in encoding/json's words (the decoder keeps the first and goes on). */
  typeError: string | undefined;
  /** Every problem in structured-merge-diff's words, which server-side apply reports instead. */
  smd: string[];
}

const REF = "#/components/schemas/";
const INT32 = 2 ** 31;

/** Types with their own UnmarshalJSON that take more than their schema type says, or anything at all. */
const LENIENT: Record<string, (v: unknown) => boolean> = {
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": (v) => typeof v === "string" || typeof v === "number",
  "io.k8s.apimachinery.pkg.api.resource.Quantity": (v) => typeof v === "string" || typeof v === "number",
  "io.k8s.apimachinery.pkg.runtime.RawExtension": () => true,
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": () => true,
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": () => true,
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": () => true,
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": () => true,
  "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": () => true,
};

interface Resolved {
  schema: Record<string, unknown>;
  /** Component name when the schema is a reference (a Go named type). */
  ref: string | undefined;
}

function resolveSchema(
  s: Record<string, unknown> | undefined,
  schemas: Record<string, Record<string, unknown>>,
): Resolved {
  let cur = s ?? {};
  let ref: string | undefined;
  for (let i = 0; i < 4; i++) {
    const direct = typeof cur.$ref === "string" ? cur.$ref : undefined;
    const allOf =
      Array.isArray(cur.allOf) && cur.allOf.length === 1 ? (cur.allOf[0] as Record<string, unknown>).$ref : undefined;
    const r = direct ?? (typeof allOf === "string" ? allOf : undefined);
    if (!r) break;
    ref = r.slice(REF.length);
    cur = schemas[ref] ?? {};
  }
  return { schema: cur, ref };
}

/** reflect.Type.String() of the Go type behind a schema: int32, []v1.Container, map[string]string, v1.PodSpec… */
function goType(s: Record<string, unknown> | undefined, schemas: Record<string, Record<string, unknown>>): string {
  const { schema, ref } = resolveSchema(s, schemas);
  if (ref) {
    const parts = ref.split(".");
    return `${parts[parts.length - 2] ?? ""}.${parts[parts.length - 1] ?? ""}`;
  }
  switch (schema.type) {
    case "string":
      return schema.format === "byte" ? "[]uint8" : "string";
    case "boolean":
      return "bool";
    case "integer":
      return schema.format === "int64" ? "int64" : "int32";
    case "number":
      return "float64";
    case "array":
      return `[]${goType(schema.items as Record<string, unknown> | undefined, schemas)}`;
    case "object":
      return schema.additionalProperties
        ? `map[string]${goType(schema.additionalProperties as Record<string, unknown>, schemas)}`
        : "map[string]interface {}";
    default:
      return "interface {}";
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v === "number" ? "number" : typeof v === "string" ? "string" : "object";
}

/** Go's %T of a decoded JSON value, as structured-merge-diff prints it. */
function goDynamicType(v: unknown): string {
  if (Array.isArray(v)) return "[]interface {}";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  return typeof v === "string" ? "string" : "map[string]interface {}";
}

/** One element of a structured-merge-diff path: `[name="web"]` for associative lists, `[0]` otherwise. */
function smdListElement(item: unknown, index: number, schema: Record<string, unknown>): string {
  const keys = schema["x-kubernetes-list-map-keys"];
  if (schema["x-kubernetes-list-type"] === "map" && Array.isArray(keys) && item && typeof item === "object") {
    const parts = (keys as string[])
      .filter((k) => (item as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${k}=${JSON.stringify((item as Record<string, unknown>)[k])}`);
    if (parts.length) return `[${parts.join(",")}]`;
  }
  if (schema["x-kubernetes-list-type"] === "set") return `[=${JSON.stringify(item)}]`;
  return `[${index}]`;
}

interface WalkCtx {
  strictPath: string;
  smdPath: string;
  struct: string;
  fieldStack: string[];
}

/**
 * Decodes a built-in object the way kube-apiserver does: against the kind's OpenAPI schema (the Go type), dropping
 * unknown fields (typed decoding cannot keep them) and reporting them and the first type mismatch. Mutates `obj`.
 */
export function decodeBuiltin(obj: Record<string, unknown>, rootName: string, prune: boolean): DecodeReport {
  const api = builtinOpenApi();
  const report: DecodeReport = { unknown: [], typeError: undefined, smd: [] };
  const root = api.schemas[rootName];
  if (!root) return report;
  const structName = rootName.split(".").pop() ?? "";
  walkTyped(
    obj,
    { $ref: `${REF}${rootName}` },
    { strictPath: "", smdPath: "", struct: structName, fieldStack: [] },
    api.schemas,
    report,
    prune,
  );
  return report;
}

/**
 * A custom resource's apply configuration as structured-merge-diff types it: the CRD schema plus apiVersion, kind
 * and ObjectMeta. Reports in `smd` what would fail the conversion (nothing is pruned here).
 */
export function decodeCustomTyped(obj: Record<string, unknown>, crdSchema: Record<string, unknown>): DecodeReport {
  const api = builtinOpenApi();
  const report: DecodeReport = { unknown: [], typeError: undefined, smd: [] };
  const root = {
    ...crdSchema,
    type: "object",
    properties: {
      ...((crdSchema.properties ?? {}) as Record<string, unknown>),
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { $ref: `${REF}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` },
    },
  };
  walkTyped(obj, root, { strictPath: "", smdPath: "", struct: "", fieldStack: [] }, api.schemas, report, false);
  return report;
}

/** Go's %+v of a decoded JSON value (map[a:1 b:[x y]]), which strategic-merge-patch errors show. */
export function goPrint(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  if (v && typeof v === "object") {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goPrint((v as Record<string, unknown>)[k])}`)
      .join(" ")}]`;
  }
  if (v === null || v === undefined) return "<nil>";
  return String(v);
}

function walkTyped(
  value: unknown,
  s: Record<string, unknown>,
  ctx: WalkCtx,
  schemas: Record<string, Record<string, unknown>>,
  report: DecodeReport,
  prune: boolean,
): void {
  if (value === null || value === undefined) return;
  const { schema, ref } = resolveSchema(s, schemas);
  if (ref && LENIENT[ref]) {
    if (!LENIENT[ref](value)) mismatch(value, s, ctx, schemas, report, undefined);
    return;
  }
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  if (preserve && !schema.properties) return;
  if (schema["x-kubernetes-int-or-string"] === true) {
    if (typeof value !== "string" && typeof value !== "number") mismatch(value, s, ctx, schemas, report, undefined);
    return;
  }
  const type = schema.type ?? (schema.properties ? "object" : undefined);
  const kind = jsonKind(value);
  switch (type) {
    case "string":
      if (kind !== "string") mismatch(value, s, ctx, schemas, report, "string");
      return;
    case "boolean":
      if (kind !== "bool") mismatch(value, s, ctx, schemas, report, "boolean");
      return;
    case "integer":
      if (kind !== "number") mismatch(value, s, ctx, schemas, report, "numeric");
      else if (!Number.isInteger(value) || (schema.format !== "int64" && Math.abs(value as number) >= INT32))
        mismatch(value, s, ctx, schemas, report, undefined, `number ${String(value)}`);
      return;
    case "number":
      if (kind !== "number") mismatch(value, s, ctx, schemas, report, "numeric");
      return;
    case "array": {
      if (kind !== "array") {
        mismatch(value, s, ctx, schemas, report, "list");
        return;
      }
      const items = (schema.items ?? {}) as Record<string, unknown>;
      (value as unknown[]).forEach((item, i) => {
        walkTyped(
          item,
          items,
          {
            ...ctx,
            strictPath: `${ctx.strictPath}[${i}]`,
            smdPath: `${ctx.smdPath}${smdListElement(item, i, schema)}`,
          },
          schemas,
          report,
          prune,
        );
      });
      return;
    }
    case "object": {
      if (kind !== "object") {
        mismatch(value, s, ctx, schemas, report, "map");
        return;
      }
      const o = value as Record<string, unknown>;
      const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
      const extra = schema.additionalProperties as Record<string, unknown> | boolean | undefined;
      for (const key of Object.keys(o)) {
        const strictPath = ctx.strictPath ? `${ctx.strictPath}.${key}` : key;
        const smdPath = `${ctx.smdPath}.${key}`;
        const prop = props?.[key];
        if (prop) {
          const structName = ref ? (ref.split(".").pop() ?? ctx.struct) : ctx.struct;
          walkTyped(
            o[key],
            prop,
            { strictPath, smdPath, struct: structName, fieldStack: [...ctx.fieldStack, key] },
            schemas,
            report,
            prune,
          );
        } else if (extra && typeof extra === "object") {
          // Map values: the strict path names the key, encoding/json's field stack does not.
          walkTyped(o[key], extra, { ...ctx, strictPath, smdPath }, schemas, report, prune);
        } else if (props && !preserve) {
          report.unknown.push(strictPath);
          report.smd.push(`${smdPath}: field not declared in schema`);
          if (prune) delete o[key];
        }
      }
      return;
    }
    default:
      return;
  }
}

function mismatch(
  value: unknown,
  s: Record<string, unknown>,
  ctx: WalkCtx,
  schemas: Record<string, Record<string, unknown>>,
  report: DecodeReport,
  smdExpected: string | undefined,
  jsonValue?: string,
): void {
  const t = goType(s, schemas);
  if (!report.typeError) {
    const what = jsonValue ?? jsonKind(value);
    report.typeError = ctx.fieldStack.length
      ? `json: cannot unmarshal ${what} into Go struct field ${ctx.struct}.${ctx.fieldStack.join(".")} of type ${t}`
      : `json: cannot unmarshal ${what} into Go value of type ${t}`;
  }
  if (!smdExpected) return;
  const got =
    smdExpected === "numeric"
      ? goDynamicType(value)
      : smdExpected === "string"
        ? `&value.valueUnstructured{Value:${typeof value === "object" ? goDynamicType(value) : String(value)}}`
        : JSON.stringify(value);
  const expected = smdExpected === "numeric" ? "numeric (int or float)" : smdExpected;
  report.smd.push(`${ctx.smdPath}: expected ${expected}, got ${got}`);
}

// ── Custom resources: structural schemas (pruning, defaulting, validation) ──────────────────────────────────────────

type Schema = Record<string, unknown>;

function schemaType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v === "object" ? "object" : typeof v;
}

/**
 * Prunes fields a CRD's structural schema does not declare (unless x-kubernetes-preserve-unknown-fields), returns
 * their paths for Strict/Warn, and applies `default`s, as the apiextensions decoder does on every write. Mutates `obj`.
 */
export function decodeCustom(obj: Record<string, unknown>, schema: Schema | undefined, withDefaults = true): string[] {
  const unknown: string[] = [];
  if (!schema) return unknown;
  pruneAndDefault(obj, schema, "", unknown, true, withDefaults);
  return unknown;
}

function pruneAndDefault(
  value: unknown,
  s: Schema,
  path: string,
  unknown: string[],
  root: boolean,
  withDefaults: boolean,
): void {
  if (Array.isArray(value)) {
    const items = s.items as Schema | undefined;
    if (items) value.forEach((item, i) => pruneAndDefault(item, items, `${path}[${i}]`, unknown, false, withDefaults));
    return;
  }
  if (!value || typeof value !== "object") return;
  const o = value as Record<string, unknown>;
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const extra = s.additionalProperties;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  for (const key of Object.keys(o)) {
    const child = `${path ? `${path}.` : ""}${key}`;
    if ((root || embedded) && (key === "apiVersion" || key === "kind" || key === "metadata")) continue;
    const prop = props[key];
    if (prop) pruneAndDefault(o[key], prop, child, unknown, false, withDefaults);
    else if (extra && typeof extra === "object")
      pruneAndDefault(o[key], extra as Schema, child, unknown, false, withDefaults);
    else if (!preserve && extra !== true) {
      unknown.push(child);
      delete o[key];
    }
  }
  if (!withDefaults) return;
  for (const [key, prop] of Object.entries(props)) {
    if (o[key] === undefined && prop.default !== undefined) {
      o[key] = structuredClone(prop.default);
      pruneAndDefault(o[key], prop, `${path ? `${path}.` : ""}${key}`, unknown, false, withDefaults);
    }
  }
}

/** OpenAPI validation of a custom resource against its CRD schema, with kube-openapi's messages. */
export function validateCustom(value: unknown, s: Schema, path: string, errs: FieldError[], root = true): void {
  if (value === undefined) return;
  const where = path || "<root>";
  if (value === null) {
    if (s.nullable !== true && s.type !== undefined)
      errs.push({
        type: "FieldValueTypeInvalid",
        field: where,
        value: "null",
        detail: `${where} in body must be of type ${String(s.type)}: "null"`,
      });
    return;
  }
  const actual = schemaType(value);
  const type = s.type as string | undefined;
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  if (intOrString) {
    if (actual !== "integer" && actual !== "string")
      errs.push({
        type: "FieldValueTypeInvalid",
        field: where,
        value: actual,
        detail: `${where} in body must be of type integer,string: ${JSON.stringify(actual)}`,
      });
  } else if (type && !(type === actual || (type === "number" && actual === "integer"))) {
    errs.push({
      type: "FieldValueTypeInvalid",
      field: where,
      value: actual,
      detail: `${where} in body must be of type ${type}: ${JSON.stringify(actual)}`,
    });
    return;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errs.push({
      type: "FieldValueNotSupported",
      field: where,
      value,
      detail: `supported values: ${(s.enum as unknown[]).map((e) => JSON.stringify(e)).join(", ")}`,
    });
  }
  if (typeof value === "number") {
    if (typeof s.maximum === "number" && (s.exclusiveMaximum === true ? value >= s.maximum : value > s.maximum)) {
      errs.push({
        type: "FieldValueInvalid",
        field: where,
        value,
        detail: `${where} in body should be less than ${s.exclusiveMaximum === true ? "" : "or equal to "}${s.maximum}`,
      });
    }
    if (typeof s.minimum === "number" && (s.exclusiveMinimum === true ? value <= s.minimum : value < s.minimum)) {
      errs.push({
        type: "FieldValueInvalid",
        field: where,
        value,
        detail: `${where} in body should be greater than ${s.exclusiveMinimum === true ? "" : "or equal to "}${s.minimum}`,
      });
    }
  }
  if (typeof value === "string") {
    const len = [...value].length;
    if (typeof s.maxLength === "number" && len > s.maxLength)
      errs.push({
        type: "FieldValueTooLong",
        field: where,
        value,
        detail: `may not be more than ${s.maxLength} bytes`,
      });
    if (typeof s.minLength === "number" && len < s.minLength)
      errs.push({
        type: "FieldValueInvalid",
        field: where,
        value,
        detail: `${where} in body should be at least ${s.minLength} chars long`,
      });
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value))
      errs.push({
        type: "FieldValueInvalid",
        field: where,
        value,
        detail: `${where} in body should match '${s.pattern}'`,
      });
  }
  if (Array.isArray(value)) {
    if (typeof s.maxItems === "number" && value.length > s.maxItems)
      errs.push({
        type: "FieldValueTooMany",
        field: where,
        value: value.length,
        detail: `must have at most ${s.maxItems} items`,
      });
    if (typeof s.minItems === "number" && value.length < s.minItems)
      errs.push({
        type: "FieldValueInvalid",
        field: where,
        value: value.length,
        detail: `${where} in body should have at least ${s.minItems} items`,
      });
    const items = s.items as Schema | undefined;
    if (items) value.forEach((item, i) => validateCustom(item, items, `${path}[${i}]`, errs, false));
    return;
  }
  if (actual === "object") {
    const o = value as Record<string, unknown>;
    for (const r of (s.required ?? []) as string[])
      if (o[r] === undefined)
        errs.push({ type: "FieldValueRequired", field: `${path ? `${path}.` : ""}${r}`, detail: "" });
    const props = (s.properties ?? {}) as Record<string, Schema>;
    const extra = s.additionalProperties;
    for (const [key, v] of Object.entries(o)) {
      if (root && (key === "apiVersion" || key === "kind" || key === "metadata")) continue;
      const child = `${path ? `${path}.` : ""}${key}`;
      if (props[key]) validateCustom(v, props[key], child, errs, false);
      else if (extra && typeof extra === "object") validateCustom(v, extra as Schema, child, errs, false);
    }
  }
}
