/** Object validation with kube-apiserver's field paths and messages (422 Invalid). */
import type { FieldError } from "./errors";
import { GoLiteral, invalid } from "./errors";
import type { ResourceDef } from "./resources";
import type { KObject } from "./store";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;

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
  if (def.group === "" && (def.name === "namespaces" || def.name === "serviceaccounts")) return def.name === "namespaces" ? "label" : "subdomain";
  if (def.group === "" && def.name === "services") return "dns1035";
  if (def.group === "rbac.authorization.k8s.io" || def.name === "tokenreviews") return "path";
  return "subdomain";
}

function checkName(value: string, rule: NameRule, field: string, errs: FieldError[]): void {
  if (rule === "path") {
    if (value === "." || value === "..") errs.push({ type: "FieldValueInvalid", field, value, detail: `may not be '${value}'` });
    else if (/[/%]/.test(value)) errs.push({ type: "FieldValueInvalid", field, value, detail: `may not contain '${value.includes("/") ? "/" : "%"}'` });
    return;
  }
  const [re, msg, max] =
    rule === "label" ? [DNS1123_LABEL, MSG_LABEL, 63] : rule === "dns1035" ? [DNS1035_LABEL, MSG_DNS1035, 63] : [DNS1123_SUBDOMAIN, MSG_SUBDOMAIN, 253];
  if (value.length > max) errs.push({ type: "FieldValueInvalid", field, value, detail: `must be no more than ${max} characters` });
  if (!re.test(value)) errs.push({ type: "FieldValueInvalid", field, value, detail: msg });
}

