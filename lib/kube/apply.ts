import {
  APPLYSET_PART_OF_LABEL,
  applySetId,
  applySetScope,
  describeOwner,
  expectedVersion,
  isConflict,
  ownedElsewhereError,
  ownershipOf,
  readApplySetParent,
  writeApplySetParent,
  type ApplySetParent,
  type ApplySetRef,
} from "./applyset";
import type { KubeClient } from "./client";
import { mapConcurrent } from "./concurrency";
import { KubeError, toKubeError } from "./errors";
import { applyPhases, validateObjects } from "./manifests";
import { sameConfiguration, type DiffReport } from "./diff";
import { crdServedKinds, namespacesCreatedBy, withWharfLabels } from "./objects";
import { sleep } from "./retry";
import {
  groupByCollection,
  groupOf,
  INVENTORY_LABEL,
  isRecord,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  refKey,
  refOf,
  type KubeObject,
  type ObjectRef,
} from "./types";

/** What happened to one object. `skipped`: not attempted because of cancellation or an earlier failed phase. */
export type ApplyAction = "created" | "configured" | "unchanged" | "failed" | "skipped";

export interface ApplyResult {
  ref: ObjectRef;
  action: ApplyAction;
  /** For failures, the API server's Status message; otherwise an optional note. */
  message?: string;
  error?: KubeError;
  /** The object as the server stored it (or would, on dry-run). */
  object?: KubeObject;
}

export interface ApplyOptions {
  /** SSA field manager, e.g. "wharf" (push) or "wharf-agent" (pull). */
  fieldManager: string;
  /** Server-side dry run: validated and defaulted by the server, nothing stored. */
  dryRun?: boolean;
  /** Take ownership of fields another manager owns instead of failing with 409 Conflict. */
  force?: boolean;
  /** Labels objects with this inventory id. Legacy: prefer `applySet`. */
  inventoryId?: string;
  /**
   * The application these objects belong to (KEP-3659 ApplySet): each object is labelled `part-of` its id, and its
   * parent ConfigMap records the group-kinds and namespaces before anything is applied (or alongside, see
   * `parentAlongside`), so an interrupted apply leaks nothing from the next prune. An object that already belongs to another application (another ApplySet or
   * another Wharf inventory) is refused, and then nothing is applied. Pruning is a separate call (`pruneApplySet`),
   * made once the caller has seen the rollout succeed.
   */
  applySet?: ApplySetRef;
  /**
   * With `applySet`: what the caller read of these objects and of the parent moments ago (the executor's plan
   * re-check), so the apply does not read them again before writing — for a re-deploy the first object's apply is
   * then the first request. Every write it covers is conditional on that read instead: the apply body carries the
   * resourceVersion read (or, for an object read as absent, one no object has, so the apply can only create it), and
   * a 409 makes the apply re-read the object, decide its ownership again — refusing it if another application took
   * it meanwhile — and apply it on the new read. So a change between the read and the write is never overwritten
   * unseen, where a fresh read would only have narrowed that window.
   */
  observed?: ObservedState;
  /**
   * With `applySet`: the caller keeps its own durable record of every object this apply may create, written before
   * the call, and hands it to the next prune as `previous` until a prune succeeds (the executor: each deployment's
   * planned objects in its database). The parent is then not what an interrupted apply's objects are found by, so
   * its write goes out alongside the first phase's applies instead of before them: a new application's first
   * object waits for one write, not two. Without such a record (the agent) the parent is written first.
   */
  parentAlongside?: boolean;
  /** Objects applied at once within a phase (default 16). */
  concurrency?: number;
  /** Keep applying later phases after a failure (default false: stop, because later objects may depend on it). */
  continueOnError?: boolean;
  /** How long to wait for applied CRDs to become Established (default 60 s). */
  crdTimeoutMs?: number;
  /** Cancels further applies; objects not yet started are reported as skipped. */
  signal?: AbortSignal;
  /**
   * Awaited before each phase's objects are applied (the first time after the reads, before the ApplySet parent
   * write), so a caller can act between phases — renew a lease, honour a cancel, record progress — and still make one
   * call: discovery, the labelled lists and the parent write then happen once, not once per phase. A throw stops the
   * apply there and is rethrown; nothing of that phase or later ones has been written.
   */
  beforePhase?: (phase: ApplyPhase) => Promise<void>;
  /**
   * The part of a caller's work between phases that may start early, while the previous phase's tail is still in
   * flight: called for the first phase at the start, and for each later one as soon as the phase before it has
   * dispatched its last object (not when the apply is already stopping: a failure in that phase or a cancel). Awaited
   * before that phase's `beforePhase` and its first write, and a throw stops the apply there just like
   * `beforePhase`'s; so the executor's checkpoint (one database transaction, 25–40 ms) overlaps the slowest objects of
   * the phase before instead of following them, and still nothing of the phase is written before it passed. When the
   * apply stops before that phase, its result is ignored: awaited, rejection included, before the apply returns or
   * throws, never reported. `beforePhase` is where the phase really starts.
   */
  preparePhase?: (phase: ApplyPhase) => Promise<void>;
  /** Called as each object finishes, for progress bars. */
  onResult?: (result: ApplyResult, progress: { done: number; total: number }) => void;
}

