/**
 * Server-side apply and managed-fields bookkeeping, modelled on sigs.k8s.io/structured-merge-diff: field sets per
 * manager, conflicts on fields another manager owns whose value would change, and removal of fields a manager stops
 * applying when nobody else owns them.
 */
import { StatusError, badRequest } from "./errors";
import { FieldSet, pathToString } from "./fieldset";
import type { KObject, ManagedFieldsEntry } from "./store";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: unknown };

export type ListType = { type: "atomic" } | { type: "set" } | { type: "map"; keys: string[] };

/** How lists and maps at a given path merge. Paths are field names, with `[]` for a list item. */
export interface MergeSchema {
  listType(path: readonly string[]): ListType;
  atomicMap(path: readonly string[], value: JsonObject): boolean;
}

const ATOMIC: ListType = { type: "atomic" };
const SELECTOR_FIELDS = new Set([
  "selector",
  "podSelector",
  "namespaceSelector",
  "labelSelector",
  "objectSelector",
  "nodeSelectorTerms",
]);
const ATOMIC_STRUCTS = new Set([
  "fieldRef",
  "resourceFieldRef",
  "configMapKeyRef",
  "secretKeyRef",
  "configMapRef",
  "secretRef",
  "matchLabelKeys",
]);

function metadataListType(path: readonly string[]): ListType | undefined {
  if (path.length === 2 && path[0] === "metadata") {
    if (path[1] === "finalizers") return { type: "set" };
    if (path[1] === "ownerReferences") return { type: "map", keys: ["uid"] };
  }
  return undefined;
}

/** List and map semantics of the built-in types, keyed by field names (the merge keys of the Kubernetes API). */
export function builtinSchema(kind: string): MergeSchema {
  return {
    listType(path) {
      const meta = metadataListType(path);
      if (meta) return meta;
      const last = path[path.length - 1];
      const parent = path[path.length - 3];
      switch (last) {
        case "containers":
        case "initContainers":
        case "ephemeralContainers":
        case "env":
        case "volumes":
        case "imagePullSecrets":
        case "resourceClaims":
        case "schedulingGates":
        case "webhooks":
          return { type: "map", keys: ["name"] };
        case "volumeMounts":
          return { type: "map", keys: ["mountPath"] };
        case "volumeDevices":
          return { type: "map", keys: ["devicePath"] };
        case "hostAliases":
          return { type: "map", keys: ["ip"] };
        case "conditions":
          return { type: "map", keys: ["type"] };
        case "topologySpreadConstraints":
          return { type: "map", keys: ["topologyKey", "whenUnsatisfiable"] };
        case "ports":
          if (parent === "containers" || parent === "initContainers" || parent === "ephemeralContainers") {
            return { type: "map", keys: ["containerPort", "protocol"] };
          }
          if (kind === "Service" && path.length === 2 && path[0] === "spec")
            return { type: "map", keys: ["port", "protocol"] };
          return ATOMIC;
        default:
          return ATOMIC;
      }
    },
    atomicMap(path, value) {
      const last = path[path.length - 1] ?? "";
      if (ATOMIC_STRUCTS.has(last)) return true;
      if (!SELECTOR_FIELDS.has(last)) return false;
      if ((kind === "Service" || kind === "ReplicationController") && path.length === 2 && path[0] === "spec")
        return false;
      return Object.keys(value).every((k) => k === "matchLabels" || k === "matchExpressions");
    },
  };
}

