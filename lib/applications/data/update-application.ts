import "server-only";
import { applicationArchivedError } from "@/lib/targets/live";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { db, type Tx } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { changeRepo, repoAlreadyRegistered, type TUpdateRepoChecked } from "@/lib/repos/data/update-repo";
import { repoKey } from "@/lib/repos/url";
import type { ApplicationUpdated, TUpdateApplication } from "../schemas";
import { getApplication } from "./get-application";

const APP_READ = { pullRepo: { select: { id: true, pinnedRevision: true } } } satisfies Prisma.ApplicationInclude;
type AppRow = Prisma.ApplicationGetPayload<{ include: typeof APP_READ }>;

type Setting = ApplicationUpdated["update"]["changed"][number];

/** Application columns as `changed` names them: a Git source is three columns and one setting. */
const SETTING_OF: Record<string, Setting> = {
  sourceKind: "source",
  repoUrl: "source",
  ref: "source",
  path: "source",
  renderOptions: "renderOptions",
  prune: "prune",
  selfHeal: "selfHeal",
  driftInterval: "driftInterval",
};
const settingsOf = (columns: string[]): Setting[] =>
  [...new Set(columns.flatMap((c) => (SETTING_OF[c] ? [SETTING_OF[c]] : [])))].sort();

const invalid = (field: string, message: string) =>
  new AppError("VALIDATION_FAILED", message, { fields: { [field]: [message] } });

interface Outcome {
  changed: Setting[];
  update: Omit<ApplicationUpdated["update"], "changed">;
  wakeTargetId: string | null;
}

/**
 * Changes an application's settings (PATCH /api/applications/:id), audited `application.updated` in the same
 * transaction. Push: the change is stored and nothing running changes; the next deployment (a webhook push or a
 * request) uses it. Pull: the change goes through its repository (lib/repos/data/update-repo.ts changeRepo, which
 * PATCH /api/repos/:id uses too), so a changed ref, path or prune flag is a new desired revision the agent re-syncs,
 * after approval where the target requires it.
 */
