import {
  applySetScope,
  applySetSelector,
  groupKindOf,
  isApplySetMember,
  parseGroupKind,
  preferredVersionOf,
  readApplySetParent,
  writeApplySetParent,
  type ApplySetParent,
  type ApplySetRef,
} from "./applyset";
import type { KubeClient } from "./client";
import { mapConcurrent } from "./concurrency";
import { KubeError } from "./errors";
import { sortForDelete } from "./manifests";
import {
  formatRef,
  INVENTORY_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  refKey,
  refOf,
  type KubeObject,
  type ObjectRef,
} from "./types";

/**
 * Kinds searched by inventory label in addition to the kinds of the current and previous sets (kubectl's default prune
 * allow-list plus the RBAC and networking kinds Wharf commonly applies).
 */
const LABEL_SEARCH_KINDS: { apiVersion: string; kind: string }[] = [
  { apiVersion: "v1", kind: "ConfigMap" },
  { apiVersion: "v1", kind: "Secret" },
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "v1", kind: "ServiceAccount" },
  { apiVersion: "v1", kind: "PersistentVolumeClaim" },
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "apps/v1", kind: "StatefulSet" },
  { apiVersion: "apps/v1", kind: "DaemonSet" },
  { apiVersion: "batch/v1", kind: "Job" },
  { apiVersion: "batch/v1", kind: "CronJob" },
  { apiVersion: "networking.k8s.io/v1", kind: "Ingress" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
];

/** Kinds whose deletion takes other people's objects with it (a Namespace's contents, a CRD's instances). */
const CASCADING_KINDS = new Set(["Namespace", "apiextensions.k8s.io/CustomResourceDefinition"]);

function isCascading(ref: ObjectRef): boolean {
  const group = ref.apiVersion.includes("/") ? ref.apiVersion.split("/")[0] : "";
  return CASCADING_KINDS.has(group ? `${group}/${ref.kind}` : ref.kind);
}

export interface PruneOptions {
  /** Only objects labelled with this inventory id (and managed-by wharf) are ever deleted. Legacy: see `applySet`. */
  inventoryId?: string;
  /**
   * Only members of this ApplySet (its `part-of` label, or its legacy inventory label) that are managed by Wharf are
   * ever deleted; they are searched over the group-kinds and namespaces its parent records plus those of `keep` and
   * `previous`. Replaces `inventoryId`.
   */
  applySet?: ApplySetRef;
  /** What the previous successful apply to this inventory applied. */
  previous?: ObjectRef[];
  /** The new desired set; never pruned. */
  keep: ObjectRef[];
  /** Namespaces to search by label in addition to those of `keep` and `previous`. */
  namespaces?: string[];
  dryRun?: boolean;
  /**
   * Namespaces and CRDs are retained unless this is set: deleting them deletes everything inside, including objects
   * Wharf did not create.
   */
  allowCascadingDeletes?: boolean;
  concurrency?: number;
  signal?: AbortSignal;
}

export interface PruneCandidates {
  /** Live objects that will be deleted. */
  candidates: KubeObject[];
  /** Leftovers that are not deleted, and why. */
  retained: { ref: ObjectRef; reason: string }[];
  /** With an ApplySet: its parent as this search read it (an apply right after may start from it; see `observed`). */
  parent?: ApplySetParent;
}

export interface PruneResult {
  ref: ObjectRef;
  action: "pruned" | "failed";
  message?: string;
  error?: KubeError;
}

/** The ownership test: Wharf's managed-by label and this very inventory id. */
export function isOwnedByInventory(obj: KubeObject, inventoryId: string): boolean {
  const labels = obj.metadata.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[INVENTORY_LABEL] === inventoryId;
}