/** List and map semantics from a CRD's structural schema (`x-kubernetes-list-type`, `x-kubernetes-map-type`). */
export function crdSchema(root: unknown): MergeSchema {
  const builtin = builtinSchema("");
  const at = (path: readonly string[]): Record<string, unknown> | undefined => {
    let cur = root as Record<string, unknown> | undefined;
    for (const seg of path) {
      if (!cur) return undefined;
      if (seg === "[]") cur = cur.items as Record<string, unknown> | undefined;
      else {
        const props = cur.properties as Record<string, Record<string, unknown>> | undefined;
        cur =
          props?.[seg] ??
          (typeof cur.additionalProperties === "object"
            ? (cur.additionalProperties as Record<string, unknown>)
            : undefined);
      }
    }
    return cur;
  };
  return {
    listType(path) {
      if (path[0] === "metadata") return builtin.listType(path);
      const s = at(path);
      const t = s?.["x-kubernetes-list-type"];
      if (t === "set") return { type: "set" };
      if (t === "map" && Array.isArray(s?.["x-kubernetes-list-map-keys"])) {
        return { type: "map", keys: (s["x-kubernetes-list-map-keys"] as unknown[]).map(String) };
      }
      return ATOMIC;
    },
    atomicMap(path) {
      if (path[0] === "metadata") return false;
      const s = at(path);
      return s?.["x-kubernetes-map-type"] === "atomic";
    },
  };
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Key of an associative-list item; `protocol` defaults to TCP as the API server's defaulting does before SSA. */
export function itemKey(item: unknown, keys: string[]): string | undefined {
  if (!isObject(item)) return undefined;
  const key: Record<string, unknown> = {};
  for (const k of [...keys].sort()) {
    let v = item[k];
    if (v === undefined && k === "protocol") v = "TCP";
    if (v === undefined) {
      if (keys.length === 1) return undefined;
      continue;
    }
    key[k] = v;
  }
  return `k:${JSON.stringify(key)}`;
}

function describeList(path: readonly string[]): string {
  return `.${path.filter((p) => p !== "[]").join(".")}`;
}

function checkedKey(item: unknown, keys: string[], path: readonly string[], index: number): string {
  const k = itemKey(item, keys);
  if (!k) {
    throw new StatusError(
      500,
      "InternalError",
      `failed to create typed patch object: ${describeList(path)}: element ${index}: associative list with keys has an element that omits key field "${keys[0]}" (and doesn't have default value)`,
    );
  }
  return k;
}

function isLeafValue(v: unknown): boolean {
  return !isObject(v) && !Array.isArray(v);
}

/** The set of fields an applied configuration specifies (ToFieldSet in structured-merge-diff). */
export function toFieldSet(obj: JsonObject, schema: MergeSchema): FieldSet {
  const set = new FieldSet();
  walkMapToSet(obj, [], set, schema);
  return set;
}

function walkMapToSet(obj: JsonObject, path: string[], set: FieldSet, schema: MergeSchema): void {
  for (const [k, v] of Object.entries(obj)) {
    const childPath = [...path, k];
    const node = set.child(`f:${k}`);
    walkValueToSet(v, childPath, node, schema);
  }
}

function walkValueToSet(v: unknown, path: string[], node: FieldSet, schema: MergeSchema): void {
  if (isLeafValue(v)) {
    node.member = true;
  } else if (isObject(v)) {
    if (Object.keys(v).length === 0 || schema.atomicMap(path, v)) node.member = true;
    else walkMapToSet(v, path, node, schema);
  } else if (Array.isArray(v)) {
    const lt = schema.listType(path);
    if (v.length === 0 || lt.type === "atomic") {
      node.member = true;
      return;
    }
    v.forEach((item, i) => {
      if (lt.type === "set") {
        node.child(`v:${JSON.stringify(item)}`).member = true;
      } else if (lt.type === "map") {
        const itemNode = node.child(checkedKey(item, lt.keys, path, i));
        itemNode.member = true;
        if (isObject(item)) walkMapToSet(item, [...path, "[]"], itemNode, schema);
      }
    });
  }
}

function findItem(list: unknown[], pe: string, lt: ListType): number {
  if (lt.type === "map") return list.findIndex((item) => itemKey(item, lt.keys) === pe);
  if (lt.type === "set") return list.findIndex((item) => `v:${JSON.stringify(item)}` === pe);
  return -1;
}

/**
 * Fields added or modified between two objects (Comparison.Added ∪ Modified). Newly created maps and list items are
 * members themselves, which is where the `.` entries of Update managers come from.
 */
export function changedFieldSet(oldObj: JsonObject | undefined, newObj: JsonObject, schema: MergeSchema): FieldSet {
  const set = new FieldSet();
  diffMap(oldObj, newObj, [], set, schema, true);
  return set;
}

function diffMap(
  oldObj: JsonObject | undefined,
  newObj: JsonObject,
  path: string[],
  set: FieldSet,
  schema: MergeSchema,
  root: boolean,
): void {
  for (const [k, v] of Object.entries(newObj)) {
    const o = oldObj?.[k];
    if (o !== undefined && deepEqual(o, v)) continue;
    const node = set.child(`f:${k}`);
    diffValue(o, v, [...path, k], node, schema, root);
  }
}

function diffValue(
  o: unknown,
  v: unknown,
  path: string[],
  node: FieldSet,
  schema: MergeSchema,
  parentIsRoot: boolean,
): void {
  if (isLeafValue(v)) {
    node.member = true;
  } else if (isObject(v)) {
    if (Object.keys(v).length === 0 || schema.atomicMap(path, v)) {
      node.member = true;
      return;
    }
    const existed = isObject(o);
    if (!existed && !parentIsRoot) node.member = true;
    diffMap(existed ? o : undefined, v, path, node, schema, false);
  } else if (Array.isArray(v)) {
    const lt = schema.listType(path);
    if (v.length === 0 || lt.type === "atomic") {
      node.member = true;
      return;
    }
    const oldList = Array.isArray(o) ? o : [];
    v.forEach((item, i) => {
      if (lt.type === "set") {
        const pe = `v:${JSON.stringify(item)}`;
        if (findItem(oldList, pe, lt) < 0) node.child(pe).member = true;
      } else if (lt.type === "map") {
        const pe = itemKey(item, lt.keys) ?? `i:${i}`;
        const idx = findItem(oldList, pe, lt);
        const oldItem = idx >= 0 ? oldList[idx] : undefined;
        if (oldItem !== undefined && deepEqual(oldItem, item)) return;
        const itemNode = node.child(pe);
        if (oldItem === undefined) itemNode.member = true;
        if (isObject(item))
          diffMap(isObject(oldItem) ? oldItem : undefined, item, [...path, "[]"], itemNode, schema, false);
        else itemNode.member = true;
      }
    });
  }
}

/** Keeps only the paths that still exist in the object (drops fields that were removed). */
export function retainExisting(set: FieldSet, obj: JsonObject, schema: MergeSchema): FieldSet {
  const out = new FieldSet();
  out.member = set.member;
  retainIn(set, obj, [], out, schema);
  return out;
}

function retainIn(set: FieldSet, value: unknown, path: string[], out: FieldSet, schema: MergeSchema): void {
  for (const [pe, child] of set.children) {
    const next = stepInto(value, pe, path, schema);
    if (!next) continue;
    const o = new FieldSet();
    o.member = child.member;
    retainIn(child, next.value, next.path, o, schema);
    if (!o.empty) out.children.set(pe, o);
  }
}

function stepInto(
  value: unknown,
  pe: string,
  path: string[],
  schema: MergeSchema,
): { value: unknown; path: string[] } | undefined {
  if (pe.startsWith("f:")) {
    if (!isObject(value)) return undefined;
    const name = pe.slice(2);
    if (!(name in value)) return undefined;
    return { value: value[name], path: [...path, name] };
  }
  if (!Array.isArray(value)) return undefined;
  if (pe.startsWith("i:")) {
    const idx = Number(pe.slice(2));
    return idx < value.length ? { value: value[idx], path: [...path, "[]"] } : undefined;
  }
  const idx = findItem(value, pe, schema.listType(path));
  return idx >= 0 ? { value: value[idx], path: [...path, "[]"] } : undefined;
}

/** Value at a field path, or undefined when absent. */
function valueAt(obj: unknown, fieldPath: string[], schema: MergeSchema): unknown {
  let cur: unknown = obj;
  let path: string[] = [];
  for (const pe of fieldPath) {
    const next = stepInto(cur, pe, path, schema);
    if (!next) return undefined;
    cur = next.value;
    path = next.path;
  }
  return cur;
}

/** Removes a path from an object (in place) and prunes maps and lists the removal left empty. */
function removePath(obj: JsonObject, fieldPath: string[], schema: MergeSchema): void {
  const parents: Array<{ container: unknown; pe: string; path: string[] }> = [];
  let cur: unknown = obj;
  let path: string[] = [];
  for (const pe of fieldPath) {
    parents.push({ container: cur, pe, path });
    const next = stepInto(cur, pe, path, schema);
    if (!next) return;
    cur = next.value;
    path = next.path;
  }
  for (let i = parents.length - 1; i >= 0; i--) {
    const p = parents[i];
    if (!p) break;
    const { container, pe } = p;
    if (isObject(container) && pe.startsWith("f:")) delete container[pe.slice(2)];
    else if (Array.isArray(container)) {
      const idx = pe.startsWith("i:") ? Number(pe.slice(2)) : findItem(container, pe, schema.listType(p.path));
      if (idx >= 0) container.splice(idx, 1);
    }
    // Walk up only while the removal emptied the parent (Go's omitempty drops empty maps and slices); keep
    // top-level fields such as spec.
    if (i <= 1) break;
    const isEmpty = isObject(container)
      ? Object.keys(container).length === 0
      : Array.isArray(container) && container.length === 0;
    if (!isEmpty) break;
  }
}

/** Merges an applied configuration into the live object (Merge in structured-merge-diff). */
export function mergeApplied(live: unknown, config: unknown, path: string[], schema: MergeSchema): unknown {
  if (isObject(config) && isObject(live) && !schema.atomicMap(path, config)) {
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(config)) {
      if (v === null) {
        delete out[k];
        continue;
      }
      out[k] = mergeApplied(live[k], v, [...path, k], schema);
    }
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const lt = schema.listType(path);
    if (lt.type === "map") {
      const out = [...live];
      config.forEach((item, i) => {
        const pe = checkedKey(item, lt.keys, path, i);
        const idx = findItem(out, pe, lt);
        if (idx >= 0) out[idx] = mergeApplied(out[idx], item, [...path, "[]"], schema);
        else out.push(structuredClone(item));
      });
      return out;
    }
    if (lt.type === "set") {
      const out = [...live];
      for (const item of config) if (!out.some((x) => deepEqual(x, item))) out.push(item);
      return out;
    }
  }
  return structuredClone(config);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  for (const k of ak) {
    if (!(k in bo) || !deepEqual(ao[k], bo[k])) return false;
  }
  return true;
}

