import { isNode, LineCounter, type Document } from "yaml";
import { groupOf, isRecord, refKey, type KubeObject } from "./types";
import { fastParseDocuments, type FastDocument } from "./fast-yaml";
import { newAliasBudget, parseYamlDocuments, usesAliases, type AliasBudget } from "./yaml";

/** One problem found in a manifest set. `documentIndex` is 0-based; `line`/`column` are 1-based. */
export interface ManifestProblem {
  source?: string;
  documentIndex: number;
  /** Index inside a `kind: List` document, when the problem is in one of its items. */
  itemIndex?: number;
  line?: number;
  column?: number;
  message: string;
}

/** Thrown when manifests cannot be applied as given; lists every problem, not just the first. */
export class ManifestError extends Error {
  override readonly name = "ManifestError";
  readonly problems: ManifestProblem[];

  constructor(problems: ManifestProblem[]) {
    super(
      problems.length === 1
        ? formatProblem(problems[0] as ManifestProblem)
        : `${problems.length} problems in manifests:\n${problems.map((p) => `- ${formatProblem(p)}`).join("\n")}`,
    );
    this.problems = problems;
  }
}

/** "file.yaml: document 2, line 14, column 3: missing kind" (documents counted from 1 for people). */
export function formatProblem(problem: ManifestProblem): string {
  const where = [
    `document ${problem.documentIndex + 1}`,
    problem.itemIndex === undefined ? undefined : `item ${problem.itemIndex + 1}`,
    problem.line === undefined ? undefined : `line ${problem.line}`,
    problem.column === undefined ? undefined : `column ${problem.column}`,
  ]
    .filter(Boolean)
    .join(", ");
  return `${problem.source ? `${problem.source}: ` : ""}${where}: ${problem.message}`;
}

/** A parsed object and where it came from, so later errors can point back to the source. */
export interface ParsedManifest {
  object: KubeObject;
  source?: string;
  documentIndex: number;
  itemIndex?: number;
  line: number;
}

export interface ParseOptions {
  /** File name to prefix problems with. */
  source?: string;
  /** What YAML aliases may still add (./yaml.ts); the files of one set share one. A fresh budget by default. */
  aliasBudget?: AliasBudget;
}

interface Position {
  line?: number;
  column?: number;
}

function positionOf(lineCounter: LineCounter, offset: number | undefined): Position {
  if (offset === undefined) return {};
  const pos = lineCounter.linePos(offset);
  return pos.line > 0 ? { line: pos.line, column: pos.col } : {};
}

/** YAML 1.1 timestamps become Dates and !!binary Uint8Arrays; Kubernetes (via sigs.k8s.io/yaml) sees RFC 3339 and base64. */
function normalizeScalar(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, "Z");
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return value;
}

/** A normalized copy: what an aliased document needs, so no two places of it share one object. */
function normalizedCopy(value: unknown): unknown {
  if (value instanceof Date || value instanceof Uint8Array) return normalizeScalar(value);
  if (Array.isArray(value)) return value.map(normalizedCopy);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value))
      Object.defineProperty(out, key, {
        value: normalizedCopy(inner),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

/**
 * Normalizes `toJS`'s fresh output in place, where no object is shared (a document without aliases): a copy of every
 * object of a large source is as much allocation again as `toJS` itself.
 */
function normalizeInPlace(value: unknown): unknown {
  if (value instanceof Date || value instanceof Uint8Array) return normalizeScalar(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner: unknown = value[i];
      if (inner !== null && typeof inner === "object") value[i] = normalizeInPlace(inner);
    }
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      const inner = value[key];
      if (inner === null || typeof inner !== "object") continue;
      const out = normalizeInPlace(inner);
      // defineProperty, not assignment: a "__proto__" key (toJS defines it as an own property) stays a property.
      if (out !== inner)
        Object.defineProperty(value, key, { value: out, writable: true, enumerable: true, configurable: true });
    }
  }
  return value;
}

function nodeOffset(doc: Document, path: (string | number)[]): number | undefined {
  const node: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isNode(node) && node.range) return node.range[0];
  return undefined;
}

function isListKind(value: Record<string, unknown>): boolean {
  return typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items);
}

