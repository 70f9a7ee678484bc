import { createHash } from "node:crypto";
import {
  diffManifests,
  diffObjects,
  findPruneCandidates,
  type KubeError,
  observedFrom,
  refOf,
  toKubeError,
  type ApplySetRef,
  type KubeClient,
  type KubeObject,
  type ObjectRef,
  type ObservedState,
} from "@/lib/kube";
import type { DeploymentPreview, PreviewAction, PreviewObject } from "./schemas";

/**
 * The review diff of a push deployment: a server-side dry-run apply of every object (lib/kube's diffManifests, so
 * defaults, admission and field ownership are the cluster's; an object of another application shows as the error the
 * apply will refuse it with), plus what the executor's prune will delete once the rollout succeeded, found the same
 * way (the application's members that this set no longer contains). Plain Node.
 */

/**
 * Starts the log lines a request writes about how its manifests were made (a Helm chart rendered without the
 * target's versions); the preview shows them as its notes, however often it is computed again.
 */
export const RENDER_NOTE_PREFIX = "Render: ";

/** Field manager of push deployments; the preview dry-runs as the apply will run. */
export const PUSH_FIELD_MANAGER = "wharf";

/** Longest value kept per changed field, so a preview of a large ConfigMap stays a readable size. */
const MAX_VALUE_CHARS = 4000;

function clip(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined || text.length <= MAX_VALUE_CHARS) return value;
  return `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length - MAX_VALUE_CHARS} more characters)`;
}

function viewOf(
  ref: ObjectRef,
  action: PreviewAction,
  changes: PreviewObject["changes"],
  message: string | null,
): PreviewObject {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    namespace: ref.namespace ?? null,
    name: ref.name,
    action,
    changes: changes.map((c) => ({
      path: c.path,
      op: c.op,
      ...(c.old !== undefined ? { old: clip(c.old) } : {}),
      ...(c.new !== undefined ? { new: clip(c.new) } : {}),
    })),
    message,
  };
}

export interface PreviewResult {
  preview: DeploymentPreview;
  /** A plain sentence when the cluster could not be reached or refused the credential; null when the diff is sound. */
  problem: string | null;
  /**
   * The live objects and the ApplySet parent as this preview read them: the executor's apply right after its plan
   * re-check starts from them instead of reading them again (lib/kube's ApplyOptions.observed, whose writes are
   * conditional on these reads).
   */
  observed: ObservedState;
}

/** "The cluster refused the stored credential (403): <message>" or "Wharf could not reach …", from any KubeError. */
export function describeClusterProblem(err: KubeError, serverUrl: string): string | null {
  if (err.code === 401 || err.code === 403)
    return `The cluster refused the stored credential (${err.code}): ${err.serverMessage}`;
  if (err.code === 0) return `Wharf could not reach the cluster at ${serverUrl}: ${err.serverMessage || err.reason}`;
  return null;
}

/**
 * Computes the preview. `applySet` is the deployment's application (see `pushApplySet`); `previous` is what the last
 * successful deployment to the target applied. Prunes are the application's members this set lacks, as the
 * executor's prune will find them. Errors per object stay per object; an unreachable cluster or a refused credential
 * is also summarized in `problem`.
 */
