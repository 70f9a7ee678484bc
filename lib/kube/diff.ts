import { applySetId, describeOwner, ownedElsewhereError, ownershipOf, type ApplySetRef } from "./applyset";
import type { KubeClient } from "./client";
import { mapConcurrent } from "./concurrency";
import { KubeError, toKubeError } from "./errors";
import { crdServedKinds, namespacesCreatedBy, withWharfLabels } from "./objects";
import { sortForApply, validateObjects } from "./manifests";
import { findPruneCandidates } from "./prune";
import { fieldOwner, type FieldOwner, type PathSegment } from "./field-owners";
import { collectionKey, groupByCollection, groupOf, isRecord, refOf, type KubeObject, type ObjectRef } from "./types";

/** One field difference between live and desired state. `path` reads like `spec.template.spec.containers[name=web].image`. */
export interface FieldChange {
  path: string;
  op: "add" | "change" | "remove";
  old?: unknown;
  new?: unknown;
  /**
   * The other field manager that owns the live field (from metadata.managedFields), when the diff was asked to
   * attribute changes (`DiffOptions.attribute`): who made the live value differ from ours, e.g. `kubectl-edit`.
   */
  owner?: FieldOwner;
}

export type DiffAction = "create" | "change" | "unchanged" | "prune" | "error";

export interface ObjectDiff {
  ref: ObjectRef;
  action: DiffAction;
  changes: FieldChange[];
  /** A note (e.g. why an object could not be validated) or, for errors, the server's message. */
  message?: string;
  error?: KubeError;
  /**
   * The live object as this diff read it, `null` when it did not exist; absent when it was not read. An apply right
   * after may start from it (ApplyOptions.observed) instead of reading it again.
   */
  live?: KubeObject | null;
}

export interface DiffReport {
  objects: ObjectDiff[];
  counts: Record<DiffAction, number>;
  /** Leftovers a prune would not delete, and why. */
  pruneRetained: { ref: ObjectRef; reason: string }[];
}

export interface DiffOptions {
  fieldManager: string;
  force?: boolean;
  /** Label objects as apply would (so the diff matches what apply will do). Legacy: see `applySet`. */
  inventoryId?: string;
  /**
   * Label objects as an apply to this ApplySet would, show an object another application owns as the error the apply
   * will refuse it with, and (with `prune`) list the set's members the prune would delete.
   */
  applySet?: ApplySetRef;
  /** Also list what a prune would delete (`inventoryId` is needed without `applySet`). */
  prune?: { inventoryId?: string; previous?: ObjectRef[]; allowCascadingDeletes?: boolean };
  concurrency?: number;
  /**
   * Name, for each changed field, the field manager other than `fieldManager` that owns its live value (the drift's
   * author, e.g. `kubectl-edit` or an HPA), read from the live object's managedFields.
   */
  attribute?: boolean;
}

/** Metadata the server owns; never part of a diff. */
const SERVER_METADATA = [
  "managedFields",
  "resourceVersion",
  "uid",
  "generation",
  "creationTimestamp",
  "selfLink",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
];
/** Annotations written by clients and controllers as bookkeeping, not configuration. */
const BOOKKEEPING_ANNOTATIONS = [
  "kubectl.kubernetes.io/last-applied-configuration",
  "deployment.kubernetes.io/revision",
];

/** Strips status and server-set metadata so only configuration is compared. */
export function comparable(obj: KubeObject): Record<string, unknown> {
  return stripped(structuredClone(obj));
}

/**
 * `comparable` without the deep copy, for comparisons that only read the result: just the top level, metadata and
 * its annotations are copied (they lose keys); everything else is shared with `obj`. The apply compares every object
 * it writes with what it read (sameState), and cloning both — managedFields and all — cost ~0.4 ms a Deployment.
 */
