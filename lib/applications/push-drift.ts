import { createHash } from "node:crypto";
import type { TDrift } from "@/lib/agent/protocol";
import { refKey, type ObjectRef, type ObjectSyncStatus } from "@/lib/kube";

// What a push status read records when it finds drift (PushDriftEvent): the drift's signature (once per change of
// the drifted fields), the sentence the timeline and the notification show, and the details kept on the row. Plain
// module: the read (data/read-push-live-state.ts), the timeline and the tests share it.

/** Longest message stored on a PushDriftEvent: the timeline shows it whole; the details keep every field. */
const MESSAGE_MAX = 2000;
/** Objects and fields per object the message names (the details keep up to the protocol's bounds). */
const OBJECTS_NAMED = 5;
const FIELDS_NAMED = 5;

/** What a PushDriftEvent's `details` hold: the drift (paths) and each drifted object's sync status (values, manager). */
export interface PushDriftDetails {
  drift: TDrift;
  sync: { ref: ObjectRef; status: ObjectSyncStatus }[];
}

/**
 * The stored form of a drift's signature (lib/agent/drift.ts: the drifted objects and field paths, which the agent
 * compares to report a drift once per change): its sha256, short and of fixed size whatever the drift.
 */
export function pushDriftSignature(signature: string): string {
  return createHash("sha256").update(signature).digest("hex");
}

/** The details of a drift: its paths and, per drifted object, the sync status the read found (in `sync`, by refKey). */
export function pushDriftDetails(drift: TDrift, sync: ReadonlyMap<string, ObjectSyncStatus>): PushDriftDetails {
  return {
    drift,
    sync: drift.objects.flatMap((o) => {
      const status = sync.get(refKey(o.ref));
      return status ? [{ ref: o.ref, status }] : [];
    }),
  };
}

const objectName = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;

/**
 * "Deployment shop/web: spec.replicas 2 → 5 (kubectl-edit)": each drifted object with its fields as applied → live
 * and the field manager that changed them, as the application page's sync status shows them; a missing object says
 * so. Bounded (MESSAGE_MAX), naming the first objects and fields.
 */
export function describePushDrift(details: PushDriftDetails): string {
  const statusOf = new Map(details.sync.map((s) => [refKey(s.ref), s.status]));
  const parts = details.drift.objects.slice(0, OBJECTS_NAMED).map((o) => {
    const status = statusOf.get(refKey(o.ref));
    const fields = status?.fields.length
      ? status.fields.slice(0, FIELDS_NAMED).map((f) => {
          const values = `${f.applied ?? "(not set)"} → ${f.live ?? "(removed)"}`;
          return `${f.path} ${values}${f.owner ? ` (${f.owner.manager})` : ""}`;
        })
      : status?.message
        ? [status.message]
        : o.fields.slice(0, FIELDS_NAMED);
    const moreFields = Math.max(status?.fields.length ?? 0, o.fields.length) - fields.length;
    return `${objectName(o.ref)}: ${fields.join(", ")}${moreFields > 0 ? ` and ${moreFields} more fields` : ""}`;
  });
  const moreObjects = details.drift.objects.length - parts.length;
  const text = `${parts.join("; ")}${moreObjects > 0 ? `; and ${moreObjects} more objects` : ""}`;
  return text.length > MESSAGE_MAX ? `${text.slice(0, MESSAGE_MAX - 1)}…` : text;
}

/** A PushDriftEvent's stored `details`; a row that does not parse reads as no drift (its message still says it). */
export function parsePushDriftDetails(stored: string): PushDriftDetails {
  try {
    const v = JSON.parse(stored) as Partial<PushDriftDetails> | null;
    return {
      drift: v?.drift ?? { objects: [], truncated: false },
      sync: Array.isArray(v?.sync) ? v.sync : [],
    };
  } catch {
    return { drift: { objects: [], truncated: false }, sync: [] };
  }
}

/** The field managers that made the drift (who changed it), in the order first met; empty when none is known. */
export function pushDriftManagers(details: PushDriftDetails): string[] {
  return [...new Set(details.sync.flatMap((s) => s.status.fields.flatMap((f) => (f.owner ? [f.owner.manager] : []))))];
}