/** Fields the API server never tracks ownership of. */
const SERVER_FIELDS = [
  "name",
  "namespace",
  "creationTimestamp",
  "selfLink",
  "uid",
  "generation",
  "managedFields",
  "resourceVersion",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
];

/** Ownership on the main resource excludes status (reset by the strategy), on /status everything but status. */
export function stripServerFields(
  set: FieldSet,
  subresource: string | undefined,
  hasStatusSubresource: boolean,
): FieldSet {
  set.children.delete("f:apiVersion");
  set.children.delete("f:kind");
  const meta = set.children.get("f:metadata");
  if (meta) {
    for (const f of SERVER_FIELDS) meta.children.delete(`f:${f}`);
    if (meta.children.size === 0) set.children.delete("f:metadata");
  }
  if (subresource === "status") {
    for (const k of [...set.children.keys()]) if (k !== "f:status" && k !== "f:metadata") set.children.delete(k);
  } else if (hasStatusSubresource) {
    set.children.delete("f:status");
  }
  return set;
}

interface ManagerEntry {
  manager: string;
  operation: "Apply" | "Update";
  subresource: string | undefined;
  apiVersion: string;
  time: string | undefined;
  set: FieldSet;
  changed: boolean;
}

function entryId(e: { manager: string; operation: string; subresource?: string | undefined }): string {
  return JSON.stringify([e.manager, e.operation, e.subresource ?? ""]);
}

