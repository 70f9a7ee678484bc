import { createHash } from "node:crypto";
import { HttpMethod } from "@kubernetes/client-node";
import type { KubeClient } from "./client";
import { KubeError } from "./errors";
import {
  formatRef,
  groupOf,
  INVENTORY_LABEL,
  isRecord,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type KubeObject,
  type ObjectRef,
} from "./types";

/*
 * The Kubernetes ApplySet convention (KEP-3659, as kubectl ≥ 1.27 implements it): one parent object per application,
 * labelled with an id derived from its own group/kind/name/namespace, and every member labelled `part-of` that id. The
 * label is the source of truth for membership; the parent's annotations only say where to look (which group-kinds,
 * which namespaces). `kubectl get cm -l applyset.kubernetes.io/id` lists Wharf's applications, and
 * `kubectl get deploy,cm -l applyset.kubernetes.io/part-of=<id>` one application's objects.
 */

/** On every member: the id of the ApplySet it belongs to. */
export const APPLYSET_PART_OF_LABEL = "applyset.kubernetes.io/part-of";
/** On the parent: its own id (what members' part-of carries). */
export const APPLYSET_ID_LABEL = "applyset.kubernetes.io/id";
/** On the parent: which tool manages the set; tools refuse to mutate sets of other tools. */
export const APPLYSET_TOOLING_ANNOTATION = "applyset.kubernetes.io/tooling";
/** On the parent: sorted `Kind.group` (`Kind` for the core group) of the members. */
export const APPLYSET_GROUP_KINDS_ANNOTATION = "applyset.kubernetes.io/contains-group-kinds";
/** On the parent: sorted namespaces of members other than the parent's own. */
export const APPLYSET_NAMESPACES_ANNOTATION = "applyset.kubernetes.io/additional-namespaces";
/** On the parent: the application's name for people (errors that refuse an object name it). */
export const APPLICATION_ANNOTATION = "wharf.dev/application";
export const APPLYSET_TOOLING = "wharf/v1";
/** SSA field manager of parent writes, as kubectl uses `kubectl-applyset`. */
export const APPLYSET_FIELD_MANAGER = "wharf-applyset";

/**
 * Which application an apply belongs to: its parent ConfigMap. A ConfigMap rather than kubectl's default Secret: it
 * holds no secret data, and the `view` role (which cannot read Secrets) lets people see the inventory with kubectl.
 */
export interface ApplySetRef {
  /** The parent ConfigMap's name (see `applySetFor`). */
  name: string;
  /** The parent's namespace, the application's home namespace; members may be elsewhere (additional-namespaces). */
  namespace: string;
  /**
   * The `wharf.dev/inventory` value Wharf labelled this application's objects with before ApplySets: those objects are
   * adopted (and pruned) as members, so upgrading neither orphans nor refuses them.
   */
  legacyInventory?: string;
  /** Shown to people when another application's apply is refused one of this set's objects. */
  application?: string;
}

/** The ApplySet of an inventory key (push: the target, pull: the repository): parent `applyset-<key>`. */
export function applySetFor(inventoryKey: string, namespace: string, opts: { application?: string } = {}): ApplySetRef {
  const cleaned = inventoryKey
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  // A lossy clean-up (or a long key) gets a hash of the original, so two keys never share a parent.
  const suffix =
    cleaned === inventoryKey && cleaned.length <= 200
      ? ""
      : `-${createHash("sha256").update(inventoryKey).digest("hex").slice(0, 10)}`;
  return {
    name: `applyset-${cleaned.slice(0, 200)}${suffix}`,
    namespace,
    legacyInventory: inventoryKey,
    ...(opts.application ? { application: opts.application } : {}),
  };
}

/** The parent's reference (a namespaced ConfigMap). */
export function applySetParentRef(set: ApplySetRef): ObjectRef {
  return { apiVersion: "v1", kind: "ConfigMap", namespace: set.namespace, name: set.name };
}

/**
 * The set's id: `applyset-` + base64url(sha256(`<name>.<namespace>.<kind>.<group>`)) unpadded + `-v1`. Derived from
 * the parent's identity, so a set cannot borrow another set's id without the mismatch showing on its parent.
 */