/** The label selector matching one inventory's objects. */
export function inventorySelector(inventoryId: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${INVENTORY_LABEL}=${inventoryId}`;
}

/**
 * Finds what a prune would delete: objects from `previous`, plus objects found by the inventory label, that are not in
 * `keep` — and only those that, read live, carry Wharf's managed-by label and this inventory id.
 */
export async function findPruneCandidates(client: KubeClient, opts: PruneOptions): Promise<PruneCandidates> {
  const { applySet, inventoryId } = opts;
  if ((applySet === undefined) === (inventoryId === undefined))
    throw new Error("findPruneCandidates: give exactly one of applySet and inventoryId");
  const owned = (obj: KubeObject) =>
    applySet ? isApplySetMember(obj, applySet) : isOwnedByInventory(obj, inventoryId ?? "");
  const keep = new Set(opts.keep.map(refKey));
  const found = new Map<string, KubeObject>();
  const retained: { ref: ObjectRef; reason: string }[] = [];
  const concurrency = opts.concurrency ?? 16;

  const previous = (opts.previous ?? []).filter((ref) => !keep.has(refKey(ref)));
  await mapConcurrent(previous, concurrency, async (ref) => {
    let live: KubeObject | undefined;
    try {
      live = await client.get(ref);
    } catch (err) {
      // A kind that is no longer served has nothing left to prune.
      if (err instanceof KubeError && err.reason === "NoKindMatch") return;
      throw err;
    }
    if (!live) return;
    if (owned(live)) found.set(refKey(refOf(live)), { ...live, apiVersion: ref.apiVersion, kind: ref.kind });
    else
      retained.push({
        ref,
        reason: applySet
          ? "not labelled as managed by Wharf for this application"
          : "not labelled as managed by Wharf for this inventory",
      });
  });

  const known = [...opts.keep, ...(opts.previous ?? [])];
  const kinds = new Map<string, { apiVersion: string; kind: string }>();
  for (const ref of known) kinds.set(groupKindOf(ref), { apiVersion: ref.apiVersion, kind: ref.kind });
  const namespaces = new Set<string>([
    ...(opts.namespaces ?? []),
    ...known.flatMap((ref) => (ref.namespace ? [ref.namespace] : [])),
  ]);
  // Label searches: the ApplySet's members over what its parent records (KEP-3659's listing), plus, until every
  // object is relabelled, the legacy inventory label over today's kinds; or the inventory label alone.
  const selectors: { labelSelector: string; kinds: Map<string, { apiVersion: string; kind: string }> }[] = [];
  const legacyKinds = new Map(kinds);
  for (const kind of LABEL_SEARCH_KINDS) legacyKinds.set(groupKindOf(kind), kind);
  let parent: ApplySetParent | undefined;
  if (applySet) {
    parent = await readApplySetParent(client, applySet);
    for (const namespace of parent.namespaces) namespaces.add(namespace);
    const setKinds = new Map(kinds);
    const recorded = await Promise.all(
      parent.groupKinds
        .filter((groupKind) => !setKinds.has(groupKind))
        .map(async (groupKind) => {
          const { kind, group } = parseGroupKind(groupKind);
          return { groupKind, kind, apiVersion: await preferredVersionOf(client, group) };
        }),
    );
    for (const { groupKind, kind, apiVersion } of recorded) {
      // A group no longer served has nothing left to prune.
      if (apiVersion) setKinds.set(groupKind, { apiVersion, kind });
    }
    selectors.push({ labelSelector: applySetSelector(applySet), kinds: setKinds });
    if (applySet.legacyInventory)
      selectors.push({ labelSelector: inventorySelector(applySet.legacyInventory), kinds: legacyKinds });
  } else {
    selectors.push({ labelSelector: inventorySelector(inventoryId ?? ""), kinds: legacyKinds });
  }
  if (namespaces.size === 0) namespaces.add(client.defaultNamespace);
  const searches: { apiVersion: string; kind: string; namespace?: string; labelSelector: string }[] = [];
  // Discovery of every searched group/version at once (a fresh client knows none of them), then the searches in order.
  const resolved = await Promise.all(
    selectors.map(({ labelSelector, kinds: searched }) =>
      Promise.all(
        [...searched.values()].map(async (kind) => ({
          kind,
          labelSelector,
          resource: await client.resourceFor(kind.apiVersion, kind.kind).catch((err: unknown) => {
            if (err instanceof KubeError && err.code === 404) return undefined;
            throw err;
          }),
        })),
      ),
    ),
  );
  for (const { kind, labelSelector, resource } of resolved.flat()) {
    if (!resource || !resource.verbs.includes("list")) continue;
    if (resource.namespaced) for (const namespace of namespaces) searches.push({ ...kind, namespace, labelSelector });
    else searches.push({ ...kind, labelSelector });
  }
  await mapConcurrent(searches, concurrency, async (search) => {
    let items: KubeObject[];
    try {
      items = await client.list(search.apiVersion, search.kind, {
        labelSelector: search.labelSelector,
        ...(search.namespace ? { namespace: search.namespace } : {}),
      });
    } catch (err) {
      // A credential scoped to some namespaces cannot list others; what it cannot see, it cannot prune.
      if (err instanceof KubeError && (err.code === 403 || err.code === 404)) return;
      throw err;
    }
    for (const item of items) {
      const key = refKey(refOf(item));
      if (!keep.has(key) && owned(item)) found.set(key, item);
    }
  });

  const candidates: KubeObject[] = [];
  for (const obj of sortForDelete([...found.values()])) {
    const ref = refOf(obj);
    if (!opts.allowCascadingDeletes && isCascading(ref)) {
      retained.push({ ref, reason: `${ref.kind} not pruned: deleting it would delete everything it contains` });
    } else {
      candidates.push(obj);
    }
  }
  return { candidates, retained, ...(parent ? { parent } : {}) };
}

/**
 * Deletes the inventory's leftovers (see `findPruneCandidates`), custom resources first and in reverse apply order.
 * Each delete carries the live uid as a precondition, so an object re-created by someone else in the meantime is
 * never touched.
 */
export async function pruneObjects(
  client: KubeClient,
  opts: PruneOptions,
): Promise<{ results: PruneResult[]; retained: PruneCandidates["retained"] }> {
  const { candidates, retained } = await findPruneCandidates(client, opts);
  const results = await mapConcurrent(candidates, opts.concurrency ?? 16, async (obj): Promise<PruneResult> => {
    const ref = refOf(obj);
    if (opts.signal?.aborted) return { ref, action: "failed", message: "cancelled before pruning" };
    try {
      await client.delete(ref, {
        ...(obj.metadata.uid ? { preconditions: { uid: obj.metadata.uid } } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
      });
      return { ref, action: "pruned" };
    } catch (err) {
      const error = err instanceof KubeError ? err : undefined;
      return {
        ref,
        action: "failed",
        message: error ? error.serverMessage : `could not prune ${formatRef(ref)}: ${String(err)}`,
        ...(error ? { error } : {}),
      };
    }
  });
  return { results, retained };
}

/**
 * An ApplySet's prune, made only after the new revision rolled out: deletes the members the new revision dropped (see
 * `findPruneCandidates` with `applySet`), then, unless this is a dry run, rewrites the parent to list exactly the
 * group-kinds and namespaces of what is left — the new set, plus members that were retained or could not be deleted,
 * which stay members. Throws a 409 `ApplySetConflict` KubeError when the parent belongs to another tool.
 */
export async function pruneApplySet(
  client: KubeClient,
  opts: Omit<PruneOptions, "inventoryId"> & { applySet: ApplySetRef },
): Promise<{ results: PruneResult[]; retained: PruneCandidates["retained"] }> {
  const pruned = await pruneObjects(client, opts);
  // A cancelled prune leaves the parent as the apply widened it: the next prune still finds everything.
  if (!opts.dryRun && !opts.signal?.aborted) {
    const remaining = [
      ...opts.keep,
      // Namespaces and CRDs kept back stay members; a stranger in `previous` never was one.
      ...pruned.retained.map((r) => r.ref).filter(isCascading),
      ...pruned.results.filter((r) => r.action === "failed").map((r) => r.ref),
    ];
    await writeApplySetParent(client, opts.applySet, applySetScope(remaining), {
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
  return pruned;
}
