// Sync status per object, as Argo CD shows it: Synced or OutOfSync, and for OutOfSync the fields that differ with
// what Wharf applied, what the cluster has now, and the field manager that made the difference. Built from one
// object's diff (diffManifests with `attribute: true`, a dry run of Wharf's own apply against the live object), so the
// pull agent and the dashboard's push reads answer the same way. Bounded for reports: fields per object, path and
// value length, each cut saying so.
import type { ObjectDiff } from "./diff";
import type { FieldOwner } from "./field-owners";

export type SyncStatusCode = "Synced" | "OutOfSync" | "Unknown";

/** One drifted field: `spec.replicas` applied `3`, live `7`, owned by `kubectl-edit` (Update) since `time`. */
export interface DriftedField {
  path: string;
  /** What Wharf applied, as text (strings bare, anything else JSON); absent when Wharf does not set the field. */
  applied?: string;
  /** What the cluster has now, same form; absent when the field was removed. */
  live?: string;
  /** The field manager other than Wharf that owns the live value: who changed it. Absent when nobody owns it. */
  owner?: FieldOwner;
}

export interface ObjectSyncStatus {
  status: SyncStatusCode;
  /** OutOfSync: the differing fields, at most `maxFields`. */
  fields: DriftedField[];
  /** Differing fields left out by `maxFields`. */
  omittedFields?: number;
  /** True when fields were left out or a path or value was cut (cut text ends in "…"). */
  truncated?: boolean;
  /** Why: the object is missing from the cluster, or the check failed (Unknown). */
  message?: string;
}

export interface SyncStatusBounds {
  /** Fields kept per object (default 20). */
  maxFields?: number;
  /** Characters kept per value (default 200). */
  maxValueChars?: number;
  /** Characters kept per path (default 500). */
  maxPathChars?: number;
}

export const SYNC_STATUS_DEFAULTS = { maxFields: 20, maxValueChars: 200, maxPathChars: 500 } as const;

function clip(text: string, max: number): { text: string; cut: boolean } {
  return text.length > max ? { text: `${text.slice(0, Math.max(0, max - 1))}…`, cut: true } : { text, cut: false };
}

/** A field value as one line of text: strings as they are, anything else as JSON. */
export function valueText(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * The sync status of one object from its diff (`live` → what Wharf's apply would make it): `unchanged` is Synced,
 * `change` OutOfSync with each field as applied → live and its owner, `create` OutOfSync because the cluster lacks
 * the object, `prune` OutOfSync because it should be gone, `error` Unknown with the server's message. Secret values
 * arrive already redacted by diffObjects.
 */
export function syncStatusOf(diff: ObjectDiff, bounds: SyncStatusBounds = {}): ObjectSyncStatus {
  const maxFields = bounds.maxFields ?? SYNC_STATUS_DEFAULTS.maxFields;
  const maxValue = bounds.maxValueChars ?? SYNC_STATUS_DEFAULTS.maxValueChars;
  const maxPath = bounds.maxPathChars ?? SYNC_STATUS_DEFAULTS.maxPathChars;
  switch (diff.action) {
    case "unchanged":
      return { status: "Synced", fields: [] };
    case "create":
      return { status: "OutOfSync", fields: [], message: "Missing from the cluster" };
    case "prune":
      return { status: "OutOfSync", fields: [], message: "No longer in the source; a prune deletes it" };
    case "error":
      return { status: "Unknown", fields: [], message: clip(diff.message ?? "The check failed", 1000).text };
    case "change":
      break;
  }
  let truncated = diff.changes.length > maxFields;
  const fields = diff.changes.slice(0, maxFields).map((change) => {
    const path = clip(change.path, maxPath);
    const field: DriftedField = { path: path.text };
    truncated ||= path.cut;
    // diffObjects compares live (old) with Wharf's desired object (new).
    if (change.new !== undefined) {
      const applied = clip(valueText(change.new), maxValue);
      field.applied = applied.text;
      truncated ||= applied.cut;
    }
    if (change.old !== undefined) {
      const live = clip(valueText(change.old), maxValue);
      field.live = live.text;
      truncated ||= live.cut;
    }
    if (change.owner) field.owner = change.owner;
    return field;
  });
  const out: ObjectSyncStatus = { status: "OutOfSync", fields };
  if (diff.changes.length > maxFields) out.omittedFields = diff.changes.length - maxFields;
  if (truncated) out.truncated = true;
  return out;
}