function checkQualifiedName(key: string, field: string, errs: FieldError[]): void {
  const parts = key.split("/");
  let name = key;
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    name = parts[1] ?? "";
    if (prefix.length === 0) errs.push({ type: "FieldValueInvalid", field, value: key, detail: "prefix part must be non-empty" });
    else if (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253) errs.push({ type: "FieldValueInvalid", field, value: key, detail: MSG_PREFIX });
  } else if (parts.length > 2) {
    errs.push({
      type: "FieldValueInvalid",
      field,
      value: key,
      detail: `a qualified name ${MSG_NAME_PART.slice("name part ".length)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    });
    return;
  }
  if (name.length === 0) errs.push({ type: "FieldValueInvalid", field, value: key, detail: "name part must be non-empty" });
  else {
    if (name.length > 63) errs.push({ type: "FieldValueInvalid", field, value: key, detail: "name part must be no more than 63 characters" });
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
    if (typeof c?.image !== "string" || c.image.trim() === "") errs.push({ type: "FieldValueRequired", field: `${f}.image`, detail: "" });
  });
}

function validateWorkload(obj: KObject, def: ResourceDef, errs: FieldError[]): void {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const replicas = spec.replicas;
  if (typeof replicas === "number" && replicas < 0) {
    errs.push({ type: "FieldValueInvalid", field: "spec.replicas", value: replicas, detail: "must be greater than or equal to 0" });
  }
  if (def.kind === "CronJob") {
    const jt = ((spec.jobTemplate ?? {}) as Record<string, unknown>).spec as Record<string, unknown> | undefined;
    const tmpl = (jt?.template ?? {}) as Record<string, unknown>;
    if (typeof spec.schedule !== "string" || !spec.schedule) errs.push({ type: "FieldValueRequired", field: "spec.schedule", detail: "" });
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
      if (empty) errs.push({ type: "FieldValueInvalid", field: "spec.selector", value: selector, detail: "empty selector is invalid for deployment" });
      else if (!selectorMatches(selector, labels)) {
        errs.push({ type: "FieldValueInvalid", field: "spec.template.metadata.labels", value: new GoLiteral(goMap(labels)), detail: "`selector` does not match template `labels`" });
      }
    }
  }
  if (def.kind === "Job") {
    const rp = ((template.spec ?? {}) as Record<string, unknown>).restartPolicy;
    if (rp !== "OnFailure" && rp !== "Never") {
      errs.push({ type: "FieldValueNotSupported", field: "spec.template.spec.restartPolicy", value: rp ?? "", detail: 'supported values: "OnFailure", "Never"' });
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
        errs.push({ type: "FieldValueInvalid", field: `spec.ports[${i}].port`, value: port ?? 0, detail: "must be between 1 and 65535, inclusive" });
      }
      if (ports.length > 1 && !p?.name) errs.push({ type: "FieldValueRequired", field: `spec.ports[${i}].name`, detail: "" });
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
    errs.push({ type: "FieldValueNotSupported", field: "spec.scope", value: spec.scope ?? "", detail: 'supported values: "Cluster", "Namespaced"' });
  }
  const expected = `${String(names.plural ?? "")}.${group}`;
  if (obj.metadata.name !== expected) {
    errs.push({ type: "FieldValueInvalid", field: "metadata.name", value: obj.metadata.name, detail: `must be spec.names.plural+"."+spec.group` });
  }
  const versions = Array.isArray(spec.versions) ? (spec.versions as Array<Record<string, unknown>>) : [];
  if (versions.length === 0) errs.push({ type: "FieldValueInvalid", field: "spec.versions", value: [], detail: "must have exactly one version marked as storage version" });
  else if (versions.filter((v) => v.storage === true).length !== 1) {
    errs.push({ type: "FieldValueInvalid", field: "spec.versions", value: versions, detail: "must have exactly one version marked as storage version" });
  }
}

/** Validates an object about to be stored; throws a 422 Invalid Status listing every field error. */
export function validateObject(obj: KObject, def: ResourceDef, old: KObject | undefined): void {
  const errs: FieldError[] = [];
  const name = obj.metadata.name ?? "";
  if (!name) errs.push({ type: "FieldValueRequired", field: "metadata.name", detail: "name or generateName is required" });
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
  for (const key of Object.keys(obj.metadata.annotations ?? {})) checkQualifiedName(key.toLowerCase(), "metadata.annotations", errs);

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
      case "/Secret":
        for (const field of ["data", "binaryData", "stringData"]) {
          for (const key of Object.keys((obj[field] ?? {}) as Record<string, unknown>)) {
            if (!CONFIGMAP_KEY.test(key)) {
              errs.push({ type: "FieldValueInvalid", field: `${field}[${key}]`, value: key, detail: "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" });
            }
          }
        }
        break;
      case "apiextensions.k8s.io/CustomResourceDefinition":
        validateCrd(obj, errs);
        break;
      default:
        break;
    }
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
      value: new GoLiteral(`v1.LabelSelector{MatchLabels:${goMap(sel.matchLabels ?? {})}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`),
      detail: "field is immutable",
    });
  }
  if (def.kind === "Job" && def.group === "batch" && !same(spec.template, oldSpec.template)) {
    errs.push({ type: "FieldValueInvalid", field: "spec.template", value: spec.template, detail: "field is immutable" });
  }
  if ((def.kind === "RoleBinding" || def.kind === "ClusterRoleBinding") && !same(obj.roleRef, old.roleRef)) {
    errs.push({ type: "FieldValueInvalid", field: "roleRef", value: obj.roleRef, detail: "cannot change roleRef" });
  }
  if (def.kind === "CustomResourceDefinition" && !same(spec.group, oldSpec.group)) {
    errs.push({ type: "FieldValueInvalid", field: "spec.group", value: spec.group, detail: "field is immutable" });
  }
  if (def.group === "" && def.kind === "Secret" && old.immutable === true && (!same(obj.data, old.data) || obj.immutable !== true)) {
    errs.push({ type: "FieldValueForbidden", field: "data", detail: "field is immutable when `immutable` is set" });
  }
  if (def.group === "" && def.kind === "ConfigMap" && old.immutable === true && (!same(obj.data, old.data) || obj.immutable !== true)) {
    errs.push({ type: "FieldValueForbidden", field: "data", detail: "field is immutable when `immutable` is set" });
  }
}
