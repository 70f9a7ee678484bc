import { badRequest } from "./errors";

type Requirement =
  | { op: "exists" | "!"; key: string }
  | { op: "=" | "!="; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "gt" | "lt"; key: string; value: number };

export type LabelSelector = Requirement[];

/** Parses the string form of a label selector: `a=b,c!=d,e in (f,g),h notin (i),j,!k`. */
export function parseLabelSelector(input: string): LabelSelector {
  const reqs: Requirement[] = [];
  let i = 0;
  const s = input.trim();
  const skipWs = () => {
    while (i < s.length && /\s/.test(s[i] ?? "")) i++;
  };
  const readToken = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && !/[\s,=!()<>]/.test(s[i] ?? "")) i++;
    return s.slice(start, i);
  };
  const fail = (): never => {
    throw badRequest(`unable to parse requirement: found '${s.slice(i, i + 10)}', invalid selector: "${input}"`);
  };
  while (true) {
    skipWs();
    if (i >= s.length) break;
    if (s[i] === "!") {
      i++;
      const key = readToken();
      if (!key) fail();
      reqs.push({ op: "!", key });
    } else {
      const key = readToken();
      if (!key) fail();
      skipWs();
      const rest = s.slice(i);
      if (rest.startsWith("==")) {
        i += 2;
        reqs.push({ op: "=", key, value: readToken() });
      } else if (rest.startsWith("!=")) {
        i += 2;
        reqs.push({ op: "!=", key, value: readToken() });
      } else if (rest.startsWith("=")) {
        i += 1;
        reqs.push({ op: "=", key, value: readToken() });
      } else if (rest.startsWith(">") || rest.startsWith("<")) {
        const op = rest[0] === ">" ? "gt" : "lt";
        i += 1;
        const value = Number(readToken());
        if (Number.isNaN(value)) fail();
        reqs.push({ op, key, value });
      } else if (/^(in|notin)\s*\(/.test(rest)) {
        const op = rest.startsWith("in") ? "in" : "notin";
        i += op.length;
        skipWs();
        i++; // (
        const close = s.indexOf(")", i);
        if (close < 0) fail();
        const values = s
          .slice(i, close)
          .split(",")
          .map((v) => v.trim())
          .filter((v) => v !== "");
        i = close + 1;
        reqs.push({ op, key, values });
      } else if (rest === "" || rest.startsWith(",")) {
        reqs.push({ op: "exists", key });
      } else {
        fail();
      }
    }
    skipWs();
    if (i < s.length) {
      if (s[i] !== ",") fail();
      i++;
    }
  }
  return reqs;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "exists":
        if (!has) return false;
        break;
      case "!":
        if (has) return false;
        break;
      case "=":
        if (!has || v !== r.value) return false;
        break;
      case "!=":
        if (has && v === r.value) return false;
        break;
      case "in":
        if (!has || !r.values.includes(v ?? "")) return false;
        break;
      case "notin":
        if (has && r.values.includes(v ?? "")) return false;
        break;
      case "gt":
      case "lt": {
        const n = Number(v);
        if (!has || Number.isNaN(n)) return false;
        if (r.op === "gt" ? !(n > r.value) : !(n < r.value)) return false;
        break;
      }
    }
  }
  return true;
}

/** Converts a structured metav1.LabelSelector (matchLabels/matchExpressions) into requirements. */
export function fromLabelSelectorObject(sel: unknown): LabelSelector {
  const out: Requirement[] = [];
  if (!sel || typeof sel !== "object") return out;
  const o = sel as {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  };
  for (const [key, value] of Object.entries(o.matchLabels ?? {})) out.push({ op: "=", key, value });
  for (const e of o.matchExpressions ?? []) {
    if (e.operator === "In") out.push({ op: "in", key: e.key, values: e.values ?? [] });
    else if (e.operator === "NotIn") out.push({ op: "notin", key: e.key, values: e.values ?? [] });
    else if (e.operator === "Exists") out.push({ op: "exists", key: e.key });
    else if (e.operator === "DoesNotExist") out.push({ op: "!", key: e.key });
  }
  return out;
}

/** `app=x,tier=web` string form of a structured selector, as Scale.status.selector reports it. */
export function labelSelectorToString(sel: unknown): string {
  return fromLabelSelectorObject(sel)
    .map((r) => {
      switch (r.op) {
        case "=":
          return `${r.key}=${r.value}`;
        case "!=":
          return `${r.key}!=${r.value}`;
        case "in":
          return `${r.key} in (${r.values.join(",")})`;
        case "notin":
          return `${r.key} notin (${r.values.join(",")})`;
        case "exists":
          return r.key;
        case "!":
          return `!${r.key}`;
        default:
          return "";
      }
    })
    .join(",");
}

type FieldRequirement = { field: string; value: string; negate: boolean };
export type FieldSelector = FieldRequirement[];

/** Field selectors every resource supports, plus the per-kind ones real clients commonly use. */
const SUPPORTED_FIELDS = new Set(["metadata.name", "metadata.namespace"]);
const KIND_FIELDS: Record<string, string[]> = {
  Pod: [
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
    "spec.hostNetwork",
  ],
  Event: [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  Secret: ["type"],
  Namespace: ["status.phase"],
  Node: ["spec.unschedulable"],
  Job: ["status.successful"],
  ReplicaSet: ["status.replicas"],
  ReplicationController: ["status.replicas"],
  CertificateSigningRequest: ["spec.signerName"],
};

export function parseFieldSelector(input: string, kind: string): FieldSelector {
  const out: FieldRequirement[] = [];
  for (const part of input.split(",")) {
    const p = part.trim();
    if (!p) continue;
    const m = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/.exec(p);
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${p}'`);
    const field = m[1] ?? "";
    if (!SUPPORTED_FIELDS.has(field) && !(KIND_FIELDS[kind] ?? []).includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    out.push({ field, value: m[3] ?? "", negate: m[2] === "!=" });
  }
  return out;
}

function fieldValue(obj: Record<string, unknown>, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split(".")) {
    if (!cur || typeof cur !== "object") return "";
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null) return "";
  return String(cur);
}

export function matchesFields(selector: FieldSelector, obj: Record<string, unknown>): boolean {
  for (const r of selector) {
    const v = fieldValue(obj, r.field);
    if (r.negate ? v === r.value : v !== r.value) return false;
  }
  return true;
}