function readEntries(obj: KObject | undefined): ManagerEntry[] {
  return (obj?.metadata.managedFields ?? []).map((e) => ({
    manager: e.manager,
    operation: e.operation,
    subresource: e.subresource,
    apiVersion: e.apiVersion,
    time: e.time,
    set: FieldSet.fromFieldsV1(e.fieldsV1),
    changed: false,
  }));
}

function writeEntries(entries: ManagerEntry[], now: string): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (e.set.empty) continue;
    const entry: ManagedFieldsEntry = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.changed || !e.time ? now : e.time,
      fieldsType: "FieldsV1",
      fieldsV1: e.set.toFieldsV1(),
    };
    if (e.subresource) entry.subresource = e.subresource;
    out.push(entry);
  }
  return out;
}

function printManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === "Update") s += ` using ${e.apiVersion}`;
  return s;
}

function conflictError(conflicts: Array<{ entry: ManagerEntry; path: string[] }>): StatusError {
  const causes = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.entry)}`,
    field: pathToString(c.path),
  }));
  let message: string;
  const first = conflicts[0];
  if (conflicts.length === 1 && first) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(first.entry)}: ${pathToString(first.path)}`;
  } else {
    const byManager = new Map<string, { entry: ManagerEntry; paths: string[][] }>();
    for (const c of conflicts) {
      const id = entryId(c.entry);
      const g = byManager.get(id) ?? { entry: c.entry, paths: [] };
      g.paths.push(c.path);
      byManager.set(id, g);
    }
    const lines: string[] = [];
    for (const id of [...byManager.keys()].sort()) {
      const g = byManager.get(id);
      if (!g) continue;
      lines.push(`conflicts with ${printManager(g.entry)}:`);
      for (const p of g.paths) lines.push(`- ${pathToString(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new StatusError(409, "Conflict", message, { causes });
}

export interface ManagedWrite {
  manager: string;
  apiVersion: string;
  subresource: string | undefined;
  hasStatusSubresource: boolean;
  schema: MergeSchema;
  now: string;
}

/**
 * Records an Update-operation write: the manager takes ownership of every field it added or changed (others lose those
 * leaves) and removed fields leave every set.
 */
export function recordUpdate(live: KObject | undefined, updated: KObject, w: ManagedWrite): ManagedFieldsEntry[] {
  const entries = readEntries(live);
  const strip = (s: FieldSet) => stripServerFields(s, w.subresource, w.hasStatusSubresource);
  const changed = strip(changedFieldSet(live as JsonObject | undefined, updated as JsonObject, w.schema));
  const changedLeaves = changed.leaves();
  for (const e of entries) {
    const before = e.set;
    let next = retainExisting(before, updated as JsonObject, w.schema);
    if (!(e.manager === w.manager && e.operation === "Update" && e.subresource === w.subresource))
      next = next.difference(changedLeaves);
    if (!next.equals(before)) e.changed = true;
    e.set = next;
  }
  const id = entryId({ manager: w.manager, operation: "Update", subresource: w.subresource });
  let mine = entries.find((e) => entryId(e) === id);
  if (!changed.empty) {
    if (!mine) {
      mine = {
        manager: w.manager,
        operation: "Update",
        subresource: w.subresource,
        apiVersion: w.apiVersion,
        time: undefined,
        set: new FieldSet(),
        changed: true,
      };
      entries.push(mine);
    }
    mine.set = mine.set.union(changed);
    mine.apiVersion = w.apiVersion;
    mine.changed = true;
  }
  return writeEntries(entries, w.now);
}

/** Result of a server-side apply: the new object (without metadata bookkeeping) and its managedFields. */
export interface ApplyResult {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of `config` onto `live` by one manager. Throws a 409 Conflict Status when another manager owns a
 * field whose value would change, unless `force` moves ownership.
 */
export function applyConfig(
  live: KObject | undefined,
  config: JsonObject,
  w: ManagedWrite & { force: boolean },
): ApplyResult {
  const strip = (s: FieldSet) => stripServerFields(s, w.subresource, w.hasStatusSubresource);
  const entries = readEntries(live);
  const id = entryId({ manager: w.manager, operation: "Apply", subresource: w.subresource });
  const mine = entries.find((e) => entryId(e) === id);
  const lastSet = mine?.set ?? new FieldSet();
  const appliedSet = strip(toFieldSet(config, w.schema));
  const base: JsonObject = live ? (structuredClone(live) as JsonObject) : {};
  const merged = mergeApplied(base, config, [], w.schema) as JsonObject;

  // Fields this manager applied before but no longer does go away unless someone else still owns them.
  const others = entries.filter((e) => entryId(e) !== id);
  const removed = lastSet.difference(appliedSet);
  pruneRemoved(removed, [], merged, others, appliedSet, w.schema);

  // Conflicts: fields owned by others whose value changes.
  const changed = strip(changedFieldSet(live as JsonObject | undefined, merged, w.schema));
  const conflicts: Array<{ entry: ManagerEntry; path: string[] }> = [];
  for (const e of others) {
    const overlap = e.set.intersection(changed).leaves();
    for (const p of overlap.paths()) {
      const before = valueAt(live, p, w.schema);
      const after = valueAt(merged, p, w.schema);
      if (before !== undefined && !deepEqual(before, after)) conflicts.push({ entry: e, path: p });
    }
  }
  if (conflicts.length > 0 && !w.force) throw conflictError(conflicts);
  const changedLeaves = changed.leaves();
  for (const e of others) {
    let next = retainExisting(e.set, merged, w.schema);
    if (w.force) next = next.difference(changedLeaves.intersection(appliedSet));
    if (!next.equals(e.set)) e.changed = true;
    e.set = next;
  }
  if (mine) {
    if (!mine.set.equals(appliedSet) || mine.apiVersion !== w.apiVersion) mine.changed = true;
    mine.set = appliedSet;
    mine.apiVersion = w.apiVersion;
  } else {
    entries.push({
      manager: w.manager,
      operation: "Apply",
      subresource: w.subresource,
      apiVersion: w.apiVersion,
      time: undefined,
      set: appliedSet,
      changed: true,
    });
  }
  return { object: merged, managedFields: writeEntries(entries, w.now) };
}

function pruneRemoved(
  removed: FieldSet,
  prefix: string[],
  obj: JsonObject,
  others: ManagerEntry[],
  applied: FieldSet,
  schema: MergeSchema,
): void {
  for (const [pe, child] of removed.children) {
    const path = [...prefix, pe];
    const stillOwned = applied.hasPrefix(path) || others.some((e) => e.set.hasPrefix(path));
    if (child.member && !stillOwned) {
      removePath(obj, path, schema);
      continue;
    }
    pruneRemoved(child, path, obj, others, applied, schema);
  }
}

/** Validates the managedFields a client sent; clearing them (`[]`) resets ownership as in the real server. */
export function normaliseClientManagedFields(raw: unknown): ManagedFieldsEntry[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw badRequest("metadata.managedFields must be a list");
  return raw as ManagedFieldsEntry[];
}

export type { Json };
