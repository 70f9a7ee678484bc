import { badRequest, gone } from "./errors";

export type KObject = Record<string, unknown> & { metadata: ObjectMeta };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  rv: number;
  type: WatchEventType;
  table: string;
  obj: KObject;
}

export type Watcher = (event: StoreEvent) => void;

export interface Snapshot {
  resourceVersion: number;
  tables: Record<string, KObject[]>;
}

const CONTINUE_TOO_OLD =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * In-memory object storage with one cluster-wide resourceVersion counter (like etcd's revision), a bounded event
 * history for watch resumption, and per-table watchers. Stored objects are never mutated in place.
 */
export class Store {
  private revision = 0;
  private readonly tables = new Map<string, Map<string, KObject>>();
  private history: StoreEvent[] = [];
  /** Events at or below this revision are gone; watching or continuing from before it answers 410. */
  private compactedRevision = 0;
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly changeListeners: Array<() => void> = [];

  constructor(private readonly historyLimit = 10_000) {}

  get resourceVersion(): number {
    return this.revision;
  }

  get compactedResourceVersion(): number {
    return this.compactedRevision;
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private table(name: string): Map<string, KObject> {
    let t = this.tables.get(name);
    if (!t) {
      t = new Map();
      this.tables.set(name, t);
    }
    return t;
  }

  get(table: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.tables.get(table)?.get(objectKey(namespace, name));
  }

  /** Objects of one table (optionally one namespace) sorted by namespace/name, as etcd key order gives. */
  list(table: string, namespace?: string): KObject[] {
    const t = this.tables.get(table);
    if (!t) return [];
    const keys = [...t.keys()].sort();
    const out: KObject[] = [];
    for (const k of keys) {
      const obj = t.get(k);
      if (!obj) continue;
      if (namespace !== undefined && obj.metadata.namespace !== namespace) continue;
      out.push(obj);
    }
    return out;
  }

  count(table: string): number {
    return this.tables.get(table)?.size ?? 0;
  }

  tableNames(): string[] {
    return [...this.tables.keys()];
  }

  /** Reserves the next revision and stamps it on the object; the object must be a fresh copy. */
  write(table: string, obj: KObject, type: "ADDED" | "MODIFIED"): KObject {
    const rv = ++this.revision;
    obj.metadata.resourceVersion = String(rv);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name ?? "");
    const t = this.table(table);
    const previous = t.get(key);
    if (previous) this.unindexOwners(table, previous);
    t.set(key, obj);
    this.indexOwners(table, obj);
    this.emit({ rv, type, table, obj });
    return obj;
  }

  remove(table: string, obj: KObject): KObject {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name ?? "");
    const t = this.tables.get(table);
    const current = t?.get(key);
    if (!t || !current) return obj;
    t.delete(key);
    this.unindexOwners(table, current);
    const rv = ++this.revision;
    // A DELETED event carries the last state with the deletion's revision, as the watch cache reports it.
    const deleted: KObject = { ...current, metadata: { ...current.metadata, resourceVersion: String(rv) } };
    this.emit({ rv, type: "DELETED", table, obj: deleted });
    return deleted;
  }

  /** Objects whose ownerReferences name the uid, as [table, object] pairs. */
  dependentsOf(uid: string): Array<[string, KObject]> {
    const out: Array<[string, KObject]> = [];
    for (const ref of this.dependents.get(uid) ?? []) {
      const sep = ref.indexOf("|");
      const table = ref.slice(0, sep);
      const obj = this.tables.get(table)?.get(ref.slice(sep + 1));
      if (obj) out.push([table, obj]);
    }
    return out;
  }

  private indexOwners(table: string, obj: KObject): void {
    for (const o of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(o.uid);
      if (!set) {
        set = new Set();
        this.dependents.set(o.uid, set);
      }
      set.add(`${table}|${objectKey(obj.metadata.namespace, obj.metadata.name ?? "")}`);
    }
  }

  private unindexOwners(table: string, obj: KObject): void {
    for (const o of obj.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(o.uid);
      set?.delete(`${table}|${objectKey(obj.metadata.namespace, obj.metadata.name ?? "")}`);
      if (set && set.size === 0) this.dependents.delete(o.uid);
    }
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const drop = Math.max(1, Math.floor(this.historyLimit / 10));
      const last = this.history[drop - 1];
      if (last) this.compactedRevision = last.rv;
      this.history = this.history.slice(drop);
    }
    for (const w of this.watchers.get(event.table) ?? []) w(event);
    for (const l of this.changeListeners) l();
  }

  /** Forgets all history, as an etcd compaction does: older resourceVersions and continue tokens become 410. */
  compact(): void {
    this.compactedRevision = this.revision;
    this.history = [];
  }

  /** Events of a table after `rv`; throws 410 Expired if that part of the history was compacted away. */
  eventsSince(table: string, rv: number): StoreEvent[] {
    if (rv < this.compactedRevision) {
      throw gone(`too old resource version: ${rv} (${this.compactedRevision + 1})`);
    }
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.history[mid]?.rv ?? 0) <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo).filter((e) => e.table === table);
  }

  watch(table: string, watcher: Watcher): () => void {
    let set = this.watchers.get(table);
    if (!set) {
      set = new Set();
      this.watchers.set(table, set);
    }
    set.add(watcher);
    return () => {
      set.delete(watcher);
    };
  }

  encodeContinue(rv: number, lastKey: string): string {
    return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start: `${lastKey}\u0000` })).toString("base64url");
  }

  /** Decodes a continue token; 410 if its snapshot revision was compacted, 400 if it is not ours. */
  decodeContinue(token: string): { rv: number; start: string } {
    let parsed: { v?: string; rv?: number; start?: string };
    try {
      parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as typeof parsed;
    } catch {
      throw badRequest("continue key is not valid: illegal base64 data");
    }
    if (parsed.v !== "meta.k8s.io/v1" || typeof parsed.rv !== "number" || typeof parsed.start !== "string") {
      throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
    }
    if (parsed.rv < this.compactedRevision) throw gone(CONTINUE_TOO_OLD);
    return { rv: parsed.rv, start: parsed.start };
  }

  snapshot(): Snapshot {
    const tables: Record<string, KObject[]> = {};
    for (const [name, t] of this.tables) if (t.size > 0) tables[name] = [...t.values()];
    return { resourceVersion: this.revision, tables };
  }

  /** Loads a snapshot at start; history begins empty, so older resourceVersions answer 410. */
  load(snapshot: Snapshot): void {
    this.revision = snapshot.resourceVersion;
    this.compactedRevision = snapshot.resourceVersion;
    for (const [name, objs] of Object.entries(snapshot.tables)) {
      const t = this.table(name);
      for (const obj of objs) {
        t.set(objectKey(obj.metadata.namespace, obj.metadata.name ?? ""), obj);
        this.indexOwners(name, obj);
      }
    }
  }
}
