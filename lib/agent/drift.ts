import {
  diffManifests,
  refKey,
  syncStatusOf,
  type ApplySetRef,
  type KubeClient,
  type KubeObject,
  type ObjectRef,
  type ObjectSyncStatus,
} from "@/lib/kube";
import { AgentError } from "./errors";
import { LIVE_SYNC_BOUNDS } from "./live-details";
import { DIFF_CHANGES_PER_OBJECT_MAX, DIFF_OBJECTS_MAX, type TDrift } from "./protocol";

export const FIELD_MANAGER = "wharf-agent";

/** Field path used when a desired object is missing from the cluster altogether. */
export const MISSING_OBJECT = "(object missing)";

export interface DriftReport extends TDrift {
  /** Stable text of what drifted, so the same drift is reported once, not every interval. */
  signature: string;
  /**
   * Each differing object's sync status by refKey, with the drifted fields' values and the manager that changed them
   * (for the live-state report; the drift event keeps to paths). Objects not in it are Synced.
   */
  sync: Map<string, ObjectSyncStatus>;
}

/**
 * Compares live objects with the desired ones through a server-side dry-run apply (forced, as the agent applies, so a
 * field another manager took over shows as the change the agent would make). Returns the objects that differ with
 * their differing field paths — changed fields, or MISSING_OBJECT for deleted ones. Status and server-set metadata
 * never count as drift.
 */
export async function detectDrift(
  client: KubeClient,
  objects: KubeObject[],
  applySet: ApplySetRef,
  /** The manager whose apply is compared: the agent's by default; the push executor's for a push application. */
  opts: { fieldManager?: string } = {},
): Promise<DriftReport> {
  let report;
  try {
    // Labelled as the apply labels them, so the ApplySet labels themselves never count as drift.
    report = await diffManifests(client, objects, {
      fieldManager: opts.fieldManager ?? FIELD_MANAGER,
      force: true,
      applySet,
      attribute: true,
    });
  } catch (err) {
    throw new AgentError(
      "CLUSTER_UNREACHABLE",
      `drift check failed: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const drifted: { ref: ObjectRef; fields: string[] }[] = [];
  const sync = new Map<string, ObjectSyncStatus>();
  for (const diff of report.objects) {
    if (diff.action !== "unchanged") sync.set(refKey(diff.ref), syncStatusOf(diff, LIVE_SYNC_BOUNDS));
    if (diff.action === "change") drifted.push({ ref: diff.ref, fields: diff.changes.map((c) => c.path) });
    else if (diff.action === "create") drifted.push({ ref: diff.ref, fields: [MISSING_OBJECT] });
  }
  const errors = report.objects.filter((d) => d.action === "error");
  if (errors.length > 0 && drifted.length === 0) {
    throw new AgentError(
      "APPLY_FAILED",
      `drift check failed: ${errors
        .slice(0, 3)
        .map((e) => e.message ?? "error")
        .join("; ")}`,
    );
  }
  const truncated =
    drifted.length > DIFF_OBJECTS_MAX || drifted.some((d) => d.fields.length > DIFF_CHANGES_PER_OBJECT_MAX);
  const objectsOut = drifted
    .slice(0, DIFF_OBJECTS_MAX)
    .map((d) => ({ ref: d.ref, fields: d.fields.slice(0, DIFF_CHANGES_PER_OBJECT_MAX) }));
  return { objects: objectsOut, truncated, signature: JSON.stringify(objectsOut), sync };
}

/** "Deployment web (namespace shop): spec.replicas; ConfigMap…" — a drift event's message. */
export function describeDrift(drift: TDrift): string {
  const parts = drift.objects
    .slice(0, 5)
    .map(
      (o) =>
        `${o.ref.kind} ${o.ref.name}${o.ref.namespace ? ` (namespace ${o.ref.namespace})` : ""}: ${o.fields.slice(0, 5).join(", ")}`,
    );
  const more = drift.objects.length > 5 ? ` and ${drift.objects.length - 5} more objects` : "";
  return `${parts.join("; ")}${more}`;
}
