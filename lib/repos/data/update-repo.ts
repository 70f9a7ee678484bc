import "server-only";
import type { TRenderOptions } from "@/lib/applications/schemas";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { ZCheckedImagePolicies } from "@/lib/agent/tag-pattern";
import { db, type Tx } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { ZUpdateRepo, type PullRepoView, type TUpdateRepoInput } from "../schemas";
import { repoKey } from "../url";
import { getRepo } from "./list-repos";
import { currentSpecDigest, recordRepoSpec, specOfRow } from "./repo-specs";
import { REPO_INCLUDE } from "./to-repo-view";

/** ZUpdateRepo with every tag pattern checked against RE2 (server-side: the form's copy of ZUpdateRepo carries no re2js). */
export const ZUpdateRepoChecked = ZUpdateRepo.extend({ imagePolicies: ZCheckedImagePolicies.optional() });
export type TUpdateRepoChecked = ReturnType<typeof ZUpdateRepoChecked.parse>;

/** A pull application's own settings, changed with its repository's (PATCH /api/applications/:id). */
export interface ApplicationSettingsChange {
  renderOptions?: TRenderOptions;
  driftInterval?: number | null;
}

/** What `changeRepo` changed. */
export interface RepoChange {
  targetId: string;
  applicationId: string | null;
  /** The repository's changed fields (url, branch, path, pollIntervalSeconds, prune, selfHeal, imagePolicies). */
  changed: string[];
  /** The application's columns that changed (its source mirrors the repository, plus its own settings). */
  applicationChanged: string[];
  /** A new desired revision: the spec the agent applies changed. */
  specChanged: boolean;
  /** The new revision waits for approval on the target (the approved one stays applied meanwhile). */
  requiresApproval: boolean;
}

export const repoAlreadyRegistered = () =>
  new AppError("REPO_ALREADY_REGISTERED", "This repository, branch and path are already registered on this target.");

const SPEC_READ = {
  ...REPO_INCLUDE,
  target: { select: { requiredApprovals: true } },
  // The application's settings travel with the repository's: a spec may come to include them (render options).
  application: {
    select: {
      id: true,
      repoUrl: true,
      ref: true,
      path: true,
      prune: true,
      selfHeal: true,
      renderOptions: true,
      driftInterval: true,
    },
  },
} as const;

/**
 * Changes a registered repository's settings and its application's source with them, inside the caller's
 * transaction, so the two never disagree; audited as `repo.updated` when the repository changed. A change to what the
 * agent would apply (URL, branch, path, prune, image policies: the spec) is a new desired revision: the new spec is
 * recorded by digest, and the repository reads out-of-sync until the agent applies a revision made with it. On a
 * target that requires approvals that revision waits for approval like a new commit, and the agent keeps the last
 * approved revision with the spec it was approved with (lib/agents/data/assignments.ts serves that spec).
 * The caller wakes the target's agents after the commit (wakeAgentsOfTarget) when anything changed.
 */
