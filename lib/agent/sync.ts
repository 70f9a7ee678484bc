import { randomUUID } from "node:crypto";
import {
  applyManifests,
  applySetFor,
  diffManifests,
  formatRef,
  isTrackedWorkload,
  pruneApplySet,
  waitForRollout,
  type ApplySetRef,
  type WatchBudget,
  type DiffReport,
  type KubeClient,
  type KubeObject,
  type ObjectSyncStatus,
} from "@/lib/kube";
import { defaultReleaseName, helmCapabilities, type RenderProblem } from "@/lib/render";
import { describeDrift, detectDrift, FIELD_MANAGER } from "./drift";
import { AgentError } from "./errors";
import type { CommitInfo, GitCache } from "./git";
import { overrideImages, parseImageReference, selectTag, type ImageChange } from "./image-policy";
import {
  commitOfRevision,
  specDigestOfRevision,
  specOf,
  DIFF_CHANGES_PER_OBJECT_MAX,
  DIFF_OBJECTS_MAX,
  MESSAGE_MAX_CHARS,
  revisionIdOf,
  type TAppliedManifestsRef,
  type TDiff,
  type TImagePolicy,
  type TRepoAssignment,
  type TRepoSpec,
  type TRepoState,
  type TSyncEventInput,
  type TSyncTrigger,
  type TTargetAssignment,
} from "./protocol";
import type { RegistryClient } from "./registry";
import { renderManifests, scopeObjects } from "./render";
import { specDigestOf } from "./spec";
import { tagPatternProblem } from "./tag-pattern";
import type { AgentState, RepoRecord } from "./state";

/** What a repo reconciler needs from the agent around it. */
export interface SyncContext {
  client: KubeClient;
  git: GitCache;
  registry: RegistryClient;
  state: AgentState;
  emit(event: TSyncEventInput): void;
  log(line: string): void;
  /**
   * Keeps the manifests of objects just applied until Wharf holds them (lib/agent/applied-manifests.ts ManifestsSpool)
   * and returns what the event names them by. Absent: events carry no manifests record.
   */
  keepManifests?(objects: readonly KubeObject[]): TAppliedManifestsRef;
  /** Deadline for workloads to become ready after an apply. Default 5 minutes. */
  rolloutTimeoutMs?: number;
  /**
   * The agent's cap on rollout watches open at once (lib/kube WatchBudget), shared by all its repos: a rollout is
   * followed with a watch while the cap allows, else polled. Absent: every rollout wait watches.
   */
  rolloutWatches?: WatchBudget;
  /**
   * Runs a wait that needs no concurrency slot (the rollout wait): the agent gives the reconciliation's slot to other
   * repos meanwhile and takes one back before it goes on, so a rollout that never becomes ready holds up nobody else.
   */
  whileWaiting?<T>(wait: () => Promise<T>): Promise<T>;
}

/** Per-repo status for heartbeats. */
export interface RepoStatus {
  state: TRepoState;
  revision: string | null;
  message?: string;
}

/**
 * A revision to deploy: a commit, the image tag each policy chose (or was pinned to), and the spec (URL, branch,
 * path, render options, prune, image policies) it is applied with — a unit, as approved: the id names all three.
 */
interface Desired {
  commit: CommitInfo;
  images: Record<string, string>;
  spec: TRepoSpec;
  id: string;
}

/** Parses `<sha>+policy=tag,policy=tag@spec` (see revisionIdOf) into the commit, the tag per policy and the spec digest. */
export function parseRevisionId(revisionId: string): {
  sha: string;
  images: Record<string, string>;
  specDigest: string | null;
} {
  const sha = commitOfRevision(revisionId);
  const specDigest = specDigestOfRevision(revisionId);
  const images: Record<string, string> = {};
  const withoutSpec = specDigest === null ? revisionId : revisionId.slice(0, revisionId.indexOf("@"));
  const rest = withoutSpec.slice(sha.length + 1);
  if (rest) {
    for (const part of rest.split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) images[part.slice(0, eq)] = part.slice(eq + 1);
    }
  }
  return { sha, images, specDigest };
}