/** One phase of an apply, as `beforePhase` and `preparePhase` see it. */
export interface ApplyPhase {
  name: string;
  index: number;
  count: number;
  objects: KubeObject[];
}

/** What a caller read just before an apply (see ApplyOptions.observed). */
export interface ObservedState {
  /** By refKey of the server-normalized ref: the live object as read, or null when it did not exist. */
  objects: Map<string, KubeObject | null>;
  /** The ApplySet parent as read. */
  parent?: ApplySetParent;
}

/**
 * The ObservedState of a diff (diffManifests: each object as it read it) and of a prune search (findPruneCandidates:
 * the parent as it read it), taken just before an apply of the same objects.
 */
export function observedFrom(diff: DiffReport, parent: ApplySetParent | undefined): ObservedState {
  return {
    objects: new Map(diff.objects.flatMap((o) => (o.live === undefined ? [] : [[refKey(o.ref), o.live] as const]))),
    ...(parent ? { parent } : {}),
  };
}

/** Re-reads of one object after its conditional apply met a 409; the apply after the last one is unconditional. */
const STALE_RETRIES = 3;

export interface ApplyReport {
  results: ApplyResult[];
  counts: Record<ApplyAction, number>;
  /** True when nothing failed or was skipped. */
  ok: boolean;
  /** Normalized refs of every desired object: what to record as this apply's inventory. */
  inventory: ObjectRef[];
}

/**
 * Whether an apply changed nothing. Equal resourceVersions prove it cheaply. A different one does not prove a change:
 * controllers write status (and the server rewrites managedFields) between our read and our apply, and a dry run
 * never bumps it — so then the configuration itself (no status, no server-set metadata) is compared.
 */
function sameState(before: KubeObject, after: KubeObject, dryRun: boolean | undefined): boolean {
  if (
    !dryRun &&
    before.metadata.resourceVersion !== undefined &&
    before.metadata.resourceVersion === after.metadata.resourceVersion
  ) {
    return true;
  }
  return sameConfiguration(before, after);
}

function emptyCounts(): Record<ApplyAction, number> {
  return { created: 0, configured: 0, unchanged: 0, failed: 0, skipped: 0 };
}

function failure(ref: ObjectRef, err: unknown, client: KubeClient): ApplyResult {
  const error = toKubeError(err, { cluster: client.cluster, object: ref, operation: "apply" });
  return { ref, action: "failed", message: error.serverMessage, error };
}

/**
 * The objects this inventory already manages, one labelled LIST per kind and namespace instead of a GET per object.
 * An apply whose response carries the same resourceVersion changed nothing. Objects not found
 * here either do not exist (the apply answers 201) or lack our labels (so the apply necessarily changes them).
 */
async function knownVersions(
  client: KubeClient,
  objects: { ref: ObjectRef }[],
  selectors: string[],
  concurrency: number,
): Promise<KnownVersions> {
  const versions = new Map<string, KubeObject>();
  const listed = new Set<string>();
  const unknown = new Set<string>();
  await mapConcurrent(
    groupByCollection(objects, (o) => o.ref),
    concurrency,
    async (group) => {
      const keys = group.members.map(({ ref }) => refKey(ref));
      try {
        for (const labelSelector of selectors) {
          const items = await client.list(group.apiVersion, group.kind, {
            labelSelector,
            ...(group.namespace ? { namespace: group.namespace } : {}),
          });
          for (const item of items) versions.set(refKey(refOf(item)), item);
        }
        for (const key of keys) listed.add(key);
      } catch {
        // Not allowed to list (or not served yet): fall back to reading each object before applying it.
        for (const key of keys) unknown.add(key);
      }
    },
  );
  return { versions, listed, unknown };
}

