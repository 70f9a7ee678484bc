// The objects of an application's live state: its inventory (the objects it applied) and, by their selectors, what
// they own. Read the same way whoever holds the client: the pull agent with its in-cluster identity, the dashboard
// with a push target's stored credential (lib/applications/data/read-push-live-state.ts), so both build the same tree
// (tree.ts) from the same objects, bounded the same way.
import type { KubeClient } from "./client";
import { refKey, refOf, type KubeObject, type ObjectRef } from "./types";

/** Owned objects read per application at most; the tree's own node cap is lower, this bounds the lists. */
export const OWNED_OBJECTS_MAX = 5000;

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});

/** A label selector (matchLabels and matchExpressions) as the API's query text; null for none or an empty one. */
export function selectorText(selector: unknown): string | null {
  const s = rec(selector);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(rec(s.matchLabels))) parts.push(`${key}=${String(value)}`);
  for (const expr of Array.isArray(s.matchExpressions) ? s.matchExpressions.map(rec) : []) {
    const key = String(expr.key ?? "");
    const values = Array.isArray(expr.values) ? expr.values.map(String).join(",") : "";
    if (!key) continue;
    if (expr.operator === "In") parts.push(`${key} in (${values})`);
    else if (expr.operator === "NotIn") parts.push(`${key} notin (${values})`);
    else if (expr.operator === "Exists") parts.push(key);
    else if (expr.operator === "DoesNotExist") parts.push(`!${key}`);
  }
  // An empty selector selects everything in the namespace: never what an owner means, and unbounded.
  return parts.length ? parts.join(",") : null;
}

/** The lists that find what one live object owns: [apiVersion, kind, selector] in its namespace. */
function ownedQueries(obj: KubeObject): { apiVersion: string; kind: string; labelSelector: string | null }[] {
  const spec = rec(obj.spec);
  const selector = selectorText(spec.selector);
  const group = obj.apiVersion.split("/")[0];
  if (obj.kind === "Deployment" && group === "apps")
    return [
      { apiVersion: "apps/v1", kind: "ReplicaSet", labelSelector: selector },
      { apiVersion: "v1", kind: "Pod", labelSelector: selector },
    ];
  if ((["StatefulSet", "DaemonSet", "ReplicaSet"].includes(obj.kind) && group === "apps") || obj.kind === "Job")
    return [{ apiVersion: "v1", kind: "Pod", labelSelector: selector }];
  // A CronJob's Jobs carry no label of it; they are found by ownerReferences among the namespace's Jobs.
  if (obj.kind === "CronJob") return [{ apiVersion: "batch/v1", kind: "Job", labelSelector: "" }];
  return [];
}

export interface LiveRead {
  objects: KubeObject[];
  /** Inventory objects that could not be read (forbidden, kind not served), with why. */
  unreadable: Map<string, string>;
}

/**
 * Reads an application's inventory objects and, by their selectors, what they own (Deployment → ReplicaSets and
 * Pods, StatefulSet/DaemonSet/ReplicaSet/Job → Pods, CronJob → Jobs → Pods), each list once per namespace and
 * selector, at most OWNED_OBJECTS_MAX owned objects in all. A list that fails leaves its objects out (the tree then
 * shows fewer children), not the whole report.
 */
export async function readLiveObjects(client: KubeClient, inventory: readonly ObjectRef[]): Promise<LiveRead> {
  const objects: KubeObject[] = [];
  const unreadable = new Map<string, string>();
  const queue: KubeObject[] = [];
  for (const ref of inventory) {
    try {
      const obj = await client.get(ref);
      if (obj) {
        objects.push(obj);
        queue.push(obj);
      }
    } catch (err) {
      unreadable.set(refKey(ref), err instanceof Error ? err.message : String(err));
    }
  }
  const seen = new Set(objects.map((o) => refKey(refOf(o))));
  const listed = new Set<string>();
  let owned = 0;
  for (let next = queue.shift(); next && owned < OWNED_OBJECTS_MAX; next = queue.shift()) {
    const namespace = next.metadata.namespace;
    if (!namespace) continue;
    for (const q of ownedQueries(next)) {
      if (q.labelSelector === null) continue;
      const key = `${q.apiVersion}/${q.kind}/${namespace}/${q.labelSelector}`;
      if (listed.has(key)) continue;
      listed.add(key);
      let items: KubeObject[];
      try {
        items = await client.list(q.apiVersion, q.kind, {
          namespace,
          ...(q.labelSelector ? { labelSelector: q.labelSelector } : {}),
        });
      } catch {
        continue;
      }
      for (const item of items) {
        const itemKey = refKey(refOf(item));
        if (seen.has(itemKey) || owned >= OWNED_OBJECTS_MAX) continue;
        seen.add(itemKey);
        objects.push(item);
        owned++;
        // Jobs found for a CronJob own Pods in turn; ReplicaSets' Pods come with the Deployment's own Pod list.
        if (item.kind === "Job") queue.push(item);
      }
    }
  }
  return { objects, unreadable };
}