/** Validation shared by parsed documents and objects handed over directly; returns messages and the offending path. */
export function objectProblems(value: unknown): { message: string; path: string[] }[] {
  if (!isRecord(value))
    return [{ message: "not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)", path: [] }];
  const problems: { message: string; path: string[] }[] = [];
  if (typeof value.apiVersion !== "string" || !value.apiVersion.trim()) {
    problems.push({ message: "missing apiVersion", path: [] });
  }
  if (typeof value.kind !== "string" || !value.kind.trim()) problems.push({ message: "missing kind", path: [] });
  const metadata = value.metadata;
  if (!isRecord(metadata)) {
    problems.push({ message: "missing metadata.name", path: [] });
    return problems;
  }
  if (typeof metadata.name !== "string" || !metadata.name.trim()) {
    problems.push({
      message:
        typeof metadata.generateName === "string"
          ? "missing metadata.name (generateName cannot be used with apply)"
          : "missing metadata.name",
      path: ["metadata"],
    });
  }
  if (metadata.namespace !== undefined && (typeof metadata.namespace !== "string" || !metadata.namespace)) {
    problems.push({
      message: `metadata.namespace must be a non-empty string${typeof metadata.namespace === "string" ? "" : ` (got ${JSON.stringify(metadata.namespace)}; quote it)`}`,
      path: ["metadata", "namespace"],
    });
  }
  for (const field of ["labels", "annotations"] as const) {
    const map = metadata[field];
    if (map === undefined || map === null) continue;
    if (!isRecord(map)) {
      problems.push({ message: `metadata.${field} must be a mapping`, path: ["metadata", field] });
      continue;
    }
    for (const [key, inner] of Object.entries(map)) {
      if (typeof inner !== "string") {
        problems.push({
          // A mapping here is usually an unrendered template (`{{ .Values.x }}` parses as one): say what it is,
          // never "[object Object]".
          message:
            inner !== null && typeof inner === "object"
              ? `metadata.${field}.${key} must be a string, not ${Array.isArray(inner) ? "a list" : "a mapping"} (${JSON.stringify(inner)})`
              : `metadata.${field}.${key} must be a string (quote it: "${String(inner)}")`,
          path: ["metadata", field, key],
        });
      }
    }
  }
  return problems;
}

/**
 * Parses multi-document YAML or JSON into objects, expanding `kind: List` (and `*List` kinds with items) and skipping
 * empty documents. YAML 1.1 rules apply as in Kubernetes (`0644` is octal, `<<` merges). Throws a `ManifestError`
 * naming every problem with document index, line and column; nothing is returned unless all documents are valid.
 */
export function parseManifestsDetailed(text: string, opts: ParseOptions = {}): ParsedManifest[] {
  const fast = fastManifests(text, opts);
  if (fast) return fast;
  const lineCounter = new LineCounter();
  const docs = parseYamlDocuments(
    text,
    { version: "1.1", lineCounter, prettyErrors: false, uniqueKeys: true, merge: true },
    opts.aliasBudget ?? newAliasBudget(),
  );
  const problems: ManifestProblem[] = [];
  const results: ParsedManifest[] = [];
  const base = (documentIndex: number): Pick<ManifestProblem, "source" | "documentIndex"> => ({
    ...(opts.source ? { source: opts.source } : {}),
    documentIndex,
  });

  docs.forEach((doc, documentIndex) => {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const pos = error.linePos?.[0];
        problems.push({
          ...base(documentIndex),
          ...(pos ? { line: pos.line, column: pos.col } : positionOf(lineCounter, error.pos[0])),
          message: `invalid YAML: ${error.message.split("\n")[0]}`,
        });
      }
      return;
    }
    if (doc.contents === null) return;
    let value: unknown;
    try {
      const raw: unknown = doc.toJS({ maxAliasCount: 100 });
      value = usesAliases(doc) ? normalizedCopy(raw) : normalizeInPlace(raw);
    } catch (err) {
      problems.push({
        ...base(documentIndex),
        ...positionOf(lineCounter, nodeOffset(doc, [])),
        message: `invalid YAML: ${err instanceof Error ? err.message : String(err)}`,
      });
      return;
    }
    if (value === null || value === undefined) return;

    const items: { value: unknown; path: (string | number)[]; itemIndex?: number }[] = [];
    if (Array.isArray(value)) {
      value.forEach((item, itemIndex) => items.push({ value: item, path: [itemIndex], itemIndex }));
    } else if (isRecord(value) && isListKind(value)) {
      (value.items as unknown[]).forEach((item, itemIndex) =>
        items.push({ value: item, path: ["items", itemIndex], itemIndex }),
      );
    } else {
      items.push({ value, path: [] });
    }
    for (const item of items) {
      const itemProblems = objectProblems(item.value);
      const objectOffset = nodeOffset(doc, item.path);
      for (const problem of itemProblems) {
        const offset = nodeOffset(doc, [...item.path, ...problem.path]) ?? objectOffset;
        problems.push({
          ...base(documentIndex),
          ...(item.itemIndex === undefined ? {} : { itemIndex: item.itemIndex }),
          ...positionOf(lineCounter, offset),
          message: problem.message,
        });
      }
      if (itemProblems.length === 0) {
        results.push({
          object: item.value as KubeObject,
          ...(opts.source ? { source: opts.source } : {}),
          documentIndex,
          ...(item.itemIndex === undefined ? {} : { itemIndex: item.itemIndex }),
          line: positionOf(lineCounter, objectOffset).line ?? 1,
        });
      }
    }
  });

  problems.push(...duplicateProblems(results));
  if (problems.length > 0) throw new ManifestError(problems);
  return results;
}