/**
 * Labelled objects of one kind in one namespace past which an ApplySet apply stops reading every application's
 * objects there (see knownSetVersions).
 */
const CROWDED_AT = 50;

/** How long a collection found crowded is listed by its own label only before the full list is tried again. */
const CROWDED_FOR_MS = 10 * 60_000;
const crowdedCollections = new WeakMap<KubeClient, Map<string, number>>();

function wasCrowded(client: KubeClient, key: string): boolean {
  const until = crowdedCollections.get(client)?.get(key);
  return until !== undefined && until > Date.now();
}

function rememberCrowded(client: KubeClient, key: string): void {
  const seen = crowdedCollections.get(client) ?? new Map<string, number>();
  crowdedCollections.set(client, seen);
  seen.set(key, Date.now() + CROWDED_FOR_MS);
}

/**
 * knownVersions for an ApplySet apply: every labelled object of a desired kind and namespace is listed, whoever's it
 * is, since ownership is decided per object — one small request where few are there. In a namespace crowded with
 * other applications that list is most of an apply's cost: a thousand applications in one namespace each read all
 * the others' objects on every sync, O(n²) bytes for the API server and the syncing process's heap. So the first page
 * stops at CROWDED_AT; past it, only this set's own members are listed and the desired objects not among them (new
 * ones, typically none after the first apply) are read one by one, so another application's object is still found,
 * and refused, before anything is applied.
 */
async function knownSetVersions(
  client: KubeClient,
  objects: { ref: ObjectRef }[],
  applySet: ApplySetRef,
  concurrency: number,
): Promise<KnownVersions> {
  const legacy = applySet.legacyInventory;
  const everyone = [APPLYSET_PART_OF_LABEL, ...(legacy ? [`${INVENTORY_LABEL},!${APPLYSET_PART_OF_LABEL}`] : [])];
  const own = [
    `${APPLYSET_PART_OF_LABEL}=${applySetId(applySet)}`,
    ...(legacy ? [`${INVENTORY_LABEL}=${legacy},!${APPLYSET_PART_OF_LABEL}`] : []),
  ];
  const versions = new Map<string, KubeObject>();
  const listed = new Set<string>();
  const unknown = new Set<string>();
  const unlisted: ObjectRef[] = [];
  await mapConcurrent(
    groupByCollection(objects, (o) => o.ref),
    concurrency,
    async (group) => {
      const refs = group.members.map((o) => o.ref);
      const list = (labelSelector: string, maxItems?: number) =>
        client.list(group.apiVersion, group.kind, {
          labelSelector,
          ...(group.namespace ? { namespace: group.namespace } : {}),
          ...(maxItems ? { maxItems, pageSize: maxItems } : {}),
        });
      try {
        // A collection found crowded before is listed by this set's own label straight away (one round trip, not
        // two on every sync of a thousand applications sharing a namespace).
        let crowded = wasCrowded(client, group.key);
        let items: KubeObject[] = [];
        if (!crowded) {
          items = (await Promise.all(everyone.map((selector) => list(selector, CROWDED_AT + 1)))).flat();
          crowded = items.length > CROWDED_AT;
          if (crowded) rememberCrowded(client, group.key);
        }
        if (crowded) {
          items = (await Promise.all(own.map((selector) => list(selector)))).flat();
          const found = new Set(items.map((item) => refKey(refOf(item))));
          unlisted.push(...refs.filter((ref) => !found.has(refKey(ref))));
        }
        for (const item of items) versions.set(refKey(refOf(item)), item);
        for (const ref of refs) listed.add(refKey(ref));
      } catch {
        // Not allowed to list (or not served yet): fall back to reading each object before applying it.
        for (const ref of refs) unknown.add(refKey(ref));
      }
    },
  );
  await mapConcurrent(unlisted, concurrency, async (ref) => {
    try {
      const live = await client.get(ref);
      if (live) versions.set(refKey(ref), live);
    } catch {
      listed.delete(refKey(ref));
      unknown.add(refKey(ref));
    }
  });
  return { versions, listed, unknown };
}

