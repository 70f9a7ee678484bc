// Recent Events of an application's objects (issue 15, Must 1): what `kubectl describe` lists at its end. Read per
// namespace in one bounded list, not one list per object (a tree may hold thousands of Pods), and matched to the
// objects by uid, so an Event of an earlier object of the same name is not shown against the new one.
import type { KubeClient } from "./client";
import { isRecord, refKey, refOf, type KubeObject } from "./types";

/** One Event as the application page shows it. */
export interface ObjectEvent {
  /** `Normal` or `Warning`. */
  type: string;
  reason: string;
  message: string;
  /** How many times it happened (an Event is updated, not repeated, while it recurs). */
  count: number;
  /** When it last happened (RFC 3339); absent when the Event carries no time at all. */
  lastTime?: string;
}

export interface ObjectEventBounds {
  /** Events read per namespace at most (default 1000); the rest of a noisy namespace is not read. */
  maxPerNamespace?: number;
  /** Events kept per object, newest first (default 5). */
  maxPerObject?: number;
  /** Events kept for all objects together, newest first (default 100). */
  maxTotal?: number;
  /** Characters kept of a message (default 500). */
  maxMessageChars?: number;
}

export const OBJECT_EVENT_DEFAULTS = { maxPerNamespace: 1000, maxPerObject: 5, maxTotal: 100, maxMessageChars: 500 };

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** A core/v1 Event as an ObjectEvent (times from lastTimestamp, else the events.k8s.io series, eventTime, first). */
export function objectEventOf(event: KubeObject, maxMessageChars = OBJECT_EVENT_DEFAULTS.maxMessageChars): ObjectEvent {
  const series = isRecord(event.series) ? event.series : {};
  const message = text(event.message) ?? "";
  const count = typeof event.count === "number" ? event.count : typeof series.count === "number" ? series.count : 1;
  const lastTime =
    text(event.lastTimestamp) ??
    text(series.lastObservedTime) ??
    text(event.eventTime) ??
    text(event.firstTimestamp) ??
    text(event.metadata.creationTimestamp);
  return {
    type: text(event.type) ?? "Normal",
    reason: text(event.reason) ?? "",
    message: message.length > maxMessageChars ? `${message.slice(0, maxMessageChars - 1)}…` : message,
    count: Math.max(1, Math.trunc(count)),
    ...(lastTime ? { lastTime } : {}),
  };
}

/**
 * The recent Events of `objects`, keyed by refKey of the object, newest first, bounded per namespace read, per object
 * and in all (the newest win). A namespace whose Events cannot be listed (forbidden) contributes none; Events are
 * news, not state, so their absence never fails a read.
 */
export async function readObjectEvents(
  client: KubeClient,
  objects: readonly KubeObject[],
  bounds: ObjectEventBounds = {},
): Promise<Map<string, ObjectEvent[]>> {
  const b = { ...OBJECT_EVENT_DEFAULTS, ...bounds };
  const byUid = new Map<string, string>();
  const namespaces = new Set<string>();
  for (const obj of objects) {
    if (!obj.metadata.uid || !obj.metadata.namespace) continue;
    byUid.set(obj.metadata.uid, refKey(refOf(obj)));
    namespaces.add(obj.metadata.namespace);
  }
  const found: { key: string; event: ObjectEvent }[] = [];
  for (const namespace of [...namespaces].sort()) {
    let events: KubeObject[];
    try {
      events = await client.list("v1", "Event", { namespace, maxItems: b.maxPerNamespace });
    } catch {
      continue;
    }
    for (const event of events) {
      const involved = isRecord(event.involvedObject) ? event.involvedObject : {};
      const key = typeof involved.uid === "string" ? byUid.get(involved.uid) : undefined;
      if (key) found.push({ key, event: objectEventOf(event, b.maxMessageChars) });
    }
  }
  found.sort((x, y) => (y.event.lastTime ?? "").localeCompare(x.event.lastTime ?? ""));
  const out = new Map<string, ObjectEvent[]>();
  let kept = 0;
  for (const { key, event } of found) {
    if (kept >= b.maxTotal) break;
    const list = out.get(key) ?? [];
    if (list.length >= b.maxPerObject) continue;
    list.push(event);
    out.set(key, list);
    kept++;
  }
  return out;
}
