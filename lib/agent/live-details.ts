// What the resource tree says about each object besides its health (issue 15, Must 1): the sync status of the
// application's own objects (Synced / OutOfSync with the drifted fields, values and the manager that changed them,
// from the last drift check) and the recent Events of every object. Kept apart from the tree itself so the pull agent
// and the dashboard's push reads attach the same details to the same tree, within the protocol's bounds.
import {
  refKey,
  type ObjectEvent,
  type ObjectEventBounds,
  type ObjectSyncStatus,
  type SyncStatusBounds,
} from "@/lib/kube";
import {
  LIVE_EVENT_MESSAGE_MAX,
  LIVE_EVENTS_MAX,
  LIVE_EVENTS_PER_OBJECT_MAX,
  LIVE_SYNC_FIELDS_MAX,
  LIVE_SYNC_FIELDS_TOTAL_MAX,
  LIVE_SYNC_PATH_MAX,
  LIVE_SYNC_VALUE_MAX,
  type TLiveNode,
  type TLiveSync,
} from "./protocol";

/** syncStatusOf's bounds as the protocol allows them. */
export const LIVE_SYNC_BOUNDS: SyncStatusBounds = {
  maxFields: LIVE_SYNC_FIELDS_MAX,
  maxValueChars: LIVE_SYNC_VALUE_MAX,
  maxPathChars: LIVE_SYNC_PATH_MAX,
};

/** readObjectEvents's bounds as the protocol allows them. */
export const LIVE_EVENT_BOUNDS: ObjectEventBounds = {
  maxPerObject: LIVE_EVENTS_PER_OBJECT_MAX,
  maxTotal: LIVE_EVENTS_MAX,
  maxMessageChars: LIVE_EVENT_MESSAGE_MAX,
};

export interface LiveDetails {
  /**
   * Sync status by refKey of the inventory objects the last drift check found differing; every other inventory object
   * is Synced. Undefined when no check has run since the agent started (the tree then says nothing of sync).
   */
  sync?: ReadonlyMap<string, ObjectSyncStatus> | undefined;
  /** Recent Events by refKey (readObjectEvents). */
  events?: ReadonlyMap<string, ObjectEvent[]> | undefined;
}

/**
 * The tree with each inventory object's sync status and each object's Events. Drifted fields beyond
 * LIVE_SYNC_FIELDS_TOTAL_MAX for the whole tree are left out (the object stays OutOfSync and counts them in
 * omittedFields), so one application's report stays small whatever was edited.
 */
export function withLiveDetails(roots: readonly TLiveNode[], details: LiveDetails): TLiveNode[] {
  let fieldsLeft = LIVE_SYNC_FIELDS_TOTAL_MAX;
  const syncOf = (status: ObjectSyncStatus): TLiveSync => {
    const kept = status.fields.slice(0, fieldsLeft);
    fieldsLeft -= kept.length;
    const omitted = (status.omittedFields ?? 0) + status.fields.length - kept.length;
    return {
      status: status.status,
      fields: kept,
      ...(omitted > 0 ? { omittedFields: omitted } : {}),
      ...(status.truncated || omitted > 0 ? { truncated: true } : {}),
      ...(status.message ? { message: status.message } : {}),
    };
  };
  const visit = (node: TLiveNode): TLiveNode => {
    const key = refKey(node);
    const out: TLiveNode = { ...node, children: node.children.map(visit) };
    if (node.inInventory && details.sync) out.sync = syncOf(details.sync.get(key) ?? { status: "Synced", fields: [] });
    const events = details.events?.get(key);
    if (events?.length) out.events = events.slice(0, LIVE_EVENTS_PER_OBJECT_MAX);
    return out;
  };
  // Roots first, so the application's own objects get the field budget before anything else could.
  return roots.map(visit);
}