interface KnownVersions {
  /** Live objects of this inventory (with an ApplySet: of any ApplySet or inventory), by refKey. */
  versions: Map<string, KubeObject>;
  /** Desired objects whose kind/namespace was listed: absent from `versions` means not ours (or not there). */
  listed: Set<string>;
  /** Desired objects whose list failed: read one by one instead. */
  unknown: Set<string>;
}

function mergeKnown(into: KnownVersions, from: KnownVersions): void {
  for (const [key, value] of from.versions) into.versions.set(key, value);
  for (const key of from.listed) into.listed.add(key);
  for (const key of from.unknown) into.unknown.add(key);
}

/** Waits until a CRD is Established (its API is served), then drops cached discovery for its versions. */
export async function waitForCrdEstablished(
  client: KubeClient,
  crd: KubeObject,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const ref = refOf(crd);
  for (let attempt = 0; ; attempt++) {
    const live = await client.get(ref, opts.signal ? { signal: opts.signal } : {});
    const status = live && isRecord(live.status) ? live.status : {};
    const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
    const established = conditions.find((c) => c.type === "Established");
    const namesAccepted = conditions.find((c) => c.type === "NamesAccepted");
    if (namesAccepted?.status === "False") {
      throw new KubeError({
        context: { cluster: client.cluster, object: ref, operation: "wait for CRD" },
        code: 0,
        reason: "NamesNotAccepted",
        serverMessage: String(namesAccepted.message ?? "CRD names were not accepted"),
        retryable: false,
      });
    }
    if (established?.status === "True") break;
    if (Date.now() > deadline) {
      throw new KubeError({
        context: { cluster: client.cluster, object: ref, operation: "wait for CRD" },
        code: 0,
        reason: "Timeout",
        serverMessage: `CustomResourceDefinition ${ref.name} was not Established within ${opts.timeoutMs ?? 60_000} ms`,
        retryable: false,
      });
    }
    await sleep(Math.min(1000, 50 * 2 ** attempt), opts.signal);
  }
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  for (const version of versions) {
    if (typeof version.name === "string" && typeof spec.group === "string")
      client.invalidateDiscovery(`${spec.group}/${version.name}`);
  }
}

/**
 * Applies objects with server-side apply, in dependency phases (Namespaces, CRDs, RBAC, config, Services, workloads,
 * other, custom resources), concurrently within a phase over pooled connections. Every object gets Wharf's managed-by
 * label and its ApplySet's `part-of` label (or the legacy inventory label). CRDs are waited on until Established before
 * their instances are applied. Returns one result per object — created / configured / unchanged / failed / skipped.
 * Never deletes anything: pruning is `pruneApplySet`, once the rollout succeeded. Throws `ManifestError` (before any
 * request) when an object lacks apiVersion, kind or name, and `KubeError` (before anything is applied) when the
 * cluster is unreachable or refuses the credential, or the ApplySet's parent belongs to another tool.
 */
export async function applyManifests(
  client: KubeClient,
  objects: KubeObject[],
  opts: ApplyOptions,
): Promise<ApplyReport> {
  validateObjects(objects);
  // Preparations of phases the apply never reached are settled (their failures swallowed) before it returns or throws:
  // nothing of the caller's runs on unseen after the call, and no rejection goes unhandled.
  const preparations = new Map<number, Promise<void>>();
  try {
    return await applyValidated(client, objects, opts, preparations);
  } finally {
    await Promise.allSettled(preparations.values());
  }
}