/**
 * The same result from ./fast-yaml.ts's reader, when it reads the whole text and every object is valid; otherwise
 * undefined, and the `yaml` path above reads it again to report what it finds where. No aliases are accepted there,
 * so nothing is charged to the alias budget.
 */
function fastManifests(text: string, opts: ParseOptions): ParsedManifest[] | undefined {
  const docs = fastParseDocuments(text);
  if (!docs) return undefined;
  const results: ParsedManifest[] = [];
  for (let documentIndex = 0; documentIndex < docs.length; documentIndex++) {
    const doc = docs[documentIndex] as FastDocument;
    const value = normalizeInPlace(doc.value);
    if (value === null || value === undefined) continue;
    const items: { value: unknown; line: number | undefined; itemIndex?: number }[] = [];
    if (Array.isArray(value))
      value.forEach((item, i) => items.push({ value: item, line: doc.itemLines[i], itemIndex: i }));
    else if (isRecord(value) && isListKind(value))
      (value.items as unknown[]).forEach((item, i) =>
        items.push({ value: item, line: doc.itemLines[i], itemIndex: i }),
      );
    else items.push({ value, line: doc.line });
    for (const item of items) {
      if (item.line === undefined || objectProblems(item.value).length > 0) return undefined;
      results.push({
        object: item.value as KubeObject,
        ...(opts.source ? { source: opts.source } : {}),
        documentIndex,
        ...(item.itemIndex === undefined ? {} : { itemIndex: item.itemIndex }),
        line: item.line,
      });
    }
  }
  return duplicateProblems(results).length > 0 ? undefined : results;
}

function duplicateProblems(manifests: ParsedManifest[]): ManifestProblem[] {
  const seen = new Map<string, ParsedManifest>();
  const problems: ManifestProblem[] = [];
  for (const manifest of manifests) {
    const { object } = manifest;
    const key = refKey({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    });
    const first = seen.get(key);
    if (first) {
      problems.push({
        ...(manifest.source ? { source: manifest.source } : {}),
        documentIndex: manifest.documentIndex,
        ...(manifest.itemIndex === undefined ? {} : { itemIndex: manifest.itemIndex }),
        line: manifest.line,
        message: `duplicate ${object.kind} ${object.metadata.name}: already defined in ${
          first.source && first.source !== manifest.source ? `${first.source} ` : ""
        }document ${first.documentIndex + 1}`,
      });
    } else {
      seen.set(key, manifest);
    }
  }
  return problems;
}

/** Parses manifests to plain objects; see `parseManifestsDetailed`. */
export function parseManifests(text: string, opts: ParseOptions = {}): KubeObject[] {
  return parseManifestsDetailed(text, opts).map((m) => m.object);
}

/**
 * Parses several files as one set (e.g. a repository path): problems from all files are collected before throwing,
 * and an object defined in two files is reported as a duplicate.
 */
export function parseManifestFiles(files: { path: string; content: string }[]): ParsedManifest[] {
  const problems: ManifestProblem[] = [];
  const manifests: ParsedManifest[] = [];
  // One alias budget for the whole set: splitting an expansion over many files buys nothing.
  const aliasBudget = newAliasBudget();
  for (const file of files) {
    try {
      manifests.push(...parseManifestsDetailed(file.content, { source: file.path, aliasBudget }));
    } catch (err) {
      if (err instanceof ManifestError) problems.push(...err.problems);
      else throw err;
    }
  }
  problems.push(...duplicateProblems(manifests));
  if (problems.length > 0) throw new ManifestError(problems);
  return manifests;
}

/** Checks objects handed over directly (not parsed from text); throws a ManifestError listing every problem. */
export function validateObjects(objects: unknown[]): KubeObject[] {
  const problems: ManifestProblem[] = [];
  objects.forEach((object, documentIndex) => {
    for (const problem of objectProblems(object)) problems.push({ documentIndex, message: problem.message });
  });
  const valid = problems.length === 0 ? (objects as KubeObject[]) : [];
  problems.push(...duplicateProblems(valid.map((object, documentIndex) => ({ object, documentIndex, line: 1 }))));
  if (problems.length > 0) throw new ManifestError(problems);
  return valid;
}