/**
 * A revision id as this agent names it: an id from before spec digests (no `@…`) gets the digest of the spec it
 * comes with, so an approval given before the upgrade still matches the same commit with the same settings.
 */
function withSpecDigest(revisionId: string | null, spec: TRepoSpec | null | undefined): string | null {
  if (!revisionId || !spec || specDigestOfRevision(revisionId) !== null) return revisionId;
  return `${revisionId}@${specDigestOf(spec)}`;
}

/**
 * The spec Wharf sent with an approved or pinned revision. A Wharf older than spec digests sends none at all
 * (undefined, where a current one sends null for "unknown"): its approvals and pins meant the current settings.
 */
function sentSpec(repo: TRepoAssignment, sent: TRepoSpec | null | undefined): TRepoSpec | null {
  return sent === undefined ? specOf(repo) : sent;
}

const sameImages = (a: Record<string, string>, b: Record<string, string>) =>
  revisionIdOf("", a) === revisionIdOf("", b);

function truncate(text: string, max = MESSAGE_MAX_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function boundedValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text !== undefined && text.length > 2000 ? "(large value omitted)" : value;
}

/** lib/kube's DiffReport within the protocol's bounds; unchanged objects are counted, not listed. */
export function toProtocolDiff(report: DiffReport): TDiff {
  const listed = report.objects.filter((o) => o.action !== "unchanged");
  const truncated =
    listed.length > DIFF_OBJECTS_MAX || listed.some((o) => o.changes.length > DIFF_CHANGES_PER_OBJECT_MAX);
  return {
    counts: { ...report.counts },
    objects: listed.slice(0, DIFF_OBJECTS_MAX).map((o) => ({
      ref: o.ref,
      action: o.action,
      changes: o.changes.slice(0, DIFF_CHANGES_PER_OBJECT_MAX).map((c) => ({
        path: c.path,
        op: c.op,
        ...(c.old === undefined ? {} : { old: boundedValue(c.old) }),
        ...(c.new === undefined ? {} : { new: boundedValue(c.new) }),
      })),
      ...(o.message ? { message: truncate(o.message) } : {}),
    })),
    truncated,
  };
}

/**
 * Reconciles one repository on one target. Each call decides, from Git, the registry and the assignment, what should
 * run, then does exactly one of: apply a new revision; report a revision waiting for approval (with the dry-run
 * diff, once per revision); or check the last applied revision for drift (correcting it with self-heal). A revision
 * whose manifests fail to parse or fall outside the target's scope applies nothing, and the cluster stays on the
 * last good revision. Calls for one repo must not overlap (the scheduler serializes them).
 */
export class RepoReconciler {
  readonly repoId: string;
  #status: RepoStatus = { state: "out-of-sync", revision: null };
  /** Rendered objects of the last applied revision (and the digest of the spec they were built with), for drift checks without re-reading Git. */
  #applied: { revision: string; specDigest: string; objects: KubeObject[] } | undefined;
  #pendingReported = new Set<string>();
  #lastFailure: string | undefined;
  #lastDrift: string | undefined;
  /** Sync status of the drifted objects of the last applied revision (none: all Synced); undefined until checked. */
  #sync: Map<string, ObjectSyncStatus> | undefined;
  /** What this reconciliation applied, for its event even when the rollout then fails; reset by each reconcile. */
  #appliedManifests: TAppliedManifestsRef | undefined;

  constructor(
    private readonly ctx: SyncContext,
    repoId: string,
  ) {
    this.repoId = repoId;
    const record = ctx.state.repo(repoId);
    if (record) this.#status = { state: "in-sync", revision: record.revision };
  }

  get status(): RepoStatus {
    return this.#status;
  }