async function applyValidated(
  client: KubeClient,
  objects: KubeObject[],
  opts: ApplyOptions,
  preparations: Map<number, Promise<void>>,
): Promise<ApplyReport> {
  if (opts.applySet && opts.inventoryId) throw new Error("applyManifests: applySet replaces inventoryId");
  const applySet = opts.applySet;
  const setId = applySet ? applySetId(applySet) : undefined;
  const inventoryId = opts.inventoryId;
  const concurrency = opts.concurrency ?? 16;
  // With an ApplySet, other applications' objects are read too: ownership is decided per object below (this set's,
  // adoptable, or another application's).
  const knownOf = (refs: { ref: ObjectRef }[]) =>
    applySet
      ? knownSetVersions(client, refs, applySet, concurrency)
      : knownVersions(
          client,
          refs,
          [`${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}${inventoryId ? `,${INVENTORY_LABEL}=${inventoryId}` : ""}`],
          concurrency,
        );
  const prepared = objects.map((obj) => withWharfLabels(obj, inventoryId, setId));
  const phases = applyPhases(prepared);
  const phaseAt = (index: number): ApplyPhase | undefined => {
    const phase = phases[index];
    return phase && { name: phase.name, index, count: phases.length, objects: phase.objects };
  };
  const prepare = (index: number): void => {
    const phase = phaseAt(index);
    if (!opts.preparePhase || !phase || preparations.has(index)) return;
    const preparation = opts.preparePhase(phase);
    // Handled where the phase starts; when it never does, applyManifests settles it.
    preparation.catch(() => undefined);
    preparations.set(index, preparation);
  };
  // The first phase's preparation runs alongside discovery and the reads below.
  prepare(0);
  const crdKinds = crdServedKinds(prepared);
  const newNamespaces = namespacesCreatedBy(prepared);
  const total = prepared.length;
  const results: ApplyResult[] = [];
  const inventory: ObjectRef[] = [];
  let stopReason: string | undefined;

  let done = 0;
  // Progress is reported as each object finishes; `results` keeps apply order.
  const emit = (result: ApplyResult, of = total) => {
    done++;
    opts.onResult?.(result, { done, total: of });
  };
  const record = (result: ApplyResult) => {
    results.push(result);
    emit(result);
  };

  // Before the first phase, and concurrently: discovery of every group/version in the set, then the labelled lists
  // for every object whose kind is already served. Phases then only wait for their own applies.
  await client.preflight([...new Set(prepared.map((obj) => obj.apiVersion))]);
  const resolvable = await mapConcurrent(prepared, concurrency, async (obj) => {
    const ref = await client.normalizeRef(refOf(obj)).then(
      (r) => r.ref,
      () => undefined,
    );
    return ref ? { ref } : undefined;
  });
  const resolvedOf = new Map(prepared.flatMap((obj, i) => (resolvable[i] ? [[obj, resolvable[i].ref] as const] : [])));
  const resolvedUpFront = resolvable.filter((entry): entry is { ref: ObjectRef } => entry !== undefined);
  // What the caller just read is not read again; each write it covers is conditional on that read (applyOne).
  const observed = applySet ? opts.observed : undefined;
  const covered = (ref: ObjectRef) => observed?.objects.has(refKey(ref)) ?? false;
  const readParent = (set: ApplySetRef) => readApplySetParent(client, set, opts.signal ? { signal: opts.signal } : {});
  // The parent is read alongside the lists; a parent of another tool is reported where it is written (writeParent).
  const parentRead = applySet
    ? observed?.parent
      ? Promise.resolve(observed.parent)
      : readParent(applySet)
    : undefined;
  parentRead?.catch(() => undefined);
  const known = await knownOf(resolvedUpFront.filter(({ ref }) => !covered(ref)));
  for (const { ref } of resolvedUpFront) {
    const live = observed?.objects.get(refKey(ref));
    if (live === undefined) continue;
    known.listed.add(refKey(ref));
    if (live) known.versions.set(refKey(ref), live);
  }

  // Who owns what, before anything is applied: one object of another application refuses the whole set, so nothing
  // is taken over and nothing is half-applied.
  const refusal = async (ref: ObjectRef, live: KubeObject | undefined): Promise<ApplyResult | undefined> => {
    if (!applySet || !live) return undefined;
    const ownership = ownershipOf(live, applySet);
    if (ownership.owner !== "other") return undefined;
    const error = ownedElsewhereError(client, ref, await describeOwner(client, ref, ownership, applySet));
    return { ref, action: "failed", message: error.serverMessage, error };
  };
  if (applySet) {
    const refused = (
      await mapConcurrent(resolvedUpFront, concurrency, ({ ref }) => refusal(ref, known.versions.get(refKey(ref))))
    ).filter((r): r is ApplyResult => r !== undefined);
    if (refused.length > 0) {
      const refusedByKey = new Map(refused.map((r) => [refKey(r.ref), r]));
      const reason = `not applied: ${refused.length} object${refused.length === 1 ? "" : "s"} of this set belong${refused.length === 1 ? "s" : ""} to another application`;
      for (const phase of applyPhases(prepared)) {
        for (const obj of phase.objects) {
          const ref = resolvedOf.get(obj) ?? refOf(obj);
          inventory.push(ref);
          record(refusedByKey.get(refKey(ref)) ?? { ref, action: "skipped", message: reason });
        }
      }
      const counts = emptyCounts();
      for (const result of results) counts[result.action]++;
      return { results, counts, ok: false, inventory };
    }
  }
  // The parent records the union of what it listed and what this apply adds before anything is applied (kubectl's
  // "superset" step), so an interrupted apply leaves nothing the next prune cannot find. When the parent's namespace
  // is created by this very set, it is written right after the Namespaces phase instead.
  let parentPending = applySet !== undefined;
  const writeParent = async (): Promise<void> => {
    if (!applySet || !parentRead || !parentPending) return;
    let parent = await parentRead;
    // Custom resources of CRDs this set creates are not resolvable yet; their group-kind is known all the same.
    const scope = applySetScope(prepared.map((obj) => resolvedOf.get(obj) ?? refOf(obj)));
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await writeApplySetParent(
            client,
            applySet,
            {
              groupKinds: [...parent.groupKinds, ...scope.groupKinds],
              namespaces: [...parent.namespaces, ...scope.namespaces],
            },
            {
              ...(opts.dryRun ? { dryRun: true } : {}),
              ...(opts.signal ? { signal: opts.signal } : {}),
              // Conditional on the parent read: a union with a stale read could drop what was recorded since.
              live: parent.live ?? null,
            },
          );
          break;
        } catch (err) {
          if (!isConflict(err) || attempt >= STALE_RETRIES) throw err;
          parent = await readParent(applySet);
        }
      }
      parentPending = false;
    } catch (err) {
      // Its namespace is created by this set: not yet (dry run: never), so retry after the Namespaces phase.
      if (err instanceof KubeError && err.code === 404 && newNamespaces.has(applySet.namespace)) {
        if (opts.dryRun) parentPending = false;
        return;
      }
      throw err;
    }
  };

  for (const [index, phase] of phases.entries()) {
    if (!stopReason) {
      prepare(index);
      await preparations.get(index);
      await opts.beforePhase?.({ name: phase.name, index, count: phases.length, objects: phase.objects });
    }
    if (!stopReason && opts.signal?.aborted) stopReason = "cancelled";
    // Alongside this phase's applies (see parentAlongside): settled, and any failure thrown, before the next phase.
    let parentWrite: Promise<void> | undefined;
    if (!stopReason && parentPending) {
      if (opts.parentAlongside) {
        parentWrite = writeParent();
        parentWrite.catch(() => undefined);
      } else await writeParent();
    }
    if (stopReason) {
      for (const obj of phase.objects) {
        inventory.push(refOf(obj));
        record({ ref: refOf(obj), action: "skipped", message: `not applied: ${stopReason}` });
      }
      continue;
    }

    // Resolve scope (namespace defaulting) first; a kind the server does not serve fails here, per object.
    const resolved = await mapConcurrent(phase.objects, concurrency, async (obj) => {
      try {
        const { ref } = await client.normalizeRef(refOf(obj));
        if (ref.namespace) obj.metadata.namespace = ref.namespace;
        else delete obj.metadata.namespace;
        return { obj, ref };
      } catch (err) {
        return { obj, ref: refOf(obj), error: err };
      }
    });
    for (const { ref } of resolved) inventory.push(ref);
    // Custom resources of CRDs established in this run could not be listed up front.
    const notListed = resolved.filter(
      (entry) =>
        entry.error === undefined && !known.listed.has(refKey(entry.ref)) && !known.unknown.has(refKey(entry.ref)),
    );
    if (notListed.length > 0) mergeKnown(known, await knownOf(notListed));
    const { versions, unknown } = known;

    const isCrdPhase = phase.name === "custom resource definitions";
    const applyOne = async ({ obj, ref, error }: (typeof resolved)[number]): Promise<ApplyResult> => {
      if (error !== undefined) {
        const crd = crdKinds.get(`${groupOf(obj.apiVersion)}/${obj.kind}`);
        if (opts.dryRun && crd && error instanceof KubeError && error.reason === "NoKindMatch") {
          return {
            ref,
            action: "created",
            message: `not validated by the server: its CustomResourceDefinition ${crd.metadata.name} is created by this apply`,
          };
        }
        return failure(ref, error, client);
      }
      if (opts.signal?.aborted) return { ref, action: "skipped", message: "not applied: cancelled" };
      const key = refKey(ref);
      try {
        let before = versions.get(key);
        let existed: boolean | undefined = before === undefined ? undefined : true;
        // Read by the caller (observed): known to exist or not, and applied on that condition.
        const guarded = covered(ref);
        if (guarded) existed = before !== undefined;
        if (unknown.has(key)) {
          // Best effort: a credential may be allowed to patch but not to read (then ownership cannot be checked).
          const live = await client.get(ref).catch(() => null);
          if (live !== null) {
            existed = live !== undefined;
            before = live;
          }
        }
        // Custom resources listed only now, and objects read one by one, are checked here.
        const refused = await refusal(ref, before);
        if (refused) return refused;
        const applyAs = (expected: KubeObject | undefined, conditional: boolean) =>
          client.apply(
            conditional ? { ...obj, metadata: { ...obj.metadata, resourceVersion: expectedVersion(expected) } } : obj,
            {
              fieldManager: opts.fieldManager,
              ...(opts.force ? { force: true } : {}),
              ...(opts.dryRun ? { dryRun: true } : {}),
              ...(opts.signal ? { signal: opts.signal } : {}),
            },
          );
        let applied: Awaited<ReturnType<typeof applyAs>> | undefined;
        for (let attempt = 0; !applied; attempt++) {
          try {
            // An object written faster than it can be re-read and applied (a controller moving its status) would meet
            // a 409 every time: its last attempt is made on its last read without the condition — how it was applied
            // before the read was reused, and its ownership has just been decided on that read.
            applied = await applyAs(before, guarded && attempt < STALE_RETRIES);
          } catch (err) {
            if (!guarded || !isConflict(err) || attempt >= STALE_RETRIES) throw err;
            // The object as it is now: unchanged since the read means the 409 was the apply's own (a field owned by
            // another manager); changed means it is decided again on this read — refused if another application's.
            const live = await client.get(ref);
            if (expectedVersion(live) === expectedVersion(before)) throw err;
            before = live;
            existed = live !== undefined;
            const taken = await refusal(ref, live);
            if (taken) return taken;
          }
        }
        const { status, object } = applied;
        const action: ApplyAction =
          status === 201 || existed === false
            ? "created"
            : before !== undefined && sameState(before, object, opts.dryRun)
              ? "unchanged"
              : "configured";
        if (isCrdPhase && !opts.dryRun) {
          try {
            await waitForCrdEstablished(client, obj, {
              ...(opts.crdTimeoutMs === undefined ? {} : { timeoutMs: opts.crdTimeoutMs }),
              ...(opts.signal ? { signal: opts.signal } : {}),
            });
          } catch (err) {
            return failure(ref, err, client);
          }
        }
        return { ref, action, object };
      } catch (err) {
        // On dry-run the namespace this same set creates does not exist yet, so the server cannot validate into it.
        if (
          opts.dryRun &&
          err instanceof KubeError &&
          err.code === 404 &&
          ref.namespace &&
          newNamespaces.has(ref.namespace)
        ) {
          return {
            ref,
            action: "created",
            message: `not validated by the server: namespace ${ref.namespace} is created by this apply`,
          };
        }
        return failure(ref, err, client);
      }
    };
    let failing = false;
    const phaseResults = await mapConcurrent(resolved, concurrency, async (entry, position) => {
      const applying = applyOne(entry);
      // This phase's last object is on its way: the next phase's preparation overlaps the tail (up to `concurrency`
      // objects still in flight) rather than waiting for the slowest of them. Not when this phase already failed (the
      // next one will not start) or the apply is cancelled.
      if (position === resolved.length - 1 && !(failing && !opts.continueOnError) && !opts.signal?.aborted)
        prepare(index + 1);
      const result = await applying;
      if (result.action === "failed") failing = true;
      emit(result);
      return result;
    });
    results.push(...phaseResults);
    await parentWrite;

    const failedHere = phaseResults.filter((r) => r.action === "failed");
    if (failedHere.length > 0 && !opts.continueOnError) {
      stopReason = `an earlier phase (${phase.name}) had ${failedHere.length} failure${failedHere.length === 1 ? "" : "s"}`;
    }
  }

  const counts = emptyCounts();
  for (const result of results) counts[result.action]++;
  return {
    results,
    counts,
    ok: counts.failed === 0 && counts.skipped === 0,
    inventory,
  };
}