export async function updateApplication(opts: {
  id: string;
  /** Already parsed with ZUpdateApplication. */
  patch: TUpdateApplication;
  changedById: string;
  actor: Actor;
  request: RequestContext;
}): Promise<ApplicationUpdated> {
  let outcome: Outcome;
  try {
    outcome = await db().$transaction(async (tx) => {
      const app = await tx.application.findUnique({ where: { id: opts.id }, include: APP_READ });
      if (!app) throw new AppError("NOT_FOUND", "There is no application with this id.");
      if (app.archivedAt) throw applicationArchivedError(app);
      return app.mode === "pull" ? updatePull(tx, app, opts) : updatePush(tx, app, opts);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw repoAlreadyRegistered();
    throw err;
  }
  if (outcome.wakeTargetId) await wakeAgentsOfTarget(outcome.wakeTargetId);
  return { ...(await getApplication({ id: opts.id })), update: { changed: outcome.changed, ...outcome.update } };
}

type Opts = Parameters<typeof updateApplication>[0];

async function audit(tx: Tx, app: AppRow, opts: Opts, changed: Setting[], details: Record<string, unknown>) {
  await recordAuditEvent(tx, {
    actor: opts.actor,
    action: "application.updated",
    subjectType: "application",
    subjectId: app.id,
    targetId: app.targetId,
    details: { name: app.name, mode: app.mode, changed, ...details },
    request: opts.request,
  });
}

async function updatePush(tx: Tx, app: AppRow, opts: Opts): Promise<Outcome> {
  const { patch } = opts;
  if (patch.selfHeal !== undefined)
    throw invalid("selfHeal", `${app.name} is a push application: self-heal is for pull applications.`);
  if (patch.driftInterval !== undefined && patch.driftInterval !== null)
    throw invalid("driftInterval", `${app.name} is a push application: drift checks are for pull applications.`);
  const data: Record<string, unknown> = {};
  if (patch.source) {
    const git = patch.source.kind === "git" ? patch.source : null;
    const wanted = {
      sourceKind: patch.source.kind,
      repoUrl: git?.repoUrl ?? null,
      ref: git?.ref ?? null,
      path: git?.path ?? null,
    };
    for (const [key, value] of Object.entries(wanted)) {
      if (app[key as keyof typeof wanted] !== value) data[key] = value;
    }
    if (data.repoUrl !== undefined) data.repoKey = git ? repoKey(git.repoUrl) : null;
  }
  if (patch.renderOptions !== undefined) {
    const json = JSON.stringify(patch.renderOptions);
    if (json !== app.renderOptions) data.renderOptions = json;
  }
  if (patch.prune !== undefined && patch.prune !== app.prune) data.prune = patch.prune;
  const changed = settingsOf(Object.keys(data));
  const pendingDeployment = changed.length > 0;
  const update = {
    pendingDeployment,
    newRevision: false,
    awaitingApproval: false,
    message: pendingDeployment
      ? `Saved. Nothing running changed: the next deployment of ${app.name} (a webhook push or a request) uses it.`
      : "Nothing changed.",
  };
  if (changed.length === 0) return { changed, update, wakeTargetId: null };
  await tx.application.update({ where: { id: app.id }, data });
  // Bindings that follow the application read its source at each delivery (lib/deployments/webhooks.ts
  // bindingSource): the application is the one place it is stored, so nothing of it is copied here. Only their
  // ordering base goes: the last commit they acted on is of the old repository or branch, no base for the new one.
  if (data.repoUrl !== undefined || data.ref !== undefined || data.sourceKind !== undefined) {
    await tx.repoBinding.updateMany({
      where: { applicationId: app.id, followsApplication: true },
      data: { lastCommitSha: null },
    });
  }
  if (patch.source?.kind === "manifests" && data.sourceKind !== undefined) {
    const following = await tx.repoBinding.count({ where: { applicationId: app.id, followsApplication: true } });
    if (following > 0) update.message += ` Its webhook bindings deploy nothing until it has a Git source again.`;
  }
  await audit(tx, app, opts, changed, {
    ...Object.fromEntries(Object.entries(data).filter(([k]) => k !== "repoKey")),
    pendingDeployment,
  });
  return { changed, update, wakeTargetId: null };
}

async function updatePull(tx: Tx, app: AppRow, opts: Opts): Promise<Outcome> {
  const { patch } = opts;
  if (patch.source && patch.source.kind !== "git")
    throw invalid("source", `${app.name} is a pull application: its agent syncs from a Git repository.`);
  if (!app.pullRepo) {
    throw new AppError(
      "CONFLICT",
      `${app.name} has no registered repository (it was removed): register one to change what its agent syncs.`,
    );
  }
  const repoPatch: TUpdateRepoChecked = {
    ...(patch.source?.kind === "git"
      ? { url: patch.source.repoUrl, branch: patch.source.ref, path: patch.source.path }
      : {}),
    ...(patch.prune !== undefined ? { prune: patch.prune } : {}),
    ...(patch.selfHeal !== undefined ? { selfHeal: patch.selfHeal } : {}),
  };
  const change = await changeRepo(tx, {
    repoId: app.pullRepo.id,
    patch: repoPatch,
    application: {
      ...(patch.renderOptions !== undefined ? { renderOptions: patch.renderOptions } : {}),
      ...(patch.driftInterval !== undefined ? { driftInterval: patch.driftInterval } : {}),
    },
    changedById: opts.changedById,
    actor: opts.actor,
    request: opts.request,
  });
  const changed = settingsOf(change.applicationChanged);
  const awaitingApproval = change.specChanged && change.requiresApproval;
  const pinned = app.pullRepo.pinnedRevision
    ? " The repository is pinned to a revision: the agent keeps applying it until it is unpinned."
    : "";
  const update = {
    pendingDeployment: false,
    newRevision: change.specChanged,
    awaitingApproval,
    message:
      changed.length === 0
        ? "Nothing changed."
        : awaitingApproval
          ? `Saved. This is a new revision of ${app.name}: it waits for the target's approvals, and the approved revision stays applied until then.${pinned}`
          : change.specChanged
            ? `Saved. This is a new revision of ${app.name}: its agent re-syncs.${pinned}`
            : `Saved. Its agent uses it from its next poll.`,
  };
  if (changed.length === 0) return { changed, update, wakeTargetId: null };
  await audit(tx, app, opts, changed, {
    pullRepoId: app.pullRepo.id,
    newRevision: change.specChanged,
    awaitingApproval,
  });
  return { changed, update, wakeTargetId: change.targetId };
}