export async function computePreview(
  client: KubeClient,
  objects: KubeObject[],
  opts: { applySet: ApplySetRef; serverUrl: string; previous: ObjectRef[]; allowClusterScoped?: boolean },
): Promise<PreviewResult> {
  // What the prune would delete is found alongside the dry runs: it needs only the objects' refs as the server
  // resolves them (discovery, as the diff resolves them), not the dry runs' answers.
  const pruneSearch = (async () => {
    const keep = await Promise.all(
      objects.map((obj) =>
        client.normalizeRef(refOf(obj)).then(
          (resolved) => resolved.ref,
          () => refOf(obj),
        ),
      ),
    );
    return findPruneCandidates(client, { applySet: opts.applySet, keep, previous: opts.previous });
  })().then(
    (found) => ({ found }),
    (err: unknown) => ({ err }),
  );
  const report = await diffManifests(client, objects, {
    fieldManager: PUSH_FIELD_MANAGER,
    applySet: opts.applySet,
  });
  const out: PreviewObject[] = [];
  let problem: string | null = null;
  const kindName = (r: { apiVersion: string; kind: string; name: string }) => `${r.apiVersion}/${r.kind}/${r.name}`;
  const namedNamespace = new Set(
    objects.filter((o) => o.metadata.namespace).map((o) => kindName({ ...o, name: o.metadata.name })),
  );
  for (const o of report.objects) {
    // A custom resource that named a namespace but is cluster-scoped in this cluster (discovery says so): the
    // request-time check could not know, the cluster does. Its own error, if any, is a consequence of that.
    const unreachable = o.error && (o.error.code === 0 || o.error.code === 401);
    if (opts.allowClusterScoped === false && !o.ref.namespace && namedNamespace.has(kindName(o.ref)) && !unreachable) {
      out.push(
        viewOf(
          o.ref,
          "error",
          [],
          `${o.ref.kind} is cluster-scoped in this cluster, and this target does not allow cluster-scoped objects`,
        ),
      );
      continue;
    }
    out.push(viewOf(o.ref, o.action, o.changes, o.message ?? null));
    if (o.error) problem ??= describeClusterProblem(o.error, opts.serverUrl);
  }

  const pruned = await pruneSearch;
  const observed = observedFrom(report, "found" in pruned ? pruned.found.parent : undefined);
  if ("found" in pruned) {
    for (const live of pruned.found.candidates)
      out.push(viewOf(refOf(live), "prune", diffObjects(live, undefined), null));
  } else {
    const error = toKubeError(pruned.err, { cluster: client.cluster, operation: "find what to prune" });
    problem ??=
      describeClusterProblem(error, opts.serverUrl) ??
      `Wharf could not work out what this deployment will prune: ${error.serverMessage}`;
  }
  const counts: Record<PreviewAction, number> = { create: 0, change: 0, unchanged: 0, prune: 0, error: 0 };
  for (const o of out) counts[o.action]++;
  return { preview: { counts, objects: out }, problem, observed };
}

/** The actions that make a plan: what the run will create, change or prune. */
const PLAN_ACTIONS: readonly PreviewAction[] = ["create", "change", "prune"];

/**
 * The plan of a preview as a digest: the sorted (action, object) pairs of its creates, changes and prunes — never field
 * values, so a defaulted field or a status the dry run reports differently does not make an approved run stop. Two
 * previews have the same digest exactly when they would create, change and prune the same objects.
 */
export function planDigest(preview: DeploymentPreview): string {
  const lines = preview.objects
    .filter((o) => PLAN_ACTIONS.includes(o.action))
    .map((o) => `${o.action} ${o.apiVersion} ${o.kind} ${o.namespace ?? ""} ${o.name}`)
    .sort();
  return `sha256:${createHash("sha256").update(lines.join("\n")).digest("hex")}`;
}

/** The plan's counts in words ("create 0, change 1, prune 3"), for log lines and the stop message. */
export function planSummary(preview: DeploymentPreview): string {
  const { create, change, prune } = preview.counts;
  return `create ${create}, change ${change}, prune ${prune}`;
}

/**
 * The review diff between two sets of manifests as Wharf stored them, with no cluster involved: what requesting
 * `desired` again changes compared with what `current` applied (a rollback to an earlier deployment, shown before it is
 * requested). Objects match by kind, namespace (the target's default when a manifest names none) and name; field
 * changes come from the same `diffObjects` as the dry run's (Secret values redacted), clipped the same way. The request
 * itself then gets the server-side dry run against the cluster as it is, for its approvers.
 */
export function manifestsPreview(
  current: KubeObject[],
  desired: KubeObject[],
  defaultNamespace: string,
): DeploymentPreview {
  // Both sides placed in the target's default namespace where they name none, as the apply places them: a manifest
  // that starts or stops naming that namespace is the same object, unchanged.
  const placed = (o: KubeObject): KubeObject =>
    o.metadata.namespace ? o : { ...o, metadata: { ...o.metadata, namespace: defaultNamespace } };
  const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
  const before = new Map(current.map((o) => [key(placed(o)), placed(o)]));
  const out: PreviewObject[] = [];
  for (const o of desired.map(placed)) {
    const was = before.get(key(o));
    before.delete(key(o));
    const changes = was ? diffObjects(was, o) : [];
    out.push(viewOf(refOf(o), !was ? "create" : changes.length ? "change" : "unchanged", changes, null));
  }
  for (const gone of before.values()) out.push(viewOf(refOf(gone), "prune", [], null));
  const counts: Record<PreviewAction, number> = { create: 0, change: 0, unchanged: 0, prune: 0, error: 0 };
  for (const o of out) counts[o.action]++;
  return { counts, objects: out };
}