export async function changeRepo(
  tx: Tx,
  opts: {
    repoId: string;
    /** Already parsed with ZUpdateRepoChecked. */
    patch: TUpdateRepoChecked;
    application?: ApplicationSettingsChange;
    /** The user making the change (an API token's owner): the author of a new spec, banned from approving it. */
    changedById: string;
    actor: Actor;
    request: RequestContext;
  },
): Promise<RepoChange> {
  const { patch } = opts;
  const before = await tx.pullRepo.findUnique({ where: { id: opts.repoId }, include: SPEC_READ });
  if (!before) throw new AppError("NOT_FOUND", "There is no registered repository with this id.");
  const data: Record<string, unknown> = {};
  const changed: string[] = [];
  for (const key of ["url", "branch", "path", "pollIntervalSeconds", "prune", "selfHeal"] as const) {
    if (patch[key] !== undefined && patch[key] !== before[key]) {
      data[key] = patch[key];
      changed.push(key);
    }
  }
  if (patch.imagePolicies !== undefined) {
    const json = JSON.stringify(patch.imagePolicies);
    if (json !== before.imagePolicies) {
      data.imagePolicies = json;
      changed.push("imagePolicies");
    }
  }
  if (data.url !== undefined) data.repoKey = repoKey(data.url as string);

  // The application's source is the repository's (as registered or changed); its own settings come from the caller.
  const app = before.application;
  const appData: Record<string, unknown> = {};
  if (app) {
    const url = (data.url as string | undefined) ?? before.url;
    const wanted = {
      repoUrl: url,
      ref: (data.branch as string | undefined) ?? before.branch,
      path: (data.path as string | undefined) ?? before.path,
      prune: (data.prune as boolean | undefined) ?? before.prune,
      selfHeal: (data.selfHeal as boolean | undefined) ?? before.selfHeal,
    };
    for (const [key, value] of Object.entries(wanted)) {
      if (app[key as keyof typeof wanted] !== value) appData[key] = value;
    }
    if (appData.repoUrl !== undefined) appData.repoKey = repoKey(url);
    const renderOptions = opts.application?.renderOptions && JSON.stringify(opts.application.renderOptions);
    if (renderOptions !== undefined && renderOptions !== app.renderOptions) appData.renderOptions = renderOptions;
    const driftInterval = opts.application?.driftInterval;
    if (driftInterval !== undefined && driftInterval !== app.driftInterval) appData.driftInterval = driftInterval;
  }
  const applicationChanged = Object.keys(appData).filter((k) => k !== "repoKey");
  const result = {
    targetId: before.targetId,
    applicationId: app?.id ?? null,
    changed,
    applicationChanged,
    specChanged: false,
    requiresApproval: before.target.requiredApprovals > 0,
  };
  if (changed.length === 0 && applicationChanged.length === 0) return result;

  if (app && Object.keys(appData).length > 0) await tx.application.update({ where: { id: app.id }, data: appData });
  if (changed.length > 0) await tx.pullRepo.update({ where: { id: before.id }, data });
  const after = await tx.pullRepo.findUniqueOrThrow({ where: { id: before.id }, include: SPEC_READ });
  const previousDigest = currentSpecDigest(before);
  const specDigest = currentSpecDigest(after);
  result.specChanged = specDigest !== previousDigest;
  if (result.specChanged) {
    // The spec before the change too: a repository registered before specs were recorded has no row for it yet,
    // and its revisions still name it.
    await recordRepoSpec(tx, { repoId: before.id, spec: specOfRow(before), createdById: null });
    await recordRepoSpec(tx, { repoId: before.id, spec: specOfRow(after), createdById: opts.changedById });
    const what = [...new Set([...changed, ...applicationChanged])].join(", ");
    await tx.repoStatus.updateMany({
      where: { repoId: before.id },
      data: {
        state: "out-of-sync",
        message: result.requiresApproval
          ? `Settings changed (${what}): the new revision waits for approval; the approved revision stays applied.`
          : `Settings changed (${what}): the agent re-syncs.`,
        updatedAt: new Date(),
      },
    });
    await recomputeApplicationStatus(tx, { repoIds: [before.id] });
  }
  if (changed.length > 0) {
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "repo.updated",
      subjectType: "pull-repo",
      subjectId: before.id,
      targetId: before.targetId,
      details: {
        changed,
        ...Object.fromEntries(changed.filter((k) => k !== "imagePolicies").map((k) => [k, data[k]])),
        ...(result.specChanged ? { specDigest, previousSpecDigest: previousDigest } : {}),
        ...(app ? { applicationId: app.id } : {}),
      },
      request: opts.request,
    });
  }
  return result;
}

/** PATCH /api/repos/:id: `changeRepo` in a transaction of its own, then the target's agents are woken. */
export async function updateRepo(opts: {
  repoId: string;
  input: TUpdateRepoInput;
  changedById: string;
  actor: Actor;
  request: RequestContext;
}): Promise<PullRepoView> {
  const patch = ZUpdateRepoChecked.parse(opts.input);
  let change: RepoChange;
  try {
    change = await db().$transaction((tx) => changeRepo(tx, { ...opts, patch }));
  } catch (err) {
    if (isUniqueViolation(err)) throw repoAlreadyRegistered();
    throw err;
  }
  await wakeAgentsOfTarget(change.targetId);
  return getRepo({ repoId: opts.repoId });
}
