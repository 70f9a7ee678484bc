/** A Kubernetes object as plain JSON: what the API server sends and accepts. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    generation?: number;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Identifies one object in a cluster; `namespace` is absent for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Label every object Wharf applies carries, so it can tell its objects from anyone else's. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "wharf";
/** Label tying an object to the inventory (one per target / repository) that applied it. */
export const INVENTORY_LABEL = "wharf.dev/inventory";

/** Reduces an object to its reference. */
export function refOf(obj: KubeObject | ObjectRef): ObjectRef {
  if ("metadata" in obj) {
    const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name };
    if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
    return ref;
  }
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.name };
  if (obj.namespace) ref.namespace = obj.namespace;
  return ref;
}

/** The API group of an apiVersion ("" for core). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/**
 * Identity of an object across API versions of the same group (apps/v1 and apps/v1beta2 Deployments are one object),
 * used to match desired objects against inventories.
 */
export function refKey(ref: ObjectRef): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

/** Objects of one API version, kind and namespace: what one LIST or WATCH request covers. */
export interface Collection<T> {
  key: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  members: T[];
}

/** The collection a reference belongs to, as a map key. */
export function collectionKey(ref: ObjectRef): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ""}`;
}

/** `items` grouped by the collection their references name, in the order each collection is first seen. */
export function groupByCollection<T>(items: readonly T[], refOfItem: (item: T) => ObjectRef): Collection<T>[] {
  const groups = new Map<string, Collection<T>>();
  for (const item of items) {
    const ref = refOfItem(item);
    const key = collectionKey(ref);
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        members: [],
      };
      groups.set(key, group);
    }
    group.members.push(item);
  }
  return [...groups.values()];
}

/** Human-readable reference, kubectl style: `Deployment apps/web -n shop`. */
export function formatRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.name}${ref.namespace ? ` (namespace ${ref.namespace})` : ""}`;
}

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