export function applySetId(set: Pick<ApplySetRef, "name" | "namespace">): string {
  const hash = createHash("sha256").update(`${set.name}.${set.namespace}.ConfigMap.`).digest("base64url");
  return `applyset-${hash}-v1`;
}

/** `Deployment.apps`, `ConfigMap`: the group-kind notation of the contains-group-kinds annotation. */
export function groupKindOf(ref: { apiVersion: string; kind: string }): string {
  const group = groupOf(ref.apiVersion);
  return group ? `${ref.kind}.${group}` : ref.kind;
}

/** What the parent says about the set (empty when it does not exist yet). */
export interface ApplySetParent {
  id: string;
  exists: boolean;
  /** Sorted `Kind.group` the members may be of. */
  groupKinds: string[];
  /** Namespaces the members may be in, the parent's own included. */
  namespaces: string[];
  /** The parent as read, when it exists: a write that would change none of its fields is skipped. */
  live?: KubeObject;
}

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function applySetError(set: ApplySetRef, client: KubeClient, message: string): KubeError {
  return new KubeError({
    context: { cluster: client.cluster, object: applySetParentRef(set), operation: "read ApplySet parent" },
    code: 409,
    reason: "ApplySetConflict",
    serverMessage: message,
    retryable: false,
  });
}

/**
 * Reads the parent. Throws a 409 `ApplySetConflict` KubeError when the object exists but is not this set's parent
 * (another tool's ApplySet, or a ConfigMap that is no ApplySet at all): Wharf never rewrites those.
 */
export async function readApplySetParent(
  client: KubeClient,
  set: ApplySetRef,
  opts: { signal?: AbortSignal } = {},
): Promise<ApplySetParent> {
  const id = applySetId(set);
  const live = await client.get(applySetParentRef(set), opts);
  if (!live) return { id, exists: false, groupKinds: [], namespaces: [set.namespace] };
  const labels = live.metadata.labels ?? {};
  const annotations = live.metadata.annotations ?? {};
  const where = `ConfigMap ${set.name} in namespace ${set.namespace}`;
  const tooling = annotations[APPLYSET_TOOLING_ANNOTATION];
  if (tooling === undefined)
    throw applySetError(
      set,
      client,
      `${where} exists and is not an ApplySet parent (no ${APPLYSET_TOOLING_ANNOTATION})`,
    );
  const tool = tooling.includes("/") ? tooling.slice(0, tooling.lastIndexOf("/")) : tooling;
  if (tool !== APPLYSET_TOOLING.split("/")[0])
    throw applySetError(set, client, `${where} is an ApplySet managed by ${tooling}, not by Wharf`);
  if (labels[APPLYSET_ID_LABEL] !== id)
    throw applySetError(
      set,
      client,
      `${where} has ${APPLYSET_ID_LABEL}=${labels[APPLYSET_ID_LABEL] ?? "(none)"}, expected ${id}`,
    );
  return {
    id,
    exists: true,
    groupKinds: splitList(annotations[APPLYSET_GROUP_KINDS_ANNOTATION]).sort(),
    namespaces: [...new Set([set.namespace, ...splitList(annotations[APPLYSET_NAMESPACES_ANNOTATION])])],
    live,
  };
}

/** The members' group-kinds and namespaces, as the parent's annotations record them. */
export function applySetScope(refs: ObjectRef[]): { groupKinds: string[]; namespaces: string[] } {
  return {
    groupKinds: [...new Set(refs.map(groupKindOf))].sort(),
    namespaces: [...new Set(refs.flatMap((ref) => (ref.namespace ? [ref.namespace] : [])))].sort(),
  };
}

/**
 * A resourceVersion no object ever has (etcd revisions are signed 64-bit; this is 2^64 - 1), for an apply that must
 * only create: the API server ignores an apply body's resourceVersion when the object does not exist and refuses it
 * with 409 Conflict when it does (as any stale resourceVersion), so the apply creates or fails, never overwrites.
 */
