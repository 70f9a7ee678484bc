// An application's resource tree: each object of its inventory with what it owns (Deployment → ReplicaSets → Pods,
// StatefulSet/DaemonSet/Job → Pods, CronJob → Jobs → Pods), nested by metadata.ownerReferences the way the garbage
// collector sees them, each with its health. Pure: whoever read the cluster (the agent over its watches, the dashboard
// with a push target's credential) passes the objects in, so the same tree comes out of both.
import { aggregateHealth, assessHealth, type HealthStatus } from "./health";
import { isRecord, refKey, refOf, type KubeObject, type ObjectRef } from "./types";

/** What a Pod node shows besides its health. */
export interface PodSummary {
  phase: string;
  /** Sum of the containers' restartCount. */
  restarts: number;
  /** Ready containers out of all (init containers excluded), as `kubectl get pods` shows them. */
  ready: number;
  containers: number;
  /** Each container's image as the spec names it, in order (init containers excluded). */
  images: string[];
}

export interface ResourceNode {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  health: HealthStatus;
  /** True for the application's own objects (its inventory), false for those found through ownerReferences. */
  inInventory: boolean;
  pod?: PodSummary;
  children: ResourceNode[];
  /** Owned objects left out by the bounds (too many children, too deep, or the tree's node cap). */
  omittedChildren?: number;
}

export interface ResourceTree {
  roots: ResourceNode[];
  /** The application's health: the worst of its inventory objects' (Argo CD aggregates over its own objects only). */
  health: HealthStatus;
  nodeCount: number;
  /** True when a bound left objects out; each node that lost children says how many in omittedChildren. */
  truncated: boolean;
}

export interface ResourceTreeOptions {
  /** Levels below an inventory object (default 4: CronJob → Job → Pod needs 2). */
  maxDepth?: number;
  /** Children kept per node (default 200); a ReplicaSet history or a large Job can own more. */
  maxChildren?: number;
  /** Nodes in the whole tree, inventory objects included (default 5000). */
  maxNodes?: number;
}

const DEFAULTS = { maxDepth: 4, maxChildren: 200, maxNodes: 5000 } as const;

function podSummary(obj: KubeObject): PodSummary {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isRecord) : [];
  const statuses = Array.isArray(status.containerStatuses) ? status.containerStatuses.filter(isRecord) : [];
  const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
  return {
    phase: typeof status.phase === "string" ? status.phase : "Unknown",
    restarts: statuses.reduce((sum, s) => sum + count(s.restartCount), 0),
    ready: statuses.filter((s) => s.ready === true).length,
    containers: containers.length,
    images: containers.map((c) => (typeof c.image === "string" ? c.image : "")),
  };
}

/**
 * The uids an object may be placed under: its controller alone when that is among the live objects (the owner the
 * garbage collector and kubectl follow), else every owner it names.
 */
function ownerUids(obj: KubeObject, liveUids: ReadonlySet<string>): string[] {
  const refs = Array.isArray(obj.metadata.ownerReferences) ? obj.metadata.ownerReferences.filter(isRecord) : [];
  const uidOf = (r: Record<string, unknown>) => (typeof r.uid === "string" ? r.uid : "");
  const controller = refs.find((r) => r.controller === true && liveUids.has(uidOf(r)));
  if (controller) return [uidOf(controller)];
  return [...new Set(refs.map(uidOf).filter((uid) => uid !== ""))];
}