function stripped(obj: KubeObject): Record<string, unknown> {
  const copy = { ...obj } as Record<string, unknown> & KubeObject;
  delete copy.status;
  const metadata: Record<string, unknown> = { ...copy.metadata };
  for (const field of SERVER_METADATA) delete metadata[field];
  if (isRecord(metadata.annotations)) {
    const annotations = { ...metadata.annotations };
    for (const key of BOOKKEEPING_ANNOTATIONS) delete annotations[key];
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
    else metadata.annotations = annotations;
  }
  copy.metadata = metadata as KubeObject["metadata"];
  return copy;
}

/** Whether two versions of an object carry the same configuration (ignoring status and server-set metadata). */
export function sameConfiguration(a: KubeObject, b: KubeObject): boolean {
  return equal(stripped(a), stripped(b));
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function joinKey(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/** Keys that identify list items the way Kubernetes merges them (containers, env, ports, volumes, mounts…). */
const LIST_ITEM_KEYS = ["name", "mountPath", "containerPort", "devicePath", "ip", "topologyKey", "type"];

function listKey(a: unknown[], b: unknown[]): string | undefined {
  const items = [...a, ...b];
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  for (const key of LIST_ITEM_KEYS) {
    const unique = (list: unknown[]) => {
      const values = list.map((item) => (item as Record<string, unknown>)[key]);
      return (
        values.every((v) => typeof v === "string" || typeof v === "number") && new Set(values).size === values.length
      );
    };
    if (unique(a) && unique(b)) return key;
  }
  return undefined;
}

function itemPath(base: string, key: string, value: unknown): string {
  return `${base}[${key}=${typeof value === "string" && /^[\w.\-/]+$/.test(value) ? value : JSON.stringify(value)}]`;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!equal(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/** A change with where it is as path elements, so it can be looked up in managedFields. */
type LocatedChange = FieldChange & { segments: PathSegment[] };

function walk(oldValue: unknown, newValue: unknown, path: string, segments: PathSegment[], out: LocatedChange[]): void {
  if (equal(oldValue, newValue)) return;
  if (oldValue === undefined) {
    out.push({ path, segments, op: "add", new: newValue });
    return;
  }
  if (newValue === undefined) {
    out.push({ path, segments, op: "remove", old: oldValue });
    return;
  }
  if (isRecord(oldValue) && isRecord(newValue)) {
    const keys = [...new Set([...Object.keys(oldValue), ...Object.keys(newValue)])].sort();
    for (const key of keys) walk(oldValue[key], newValue[key], joinKey(path, key), [...segments, { field: key }], out);
    return;
  }
  if (Array.isArray(oldValue) && Array.isArray(newValue)) {
    const key = listKey(oldValue, newValue);
    if (key) {
      const byKey = (list: unknown[]) => new Map(list.map((item) => [(item as Record<string, unknown>)[key], item]));
      const oldItems = byKey(oldValue);
      const newItems = byKey(newValue);
      // The live (old) item goes along so a compound merge key in managedFields can be matched against it.
      const at = (id: unknown): PathSegment[] => [...segments, { key, value: id, item: oldItems.get(id) }];
      for (const [id, item] of oldItems) walk(item, newItems.get(id), itemPath(path, key, id), at(id), out);
      for (const [id, item] of newItems)
        if (!oldItems.has(id)) walk(undefined, item, itemPath(path, key, id), at(id), out);
      return;
    }
    const length = Math.max(oldValue.length, newValue.length);
    for (let i = 0; i < length; i++) walk(oldValue[i], newValue[i], `${path}[${i}]`, [...segments, { index: i }], out);
    return;
  }
  out.push({ path, segments, op: "change", old: oldValue, new: newValue });
}

const REDACTED = "(sensitive value hidden)";

/** Secret values never leave the cluster through a diff: changes are shown, values are not. */
function redactSecretChanges(obj: { apiVersion: string; kind: string }, changes: FieldChange[]): FieldChange[] {
  if (obj.kind !== "Secret" || groupOf(obj.apiVersion) !== "") return changes;
  return changes.map((change) => {
    if (!/^(data|stringData)([.[]|$)/.test(change.path)) return change;
    const redacted: FieldChange = {
      path: change.path,
      op: change.op,
      ...(change.owner ? { owner: change.owner } : {}),
    };
    if (change.old !== undefined) redacted.old = REDACTED;
    if (change.new !== undefined) redacted.new = REDACTED;
    return redacted;
  });
}

/**
 * Field-level differences from `live` to `desired` (either may be undefined for create / delete), ignoring status and
 * server-set metadata. Lists of objects are matched by their merge key (name, mountPath, containerPort…), so a
 * changed image reads `spec.template.spec.containers[name=web].image`. Secret values are redacted. With
 * `attributeExcept` (our own field manager), each change names the other manager owning the live field, if any.
 */
export function diffObjects(
  live: KubeObject | undefined,
  desired: KubeObject | undefined,
  opts: { attributeExcept?: string } = {},
): FieldChange[] {
  const located: LocatedChange[] = [];
  // Creates and deletes are listed per top-level field (apiVersion, kind, metadata, spec…), not as one blob.
  walk(live ? comparable(live) : {}, desired ? comparable(desired) : {}, "", [], located);
  const changes = located.map(({ segments, ...change }): FieldChange => {
    if (live === undefined || opts.attributeExcept === undefined) return change;
    const owner = fieldOwner(live, segments, { except: opts.attributeExcept });
    return owner ? { ...change, owner } : change;
  });
  const sample = desired ?? live;
  return sample ? redactSecretChanges(sample, changes) : changes;
}

/**
 * How the diff reads live objects: one list per kind and namespace that LIST_FROM or more desired objects share,
 * instead of a GET each (a 200-object preview or plan re-check read 200 objects one by one). Bounded for a crowded
 * namespace: a list that does not fit one page of twice its desired objects — the namespace holds many others of that
 * kind — is dropped, and those objects are read one by one, as is everything a list could not serve (not allowed, not
 * served) and the few objects of small groups (an agent's drift check of a small application reads what it did).
 */
async function liveObjects(
  client: KubeClient,
  objects: KubeObject[],
  concurrency: number,
): Promise<(ref: ObjectRef) => Promise<KubeObject | undefined>> {
  const resolved: ObjectRef[] = [];
  for (const obj of objects) {
    const ref = await client.normalizeRef(refOf(obj)).then(
      (r) => r.ref,
      () => undefined,
    );
    if (ref) resolved.push(ref);
  }
  const listed = new Map<string, Map<string, KubeObject>>();
  await mapConcurrent(
    groupByCollection(resolved, (ref) => ref).filter((group) => group.members.length >= LIST_FROM),
    concurrency,
    async (group) => {
      try {
        const page = await client.listPage(group.apiVersion, group.kind, {
          ...(group.namespace ? { namespace: group.namespace } : {}),
          limit: group.members.length * 2,
        });
        if (page.complete) listed.set(group.key, new Map(page.items.map((item) => [item.metadata.name, item])));
      } catch {
        // Read one by one below; a failure that matters is reported per object there.
      }
    },
  );
  return (ref) => {
    const group = listed.get(collectionKey(ref));
    return group ? Promise.resolve(group.get(ref.name)) : client.get(ref);
  };
}

/** Desired objects of one kind and namespace from which a diff lists them rather than reading each. */
const LIST_FROM = 8;

function emptyCounts(): Record<DiffAction, number> {
  return { create: 0, change: 0, unchanged: 0, prune: 0, error: 0 };
}

/**
 * What applying `objects` would change: for each object, a server-side dry-run apply (so defaults, admission and
 * field ownership are the server's) compared with the live object. Objects in a namespace or of a CRD that this
 * same set creates cannot be dry-run yet; they are shown as creates with a note. With `prune`, also lists the
 * inventory's objects that would be deleted. Throws `KubeError` when the cluster is unreachable or refuses the
 * credential, so a preview can say so plainly instead of listing the same error per object.
 */
export async function diffManifests(client: KubeClient, objects: KubeObject[], opts: DiffOptions): Promise<DiffReport> {
  validateObjects(objects);
  const { applySet } = opts;
  const inventoryId = applySet ? undefined : (opts.prune?.inventoryId ?? opts.inventoryId);
  const prepared = sortForApply(
    objects.map((obj) => withWharfLabels(obj, inventoryId, applySet ? applySetId(applySet) : undefined)),
  );
  const crdKinds = crdServedKinds(prepared);
  const newNamespaces = namespacesCreatedBy(prepared);
  await client.preflight([...new Set(prepared.map((obj) => obj.apiVersion))]);

  const concurrency = opts.concurrency ?? 16;
  const liveOf = await liveObjects(client, prepared, concurrency);

  const diffs = await mapConcurrent(prepared, concurrency, async (obj): Promise<ObjectDiff> => {
    let ref = refOf(obj);
    const unvalidated = (message: string): ObjectDiff => ({
      ref,
      action: "create",
      changes: diffObjects(undefined, obj),
      message,
    });
    try {
      const resolved = await client.normalizeRef(ref);
      ref = resolved.ref;
      if (ref.namespace) obj.metadata.namespace = ref.namespace;
      else delete obj.metadata.namespace;
    } catch (err) {
      const crd = crdKinds.get(`${groupOf(obj.apiVersion)}/${obj.kind}`);
      if (crd && err instanceof KubeError && err.reason === "NoKindMatch") {
        return unvalidated(
          `not validated by the server: its CustomResourceDefinition ${crd.metadata.name} is created by this apply`,
        );
      }
      const error = toKubeError(err, { cluster: client.cluster, object: ref, operation: "diff" });
      return { ref, action: "error", changes: [], message: error.serverMessage, error };
    }
    try {
      const [live, dryRun] = await Promise.all([
        liveOf(ref),
        client
          .apply(obj, { fieldManager: opts.fieldManager, dryRun: true, ...(opts.force ? { force: true } : {}) })
          .catch((err: unknown) => err),
      ]);
      const read = { live: live ?? null };
      const ownership = live && applySet ? ownershipOf(live, applySet) : undefined;
      if (applySet && ownership?.owner === "other") {
        const error = ownedElsewhereError(client, ref, await describeOwner(client, ref, ownership, applySet));
        return { ref, action: "error", changes: [], message: error.serverMessage, error, ...read };
      }
      if (dryRun instanceof Error || !isRecord(dryRun)) {
        const error = toKubeError(dryRun, { cluster: client.cluster, object: ref, operation: "dry-run apply" });
        if (!live && ref.namespace && newNamespaces.has(ref.namespace) && error.code === 404) {
          return {
            ...unvalidated(`not validated by the server: namespace ${ref.namespace} is created by this apply`),
            ...read,
          };
        }
        return { ref, action: "error", changes: [], message: error.serverMessage, error, ...read };
      }
      const desired = (dryRun as { object: KubeObject }).object;
      const changes = diffObjects(live, desired, opts.attribute ? { attributeExcept: opts.fieldManager } : {});
      return { ref, action: !live ? "create" : changes.length > 0 ? "change" : "unchanged", changes, ...read };
    } catch (err) {
      const error = toKubeError(err, { cluster: client.cluster, object: ref, operation: "diff" });
      return { ref, action: "error", changes: [], message: error.serverMessage, error };
    }
  });

  let pruneRetained: DiffReport["pruneRetained"] = [];
  if (opts.prune && (applySet || inventoryId)) {
    const { candidates, retained } = await findPruneCandidates(client, {
      ...(applySet ? { applySet } : { inventoryId: inventoryId ?? "" }),
      keep: diffs.map((d) => d.ref),
      ...(opts.prune.previous ? { previous: opts.prune.previous } : {}),
      ...(opts.prune.allowCascadingDeletes ? { allowCascadingDeletes: true } : {}),
    });
    pruneRetained = retained;
    for (const obj of candidates)
      diffs.push({ ref: refOf(obj), action: "prune", changes: diffObjects(obj, undefined) });
  }
  const counts = emptyCounts();
  for (const diff of diffs) counts[diff.action]++;
  return { objects: diffs, counts, pruneRetained };
}