  /**
   * What the last apply or drift check found of each inventory object (lib/agent/live-details.ts): the drifted ones by
   * refKey, with values and field managers. Undefined before either ran.
   */
  get syncStatus(): ReadonlyMap<string, ObjectSyncStatus> | undefined {
    return this.#sync;
  }

  #event(
    target: TTargetAssignment,
    repo: TRepoAssignment,
    fields: Omit<TSyncEventInput, "id" | "occurredAt" | "targetId" | "repoId">,
  ): void {
    this.ctx.emit({
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      targetId: target.targetId,
      repoId: repo.repoId,
      ...fields,
      message: truncate(fields.message ?? ""),
    });
  }

  #revisionOf(desired: Desired) {
    return {
      sha: desired.commit.sha,
      id: desired.id,
      message: truncate(desired.commit.message),
      authorName: desired.commit.authorName.slice(0, 320),
      authorEmail: desired.commit.authorEmail.slice(0, 320),
      ...(desired.commit.date ? { committedAt: desired.commit.date } : {}),
    };
  }

  async #chooseImages(policies: TImagePolicy[]): Promise<Record<string, string>> {
    // A policy stored before tag patterns had to run on RE2 reaches the agent as it is: the repository fails, naming
    // it, rather than syncing as if it had no policy (the manifests' own, unpinned tags).
    for (const policy of policies) {
      const problem = policy.tagPattern === undefined ? undefined : tagPatternProblem(policy.tagPattern);
      if (problem)
        throw new AgentError(
          "IMAGE_POLICY_INVALID",
          `image policy "${policy.name}" has a tag pattern Wharf cannot run: ${problem} Fix the policy in Wharf; nothing is synced until then.`,
        );
    }
    const images: Record<string, string> = {};
    for (const policy of policies) {
      const ref = parseImageReference(policy.repository);
      const tags = await this.ctx.registry.listTags(ref.registry, ref.repository);
      const tag = selectTag(tags, {
        ...(policy.semver === undefined ? {} : { semverRange: policy.semver }),
        ...(policy.tagPattern === undefined ? {} : { tagPattern: policy.tagPattern }),
        ...(policy.order ? { ordering: policy.order } : {}),
      });
      // No allowed tag yet: the manifests' own tag stays, rather than failing the whole repo.
      if (tag) images[policy.name] = tag;
    }
    return images;
  }

  /** A named revision (approved or pinned) with the spec it is applied with; its id carries that spec's digest. */
  async #resolve(spec: TRepoSpec, revisionId: string): Promise<Desired> {
    const { sha, images } = parseRevisionId(revisionId);
    const commit = await this.ctx.git.fetch(spec.url, spec.branch, sha);
    return { commit, images, spec, id: revisionIdOf(commit.sha, images, specDigestOf(spec)) };
  }

  /**
   * The spec an approved or pinned revision is applied with: the one Wharf sent with it, which must hash to the
   * digest the id names. Never the repository's current settings on a target that requires approvals: they may have
   * changed since the approval and wait for approval themselves. Elsewhere nothing is gated, and an unknown spec
   * falls back to the current settings.
   */
  #specFor(
    target: TTargetAssignment,
    repo: TRepoAssignment,
    revisionId: string,
    sent: TRepoSpec | null | undefined,
  ): TRepoSpec {
    const digest = specDigestOfRevision(revisionId);
    if (sent) {
      if (digest !== null && specDigestOf(sent) !== digest) {
        throw new AgentError(
          "SPEC_UNKNOWN",
          `the settings Wharf sent for revision ${revisionId.slice(0, 12)} do not match its digest ${digest}; nothing applied`,
        );
      }
      return sent;
    }
    if (!target.requiresApproval) return specOf(repo);
    throw new AgentError(
      "SPEC_UNKNOWN",
      `Wharf does not know the settings revision ${revisionId.slice(0, 12)} was approved with; nothing applied until a revision of the current settings is approved`,
    );
  }

  /** The spec the last applied revision was applied with; a record written before specs were recorded takes the current one. */
  #specOfRecord(repo: TRepoAssignment, last: RepoRecord): TRepoSpec {
    return last.spec ?? specOf(repo);
  }

  /** Rendered, scoped objects of a revision with its image tags set; the image changes relative to the manifests. */
  async #build(
    target: TTargetAssignment,
    desired: Desired,
  ): Promise<{ objects: KubeObject[]; changes: (ImageChange & { policy: string })[] }> {
    const { spec } = desired;
    const render = spec.render;
    const helm = render?.helm;
    const files = await this.ctx.git.readManifests(spec.url, desired.commit.sha, spec.path === "." ? "" : spec.path, {
      kind: render?.kind ?? "auto",
      // A chart renders with the spec's release name, values files and inline values, into the target's namespace,
      // with the versions this cluster serves (its discovery, asked only when the path is a chart).
      helm: async () => ({
        releaseName: helm?.releaseName ?? defaultReleaseName(spec.path, spec.url),
        namespace: target.defaultNamespace,
        ...(helm?.valuesFiles.length ? { valuesFiles: helm.valuesFiles } : {}),
        ...(helm && Object.keys(helm.values).length ? { values: helm.values } : {}),
        ...(helm?.repositories?.length ? { repositories: helm.repositories } : {}),
        ...(await helmCapabilities(this.ctx.client)),
      }),
    });
    let objects = await scopeObjects(this.ctx.client, renderManifests(files), target);
    const changes: (ImageChange & { policy: string })[] = [];
    for (const policy of spec.imagePolicies) {
      const tag = desired.images[policy.name];
      if (!tag) continue;
      const result = overrideImages(objects, { image: policy.repository, targets: policy.targets }, tag);
      objects = result.objects;
      changes.push(...result.changes.map((c) => ({ ...c, policy: policy.name })));
    }
    return { objects, changes };
  }

  /**
   * Runs one reconciliation, then dry-runs the pin requests awaiting approval (#reportPendingPins) against what runs
   * after it. Never throws (failures become `failed` events and status), returns the error for backoff.
   */
  async reconcile(
    target: TTargetAssignment,
    repo: TRepoAssignment,
    trigger: TSyncTrigger,
  ): Promise<AgentError | undefined> {
    const error = await this.#reconcile(target, repo, trigger);
    await this.#reportPendingPins(target, repo, trigger);
    return error;
  }

  async #reconcile(
    target: TTargetAssignment,
    repo: TRepoAssignment,
    trigger: TSyncTrigger,
  ): Promise<AgentError | undefined> {
    const started = Date.now();
    let desired: Desired | undefined;
    this.#appliedManifests = undefined;
    try {
      const last = this.ctx.state.repo(repo.repoId);
      if (repo.pinnedRevision) {
        desired = await this.#resolve(
          this.#specFor(target, repo, repo.pinnedRevision, sentSpec(repo, repo.pinnedSpec)),
          repo.pinnedRevision,
        );
        if (last?.revision !== desired.id) trigger = "rollback";
      } else {
        // What the repository's current settings ask for: their branch head, their images, their digest.
        const spec = specOf(repo);
        const commit = await this.ctx.git.fetch(spec.url, spec.branch);
        const images = await this.#chooseImages(spec.imagePolicies);
        desired = { commit, images, spec, id: revisionIdOf(commit.sha, images, specDigestOf(spec)) };
        const approvedSpec = sentSpec(repo, repo.approvedSpec);
        const approvedId = withSpecDigest(repo.approvedRevision, approvedSpec);
        if (target.requiresApproval && desired.id !== approvedId) {
          await this.#reportPending(target, repo, desired, trigger);
          if (repo.approvedRevision && approvedId !== last?.revision) {
            // The last approved revision, as a unit: its commit and images with the spec it was approved with.
            desired = await this.#resolve(
              this.#specFor(target, repo, repo.approvedRevision, approvedSpec),
              repo.approvedRevision,
            );
            trigger = "approval";
          } else {
            if (last) await this.#checkDrift(target, repo, last);
            if (this.#status.state !== "drifted" && this.#status.state !== "failed") {
              this.#status = {
                state: "pending-approval",
                revision: last?.revision ?? null,
                message: `${desired.id.slice(0, 12)} awaits approval`,
              };
            }
            this.#lastFailure = undefined;
            return undefined;
          }
        } else if (target.requiresApproval && repo.approvedRevision) {
          // Same digest, so the same settings; applied as Wharf sent them with the approval, checked against it.
          desired = { ...desired, spec: this.#specFor(target, repo, repo.approvedRevision, approvedSpec) };
          if (desired.id !== last?.revision) trigger = "approval";
        }
      }
      if (last && last.revision === desired.id) {
        await this.#checkDrift(target, repo, last);
        this.#lastFailure = undefined;
        return undefined;
      }
      if (
        last &&
        trigger !== "rollback" &&
        trigger !== "approval" &&
        last.sha === desired.commit.sha &&
        !sameImages(last.images, desired.images)
      )
        trigger = "image";
      await this.#apply(target, repo, desired, trigger, last, started);
      this.#lastFailure = undefined;
      return undefined;
    } catch (err) {
      const error =
        err instanceof AgentError
          ? err
          : new AgentError("APPLY_FAILED", err instanceof Error ? err.message : String(err), { cause: err });
      const key = `${desired?.id ?? ""}|${error.code}|${error.message}`;
      this.#status = {
        state: "failed",
        revision: this.ctx.state.repo(repo.repoId)?.revision ?? null,
        message: truncate(error.message),
      };
      this.ctx.log(`repo ${repo.repoId}: failed (${error.code}): ${error.message}`);
      // The same failure of the same revision is reported once, not on every retry.
      if (key !== this.#lastFailure) {
        this.#lastFailure = key;
        const problems = (error.details?.problems as RenderProblem[] | undefined)?.slice(0, 200);
        this.#event(target, repo, {
          kind: "sync",
          trigger,
          result: "failed",
          ...(desired ? { revision: this.#revisionOf(desired) } : {}),
          durationMs: Date.now() - started,
          message: `${error.code}: ${error.message}`,
          ...(problems
            ? { problems: problems.map((p) => ({ ...p, file: p.file.slice(0, 1024), message: truncate(p.message) })) }
            : {}),
          // Applied, then its rollout or prune failed: the record still says what reached the cluster.
          ...(this.#appliedManifests ? { manifests: this.#appliedManifests } : {}),
        });
      }
      return error;
    }
  }

  /**
   * Dry-runs a revision awaiting approval and reports its diff, once: a new revision of the branch (keyed by its id),
   * or with `pinRequestId` the revision of a pin request (keyed by the request, so a request made again is reported
   * again). Server-side apply with dryRun=All: nothing reaches the cluster.
   */
  async #reportPending(
    target: TTargetAssignment,
    repo: TRepoAssignment,
    desired: Desired,
    trigger: TSyncTrigger,
    pinRequestId?: string,
  ): Promise<void> {
    const key = pinRequestId ? pinKeyOf(pinRequestId) : desired.id;
    if (this.#pendingReported.has(key)) return;
    const { objects } = await this.#build(target, desired);
    const previous = this.ctx.state.repo(repo.repoId)?.inventory;
    const diff = await diffManifests(this.ctx.client, objects, {
      fieldManager: FIELD_MANAGER,
      force: true,
      applySet: applySetOf(target, repo),
      ...(desired.spec.prune ? { prune: { ...(previous ? { previous } : {}) } } : {}),
    });
    this.#pendingReported.add(key);
    const c = diff.counts;
    this.#event(target, repo, {
      kind: "pending-approval",
      trigger,
      result: "pending-approval",
      revision: this.#revisionOf(desired),
      diff: toProtocolDiff(diff),
      message: `${pinRequestId ? "pinned revision" : "revision"} ${desired.id.slice(0, 12)} awaits approval: ${c.create} to create, ${c.change} to change, ${c.prune} to prune`,
      ...(pinRequestId ? { pinRequestId } : {}),
    });
    this.ctx.log(`repo ${repo.repoId}: ${desired.id.slice(0, 12)} pending approval${pinRequestId ? " (pin)" : ""}`);
  }

  /**
   * The diff of each pin request awaiting approval (ZRepoAssignment.pendingPins), reported once by #reportPending.
   * The pin is not in force, so nothing is applied. A dry run that fails (the commit is gone, the settings are
   * unknown) is reported with its reason, once per reason, and tried again on the next reconciliation.
   */
  async #reportPendingPins(target: TTargetAssignment, repo: TRepoAssignment, trigger: TSyncTrigger): Promise<void> {
    const pins = repo.pendingPins ?? [];
    // Requests decided or cancelled since are forgotten: the set stays as small as the list.
    const open = new Set(pins.map((p) => pinKeyOf(p.requestId)));
    for (const key of this.#pendingReported)
      if (key.startsWith(PIN_KEY) && !open.has(key.split("|")[0]!)) this.#pendingReported.delete(key);
    for (const pin of pins) {
      const key = pinKeyOf(pin.requestId);
      if (this.#pendingReported.has(key)) continue;
      try {
        const spec = this.#specFor(target, repo, pin.revision, sentSpec(repo, pin.spec));
        await this.#reportPending(target, repo, await this.#resolve(spec, pin.revision), trigger, pin.requestId);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (this.#pendingReported.has(`${key}|${message}`)) continue;
        this.#pendingReported.add(`${key}|${message}`);
        this.#event(target, repo, {
          kind: "pending-approval",
          trigger,
          result: "pending-approval",
          pinRequestId: pin.requestId,
          message: `the dry run of pinned revision ${pin.revision.slice(0, 12)} failed: ${message}`,
        });
        this.ctx.log(`repo ${repo.repoId}: dry run of pin ${pin.revision.slice(0, 12)} failed: ${message}`);
      }
    }
  }

  /** The objects the last applied revision consists of, built with the spec it was applied with (never the current one). */
  async #appliedObjects(target: TTargetAssignment, repo: TRepoAssignment, last: RepoRecord): Promise<KubeObject[]> {
    const spec = this.#specOfRecord(repo, last);
    const specDigest = specDigestOf(spec);
    if (this.#applied?.revision === last.revision && this.#applied.specDigest === specDigest)
      return this.#applied.objects;
    const commit = await this.ctx.git.fetch(spec.url, spec.branch, last.sha);
    const { objects } = await this.#build(target, { commit, images: last.images, spec, id: last.revision });
    this.#applied = { revision: last.revision, specDigest, objects };
    return objects;
  }

  async #checkDrift(target: TTargetAssignment, repo: TRepoAssignment, last: RepoRecord): Promise<void> {
    const objects = await this.#appliedObjects(target, repo, last);
    const started = Date.now();
    const drift = await detectDrift(this.ctx.client, objects, applySetOf(target, repo));
    this.#sync = drift.sync;
    if (drift.objects.length === 0) {
      this.#lastDrift = undefined;
      this.#status = { state: "in-sync", revision: last.revision };
      return;
    }
    // The drift event keeps to paths; values and managers go with the live-state report.
    const { signature, sync: _sync, ...report } = drift;
    void _sync;
    const description = describeDrift(report);
    const spec = this.#specOfRecord(repo, last);
    const commit = await this.ctx.git.fetch(spec.url, spec.branch, last.sha);
    const revision = this.#revisionOf({ commit, images: last.images, spec, id: last.revision });
    if (!repo.selfHeal) {
      this.#status = { state: "drifted", revision: last.revision, message: truncate(description) };
      if (signature !== this.#lastDrift) {
        this.#lastDrift = signature;
        this.#event(target, repo, {
          kind: "drift",
          trigger: "drift",
          result: "drift-detected",
          revision,
          drift: report,
          message: `drift detected: ${description}`,
        });
        this.ctx.log(`repo ${repo.repoId}: drift detected: ${description}`);
      }
      return;
    }
    const report2 = await applyManifests(this.ctx.client, objects, {
      fieldManager: FIELD_MANAGER,
      force: true,
      applySet: applySetOf(target, repo),
    });
    if (!report2.ok) throw new AgentError("APPLY_FAILED", `drift correction failed: ${failures(report2.results)}`);
    const manifests = this.ctx.keepManifests?.(objects);
    this.#sync = new Map();
    this.#lastDrift = undefined;
    this.#status = { state: "in-sync", revision: last.revision };
    this.#event(target, repo, {
      kind: "drift",
      trigger: "drift",
      result: "drift-corrected",
      revision,
      drift: report,
      counts: {
        created: report2.counts.created,
        changed: report2.counts.configured,
        unchanged: report2.counts.unchanged,
        pruned: 0,
      },
      durationMs: Date.now() - started,
      message: `drift corrected: ${description}`,
      ...(manifests ? { manifests } : {}),
    });
    this.ctx.log(`repo ${repo.repoId}: drift corrected: ${description}`);
  }

  async #apply(
    target: TTargetAssignment,
    repo: TRepoAssignment,
    desired: Desired,
    trigger: TSyncTrigger,
    last: RepoRecord | undefined,
    started: number,
  ): Promise<void> {
    const { objects, changes } = await this.#build(target, desired);
    const applySet = applySetOf(target, repo);
    const report = await applyManifests(this.ctx.client, objects, {
      fieldManager: FIELD_MANAGER,
      // Git is the source of truth: fields another manager took over are taken back, as Flux does. Objects of another
      // application are still refused (ApplySet ownership, checked before anything is applied).
      force: true,
      applySet,
    }).catch((err: unknown) => {
      throw new AgentError("CLUSTER_UNREACHABLE", err instanceof Error ? err.message : String(err), { cause: err });
    });
    if (!report.ok) {
      throw new AgentError(
        "APPLY_FAILED",
        `apply of ${desired.id.slice(0, 12)} failed: ${failures(report.results) || "unknown error"}`,
      );
    }
    // Applied with force: every object is as Wharf wants it now, whatever its rollout does next.
    this.#appliedManifests = this.ctx.keepManifests?.(objects);
    this.#sync = new Map();
    const record: RepoRecord = {
      revision: desired.id,
      sha: desired.commit.sha,
      images: desired.images,
      spec: desired.spec,
      inventory: report.inventory,
      appliedAt: new Date().toISOString(),
    };
    // Recorded before the rollout wait: what was applied is what the next prune must compare against.
    this.ctx.state.setRepo(repo.repoId, record);
    this.#applied = { revision: desired.id, specDigest: specDigestOf(desired.spec), objects };
    this.#lastDrift = undefined;

    const changedWorkloads = report.results
      .filter((r) => r.action === "created" || r.action === "configured")
      .map((r) => r.ref);
    // Followed with a watch (kubectl rollout status's way): the rollout is seen done as the cluster records it, where a
    // poll (250 ms doubling to 2 s) saw it up to an interval later — time every sync's event waited for nothing.
    const wait = () =>
      waitForRollout(this.ctx.client, changedWorkloads, {
        timeoutMs: this.ctx.rolloutTimeoutMs ?? 5 * 60_000,
        watch: true,
        ...(this.ctx.rolloutWatches ? { watchBudget: this.ctx.rolloutWatches } : {}),
      });
    // Only a workload makes it a wait worth giving the slot up for; a ConfigMap-only change finishes at once.
    const rollout =
      this.ctx.whileWaiting && changedWorkloads.some(isTrackedWorkload)
        ? await this.ctx.whileWaiting(wait)
        : await wait();
    if (!rollout.ok) {
      throw new AgentError(
        "ROLLOUT_FAILED",
        rollout.results
          .filter((r) => r.state !== "ready")
          .map((r) => `${formatRef(r.ref)}: ${r.message}`)
          .join("; "),
      );
    }

    // Prune only now: a revision that did not roll out deletes nothing its predecessor may still be serving with.
    let pruned = 0;
    if (desired.spec.prune) {
      const prune = await pruneApplySet(this.ctx.client, {
        applySet,
        keep: report.inventory,
        ...(last ? { previous: last.inventory } : {}),
      }).catch((err: unknown) => {
        throw new AgentError(
          "APPLY_FAILED",
          `prune of ${desired.id.slice(0, 12)} failed: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      });
      if (prune.results.some((r) => r.action === "failed"))
        throw new AgentError("APPLY_FAILED", `prune of ${desired.id.slice(0, 12)} failed: ${failures(prune.results)}`);
      pruned = prune.results.length;
    }

    const counts = {
      created: report.counts.created,
      changed: report.counts.configured,
      unchanged: report.counts.unchanged,
      pruned,
    };
    const lastImages = last?.images ?? {};
    const imageChanges = desired.spec.imagePolicies
      .filter((p) => desired.images[p.name] && desired.images[p.name] !== lastImages[p.name])
      .map((p) => {
        const change = changes.find((c) => c.policy === p.name);
        const to = `${p.repository}:${desired.images[p.name]}`;
        const from = lastImages[p.name] ? `${p.repository}:${lastImages[p.name]}` : (change?.from ?? null);
        return { policy: p.name, from, to };
      });
    const imageText = imageChanges.map((c) => `image updated ${c.from ?? "(none)"} → ${c.to}`).join("; ");
    const summary = `${counts.created} created, ${counts.changed} changed, ${counts.unchanged} unchanged, ${counts.pruned} pruned`;
    this.#status = { state: "in-sync", revision: desired.id };
    this.#pendingReported.delete(desired.id);
    this.#event(target, repo, {
      kind: imageChanges.length > 0 && last?.sha === desired.commit.sha ? "image-update" : "sync",
      trigger,
      result: "synced",
      revision: this.#revisionOf(desired),
      counts,
      durationMs: Date.now() - started,
      message: `synced ${desired.id.slice(0, 12)}: ${summary}${imageText ? `; ${imageText}` : ""}`,
      ...(imageChanges[0] ? { image: imageChanges[0] } : {}),
      ...(imageChanges.length > 1 ? { images: imageChanges } : {}),
      ...(this.#appliedManifests ? { manifests: this.#appliedManifests } : {}),
    });
    this.ctx.log(
      `repo ${repo.repoId}: synced ${desired.id.slice(0, 12)} (${trigger}) in ${Date.now() - started} ms: ${summary}${imageText ? `; ${imageText}` : ""}`,
    );
  }
}

/** #pendingReported keys of pin requests (revision ids never start so). */
const PIN_KEY = "pin ";
const pinKeyOf = (requestId: string) => `${PIN_KEY}${requestId}`;

/**
 * The repository's application: an ApplySet whose parent lives in the target's default namespace, keyed by the
 * application's inventory key (the repository id for repositories registered before applications, and when an older
 * dashboard sends none), whose `wharf.dev/inventory` objects, from before ApplySets, it adopts.
 */
function applySetOf(target: TTargetAssignment, repo: TRepoAssignment): ApplySetRef {
  return applySetFor(repo.inventoryKey ?? repo.repoId, target.defaultNamespace, {
    application: `${repo.url}${repo.path && repo.path !== "." ? ` (${repo.path})` : ""}`,
  });
}

function failures(
  results: { ref: { kind: string; name: string; namespace?: string }; action: string; message?: string }[],
): string {
  return results
    .filter((r) => r.action === "failed")
    .slice(0, 5)
    .map((r) => `${formatRef(r.ref as Parameters<typeof formatRef>[0])}: ${r.message ?? "failed"}`)
    .join("; ");
}