function compareObjects(a: KubeObject, b: KubeObject): number {
  return (
    a.kind.localeCompare(b.kind) ||
    (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") ||
    a.metadata.name.localeCompare(b.metadata.name)
  );
}

/**
 * Builds the tree of an application from its inventory (the objects it applied, in the order to show them) and the
 * live objects read from the cluster: the inventory's own plus any that may be owned by them (ReplicaSets, Pods,
 * Jobs of the same namespaces); live objects owned by none of the tree are left out. An inventory object the cluster
 * does not have is a Missing node. Each live object appears once, under its controller when that is in the tree
 * (else under its first owner that is), and an inventory object is always a root, even if something owns it. Cycles
 * in ownerReferences (which the API server does not forbid) end where an object would repeat.
 */
export function buildResourceTree(
  inventory: readonly ObjectRef[],
  liveObjects: readonly KubeObject[],
  options: ResourceTreeOptions = {},
): ResourceTree {
  const maxDepth = options.maxDepth ?? DEFAULTS.maxDepth;
  const maxChildren = options.maxChildren ?? DEFAULTS.maxChildren;
  const maxNodes = options.maxNodes ?? DEFAULTS.maxNodes;

  const liveByKey = new Map<string, KubeObject>();
  for (const obj of liveObjects) if (isRecord(obj) && isRecord(obj.metadata)) liveByKey.set(refKey(refOf(obj)), obj);

  // Inventory, deduplicated by identity (apps/v1 and apps/v1beta2 name one object).
  const rootRefs: ObjectRef[] = [];
  const rootKeys = new Set<string>();
  for (const ref of inventory) {
    const key = refKey(ref);
    if (!rootKeys.has(key)) {
      rootKeys.add(key);
      rootRefs.push(ref);
    }
  }

  // Objects in the tree by uid: the inventory's live objects first, so that an owned inventory object stays a root.
  const placed = new Set<string>();
  for (const key of rootKeys) {
    const uid = liveByKey.get(key)?.metadata.uid;
    if (uid) placed.add(uid);
  }

  // Candidate children per owner uid.
  const liveUids = new Set<string>();
  for (const obj of liveByKey.values()) if (obj.metadata.uid) liveUids.add(obj.metadata.uid);
  const byOwner = new Map<string, KubeObject[]>();
  for (const obj of liveByKey.values()) {
    if (rootKeys.has(refKey(refOf(obj)))) continue;
    for (const uid of ownerUids(obj, liveUids)) {
      const siblings = byOwner.get(uid);
      if (siblings) siblings.push(obj);
      else byOwner.set(uid, [obj]);
    }
  }
  for (const siblings of byOwner.values()) siblings.sort(compareObjects);

  let nodeCount = 0;
  let truncated = false;

  const nodeOf = (obj: KubeObject, inInventory: boolean): ResourceNode => {
    nodeCount++;
    const node: ResourceNode = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      health: assessHealth(obj),
      inInventory,
      children: [],
    };
    if (obj.metadata.namespace) node.namespace = obj.metadata.namespace;
    if (obj.metadata.uid) node.uid = obj.metadata.uid;
    if (obj.kind === "Pod" && obj.apiVersion === "v1") node.pod = podSummary(obj);
    return node;
  };

  // Breadth first, so that when the node cap bites it cuts the deepest objects (Pods), not a whole Deployment.
  const roots: ResourceNode[] = [];
  const queue: { node: ResourceNode; uid: string | undefined; depth: number }[] = [];
  for (const ref of rootRefs) {
    const live = liveByKey.get(refKey(ref));
    if (!live) {
      nodeCount++;
      const missing: ResourceNode = {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        name: ref.name,
        health: { status: "Missing", message: "Not found in the cluster" },
        inInventory: true,
        children: [],
      };
      if (ref.namespace) missing.namespace = ref.namespace;
      roots.push(missing);
      continue;
    }
    const node = nodeOf(live, true);
    roots.push(node);
    queue.push({ node, uid: live.metadata.uid, depth: 0 });
  }

  for (let next = 0; next < queue.length; next++) {
    const { node, uid, depth } = queue[next]!;
    if (!uid) continue;
    const owned = (byOwner.get(uid) ?? []).filter((obj) => !placed.has(obj.metadata.uid ?? ""));
    if (owned.length === 0) continue;
    let omitted = 0;
    for (const child of owned) {
      const childUid = child.metadata.uid;
      // An object without a uid cannot be told apart from another; it shows under no owner rather than twice.
      if (!childUid) continue;
      if (depth >= maxDepth || node.children.length >= maxChildren || nodeCount >= maxNodes) {
        omitted++;
        continue;
      }
      placed.add(childUid);
      const childNode = nodeOf(child, false);
      node.children.push(childNode);
      queue.push({ node: childNode, uid: childUid, depth: depth + 1 });
    }
    if (omitted > 0) {
      node.omittedChildren = omitted;
      truncated = true;
    }
  }

  return { roots, health: aggregateHealth(roots.map((r) => r.health)), nodeCount, truncated };
}

/** Every node of a tree, parents before their children (for counts, searches and flat renderings). */
export function* walkResourceTree(roots: readonly ResourceNode[]): Generator<ResourceNode> {
  const stack = [...roots].reverse();
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    yield node;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
}