/**
 * API groups that are part of Kubernetes itself. Anything else is a custom resource, applied last — including groups
 * that merely look official, such as gateway.networking.k8s.io, which is installed as CRDs.
 */
export const BUILT_IN_GROUPS = new Set([
  "",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "apps",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
]);

/**
 * Apply phases, in order. Objects in one phase do not depend on each other and are applied concurrently; a phase
 * starts when the previous one has finished. Entries are `group/Kind` ("Kind" alone for the core group).
 */
const PHASES: { name: string; kinds: string[] }[] = [
  { name: "namespaces", kinds: ["Namespace"] },
  { name: "custom resource definitions", kinds: ["apiextensions.k8s.io/CustomResourceDefinition"] },
  {
    name: "cluster and namespace policy",
    kinds: [
      "scheduling.k8s.io/PriorityClass",
      "storage.k8s.io/StorageClass",
      "networking.k8s.io/IngressClass",
      "node.k8s.io/RuntimeClass",
      "ResourceQuota",
      "LimitRange",
    ],
  },
  {
    name: "service accounts and roles",
    kinds: ["ServiceAccount", "rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/Role"],
  },
  {
    name: "role bindings",
    kinds: ["rbac.authorization.k8s.io/ClusterRoleBinding", "rbac.authorization.k8s.io/RoleBinding"],
  },
  {
    name: "configuration and storage",
    kinds: ["Secret", "ConfigMap", "PersistentVolume", "PersistentVolumeClaim"],
  },
  { name: "services", kinds: ["Service", "Endpoints", "discovery.k8s.io/EndpointSlice"] },
  {
    name: "workloads",
    kinds: [
      "apps/DaemonSet",
      "Pod",
      "ReplicationController",
      "apps/ReplicaSet",
      "apps/Deployment",
      "apps/StatefulSet",
      "batch/Job",
      "batch/CronJob",
    ],
  },
  { name: "other resources", kinds: [] },
  { name: "custom resources", kinds: [] },
];

const OTHER_PHASE = PHASES.length - 2;
const CUSTOM_PHASE = PHASES.length - 1;

function kindKey(obj: { apiVersion: string; kind: string }): string {
  const group = groupOf(obj.apiVersion);
  return group ? `${group}/${obj.kind}` : obj.kind;
}

const PHASE_OF = new Map<string, { phase: number; rank: number }>();
PHASES.forEach((phase, index) => phase.kinds.forEach((kind, rank) => PHASE_OF.set(kind, { phase: index, rank })));

/** Phase index (0 = first) and rank within the phase for an object's kind. */
export function phaseOf(obj: { apiVersion: string; kind: string }): { phase: number; rank: number } {
  const known = PHASE_OF.get(kindKey(obj));
  if (known) return known;
  return { phase: BUILT_IN_GROUPS.has(groupOf(obj.apiVersion)) ? OTHER_PHASE : CUSTOM_PHASE, rank: 0 };
}

/** Objects grouped into apply phases (empty phases omitted), each phase in a stable, readable order. */
export function applyPhases<T extends { apiVersion: string; kind: string }>(
  objects: T[],
): { name: string; objects: T[] }[] {
  const ordered = sortForApply(objects);
  const phases: { name: string; objects: T[] }[] = [];
  let current = -1;
  for (const obj of ordered) {
    const { phase } = phaseOf(obj);
    if (phase !== current) {
      phases.push({ name: PHASES[phase]?.name ?? "other resources", objects: [] });
      current = phase;
    }
    phases[phases.length - 1]?.objects.push(obj);
  }
  return phases;
}

/**
 * Orders objects the way Helm and Argo CD do: Namespaces, CRDs, policy, ServiceAccounts and RBAC, config and
 * storage, Services, workloads, other built-ins, then custom resources. Stable within a kind.
 */
export function sortForApply<T extends { apiVersion: string; kind: string }>(objects: T[]): T[] {
  return objects
    .map((obj, index) => ({ obj, index, ...phaseOf(obj) }))
    .sort((a, b) => a.phase - b.phase || a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.obj);
}

/** Reverse of apply order: custom resources first, Namespaces (and CRDs) last, so nothing is orphaned mid-way. */
export function sortForDelete<T extends { apiVersion: string; kind: string }>(objects: T[]): T[] {
  return sortForApply(objects).reverse();
}