export const ABSENT_RESOURCE_VERSION = "18446744073709551615";

/** The apply's precondition for an object as it was read: its resourceVersion, or ABSENT when it did not exist. */
export function expectedVersion(live: KubeObject | null | undefined): string {
  return live?.metadata.resourceVersion ?? ABSENT_RESOURCE_VERSION;
}

/** A 409 of an apply that carried a resourceVersion: perhaps the object changed since it was read (re-read to know). */
export function isConflict(err: unknown): err is KubeError {
  return err instanceof KubeError && err.code === 409;
}

/**
 * Creates or updates the parent (server-side apply) so it lists exactly these group-kinds and namespaces. With
 * `live` (the parent as read, or null: it did not exist), the write carries that read's resourceVersion and fails with
 * 409 if the parent changed since — its group-kinds are a union with what was read, so a write from a stale read
 * could drop what another write just recorded.
 */
export async function writeApplySetParent(
  client: KubeClient,
  set: ApplySetRef,
  scope: { groupKinds: string[]; namespaces: string[] },
  opts: { dryRun?: boolean; signal?: AbortSignal; live?: KubeObject | null } = {},
): Promise<void> {
  const additional = [...new Set(scope.namespaces)].filter((ns) => ns !== set.namespace).sort();
  const parent: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: set.name,
      namespace: set.namespace,
      labels: { [APPLYSET_ID_LABEL]: applySetId(set), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: {
        [APPLYSET_TOOLING_ANNOTATION]: APPLYSET_TOOLING,
        [APPLYSET_GROUP_KINDS_ANNOTATION]: [...new Set(scope.groupKinds)].sort().join(","),
        ...(additional.length > 0 ? { [APPLYSET_NAMESPACES_ANNOTATION]: additional.join(",") } : {}),
        ...(set.application ? { [APPLICATION_ANNOTATION]: set.application } : {}),
      },
    },
  };
  // A re-apply of the same set finds its parent as it would write it: one round trip less before the first object
  // (the apply of a one-object application is three sequential requests instead of four).
  if (opts.live && parentIsCurrent(opts.live, parent)) return;
  if (opts.live !== undefined) parent.metadata.resourceVersion = expectedVersion(opts.live);
  // Forced, as kubectl retries its parent write: the parent is the set's own bookkeeping, no one else's fields.
  await client.apply(parent, {
    fieldManager: APPLYSET_FIELD_MANAGER,
    force: true,
    ...(opts.dryRun ? { dryRun: true } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/**
 * The live parent already holds every label and annotation the write would set, and no namespaces annotation the
 * write would drop: applying it again would change nothing.
 */
function parentIsCurrent(live: KubeObject, desired: KubeObject): boolean {
  const has = (liveMap: Record<string, string> | undefined, want: Record<string, string> | undefined) =>
    Object.entries(want ?? {}).every(([k, v]) => liveMap?.[k] === v);
  const liveAnnotations = live.metadata.annotations ?? {};
  const wantAnnotations = desired.metadata.annotations ?? {};
  return (
    has(live.metadata.labels, desired.metadata.labels) &&
    has(liveAnnotations, wantAnnotations) &&
    (APPLYSET_NAMESPACES_ANNOTATION in wantAnnotations || !(APPLYSET_NAMESPACES_ANNOTATION in liveAnnotations)) &&
    (APPLICATION_ANNOTATION in wantAnnotations || !(APPLICATION_ANNOTATION in liveAnnotations))
  );
}

/** Who a live object belongs to, seen from one set. */
export type Ownership =
  | { owner: "this" }
  /** No ApplySet and no Wharf inventory label: adopted by the apply (kubectl applies "over the top" the same way). */
  | { owner: "none" }
  | { owner: "other"; applySetId?: string; inventory?: string };

/**
 * The ownership test. `part-of` decides when present; without it, the legacy `wharf.dev/inventory` label does (the
 * same inventory is this set's, before its first ApplySet apply relabels it).
 */
export function ownershipOf(obj: KubeObject, set: ApplySetRef): Ownership {
  const labels = obj.metadata.labels ?? {};
  const partOf = labels[APPLYSET_PART_OF_LABEL];
  if (partOf !== undefined)
    return partOf === applySetId(set) ? { owner: "this" } : { owner: "other", applySetId: partOf };
  const legacy = labels[INVENTORY_LABEL];
  if (legacy !== undefined)
    return legacy === set.legacyInventory ? { owner: "this" } : { owner: "other", inventory: legacy };
  return { owner: "none" };
}

/** Whether a prune may delete this live object: a member of this set (or its legacy inventory) and Wharf's. */
export function isApplySetMember(obj: KubeObject, set: ApplySetRef): boolean {
  return obj.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && ownershipOf(obj, set).owner === "this";
}

/** The label selector of the set's members. */
export function applySetSelector(set: Pick<ApplySetRef, "name" | "namespace">): string {
  return `${APPLYSET_PART_OF_LABEL}=${applySetId(set)}`;
}

/**
 * Names the application that owns an object, from its ApplySet parent when one can be found (a ConfigMap or Secret
 * labelled with that id in the object's namespace or in this set's namespace), else by the raw label value.
 */
export async function describeOwner(
  client: KubeClient,
  ref: ObjectRef,
  ownership: Extract<Ownership, { owner: "other" }>,
  set: ApplySetRef,
): Promise<string> {
  if (ownership.applySetId === undefined) return `Wharf inventory ${ownership.inventory ?? "(unknown)"}`;
  const namespaces = [...new Set([ref.namespace, set.namespace].filter((ns): ns is string => !!ns))];
  for (const kind of ["ConfigMap", "Secret"]) {
    for (const namespace of namespaces) {
      const parents = await client
        .list("v1", kind, { namespace, labelSelector: `${APPLYSET_ID_LABEL}=${ownership.applySetId}` })
        .catch(() => []);
      const parent = parents[0];
      if (!parent) continue;
      const annotations = parent.metadata.annotations ?? {};
      const application = annotations[APPLICATION_ANNOTATION];
      const tooling = annotations[APPLYSET_TOOLING_ANNOTATION] ?? "unknown tooling";
      const where = `${kind} ${parent.metadata.name} in namespace ${namespace}`;
      return application
        ? `application ${application} (ApplySet ${where}, ${tooling})`
        : `ApplySet ${where} (${tooling})`;
    }
  }
  return `ApplySet ${ownership.applySetId} (its parent object was not found)`;
}

/** The refusal: a 409 KubeError naming the owner, never a takeover. */
export function ownedElsewhereError(client: KubeClient, ref: ObjectRef, owner: string): KubeError {
  return new KubeError({
    context: { cluster: client.cluster, object: ref, operation: "apply" },
    code: 409,
    reason: "OwnedByAnotherApplication",
    serverMessage: `${formatRef(ref)} already belongs to ${owner}; Wharf does not take over another application's objects (remove it from these manifests, or from the other application first)`,
    retryable: false,
  });
}

/** The served apiVersion (preferred version) of an API group; undefined when the group is not served. */
export async function preferredVersionOf(client: KubeClient, group: string): Promise<string | undefined> {
  if (group === "") return "v1";
  try {
    const res = await client.request<unknown>(HttpMethod.GET, `/apis/${encodeURIComponent(group)}`, {
      context: { operation: `discovery of ${group}` },
    });
    const body = res.body;
    const preferred =
      isRecord(body) && isRecord(body.preferredVersion) ? body.preferredVersion.groupVersion : undefined;
    return typeof preferred === "string" ? preferred : undefined;
  } catch (err) {
    if (err instanceof KubeError && err.code === 404) return undefined;
    throw err;
  }
}

/** `Deployment.apps` → `{ kind: "Deployment", group: "apps" }`. */
export function parseGroupKind(groupKind: string): { kind: string; group: string } {
  const dot = groupKind.indexOf(".");
  return dot < 0 ? { kind: groupKind, group: "" } : { kind: groupKind.slice(0, dot), group: groupKind.slice(dot + 1) };
}
