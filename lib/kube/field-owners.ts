// Who owns a field of a live object, read from metadata.managedFields (the API server's record of which field manager
// set which fields, in structured-merge-diff's FieldsV1 trie). A drifted field is owned by whoever changed it last:
// an Update (kubectl edit, kubectl scale, a controller) takes the fields it changes away from every other manager, and
// a forced Apply takes them too, so the owner of a field that differs from what Wharf applied is its author.
import { isRecord, type KubeObject } from "./types";

/** One step of a field path: a map key, a list item by its merge key (with the item, to match compound keys), or an index. */
export type PathSegment = { field: string } | { key: string; value: unknown; item?: unknown } | { index: number };

/** The field manager that owns a field, as its managedFields entry names it. */
export interface FieldOwner {
  /** e.g. `kubectl-edit`, `kubectl-client-side-apply`, `kube-controller-manager`. */
  manager: string;
  /** `Update` (a PUT or a patch) or `Apply` (server-side apply). */
  operation: string;
  /** When that manager last changed any of its fields (RFC 3339), as the server recorded it. */
  time?: string;
}

function keyMatches(element: string, seg: { key: string; value: unknown; item?: unknown }): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(element.slice(2));
  } catch {
    return false;
  }
  if (!isRecord(parsed)) return false;
  // A compound merge key (a port is containerPort + protocol) matches when every part equals the live item's.
  if (isRecord(seg.item))
    return Object.entries(parsed).every(([k, v]) => (seg.item as Record<string, unknown>)[k] === v);
  return parsed[seg.key] === seg.value;
}

/**
 * Whether a FieldsV1 trie holds the field at `segments`: the field itself, or an atomic value above it (a leaf
 * such as `f:args: {}` owns everything below it).
 */
export function fieldsV1Holds(fields: unknown, segments: readonly PathSegment[]): boolean {
  let node: unknown = fields;
  for (const seg of segments) {
    if (!isRecord(node)) return false;
    const keys = Object.keys(node);
    if (keys.length === 0) return node !== fields;
    let next: unknown;
    if ("field" in seg) next = node[`f:${seg.field}`];
    else if ("index" in seg) next = node[`i:${seg.index}`];
    else {
      const element = keys.find((k) => k.startsWith("k:") && keyMatches(k, seg));
      next = element === undefined ? undefined : node[element];
    }
    if (next === undefined) return false;
    node = next;
  }
  return isRecord(node);
}

/**
 * The field manager other than `except` that owns the field at `segments` of `live`, the most recently active when
 * several share it; undefined when none does (a removed field belongs to nobody any more). Status subresource
 * entries are skipped: drift is about configuration.
 */
export function fieldOwner(
  live: KubeObject,
  segments: readonly PathSegment[],
  opts: { except: string },
): FieldOwner | undefined {
  const entries = Array.isArray(live.metadata.managedFields) ? live.metadata.managedFields.filter(isRecord) : [];
  let best: FieldOwner | undefined;
  for (const entry of entries) {
    const manager = typeof entry.manager === "string" ? entry.manager : "";
    if (!manager || manager === opts.except || entry.subresource === "status") continue;
    if (!fieldsV1Holds(entry.fieldsV1, segments)) continue;
    const owner: FieldOwner = { manager, operation: typeof entry.operation === "string" ? entry.operation : "Update" };
    if (typeof entry.time === "string") owner.time = entry.time;
    if (!best || (owner.time ?? "") > (best.time ?? "")) best = owner;
  }
  return best;
}
