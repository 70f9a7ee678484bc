import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { removeRepoRow } from "@/lib/repos/data/remove-repo";
import type { ApplicationDeleted } from "../schemas";

/** States in which a deployment of the application is waiting for approval, waiting to run or running. */
const OPEN_STATES = ["pending-approval", "approved", "queued", "running"];

/**
 * Deletes an application (DELETE /api/applications/:id), audited `application.deleted` in the same transaction.
 * Refused (409 APPLICATION_BUSY) while one of its deployments awaits approval, waits to run or runs: cancel it first.
 * A pull application's repository registration goes with it (its agents stop syncing it; approval requests of its
 * revisions are cancelled, as removing the repository does), and so do the webhook bindings that deploy it — left
 * behind, a push to their branch would deploy its repository into the target's default application instead. Objects
 * it applied stay in the cluster, and its history (deployments, sync events, audit rows) is kept: their
 * applicationId is set to null.
 */
export async function deleteApplication(opts: {
  id: string;
  actor: Actor;
  request: RequestContext;
}): Promise<ApplicationDeleted> {
  const deleted = await db().$transaction(async (tx) => {
    const app = await tx.application.findUnique({
      where: { id: opts.id },
      include: {
        pullRepo: { select: { id: true } },
        repoBindings: { select: { id: true, repoUrl: true, branch: true, path: true } },
      },
    });
    if (!app) throw new AppError("NOT_FOUND", "There is no application with this id.");
    // Pull revisions' approval requests are the agent's asks, not someone's deployment: removing the repository
    // cancels them (below), as DELETE /api/repos/:id always did.
    const open = await tx.deployment.findFirst({
      where: { applicationId: app.id, state: { in: OPEN_STATES }, NOT: { sourceKind: "pull-revision" } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, state: true },
    });
    if (open) {
      const what =
        open.state === "running"
          ? "running"
          : open.state === "pending-approval"
            ? "awaiting approval"
            : "waiting to run";
      throw new AppError(
        "APPLICATION_BUSY",
        `${app.name} has a deployment ${what} (${open.id}). Cancel it (POST /api/deployments/${open.id}/cancel) or wait for it to finish, then delete the application.`,
      );
    }
    const removed = app.pullRepo
      ? await removeRepoRow(tx, {
          repoId: app.pullRepo.id,
          actor: opts.actor,
          request: opts.request,
          reason: `The application ${app.name} was deleted.`,
        })
      : null;
    for (const b of app.repoBindings) {
      await tx.repoBinding.delete({ where: { id: b.id } });
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "repo-binding.deleted",
        subjectType: "repo-binding",
        subjectId: b.id,
        targetId: app.targetId,
        details: { repoUrl: b.repoUrl, branch: b.branch, path: b.path, reason: "application deleted" },
        request: opts.request,
      });
    }
    await tx.application.delete({ where: { id: app.id } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "application.deleted",
      subjectType: "application",
      subjectId: app.id,
      targetId: app.targetId,
      details: {
        name: app.name,
        mode: app.mode,
        source: app.sourceKind,
        ...(app.repoUrl ? { repoUrl: app.repoUrl, ref: app.ref, path: app.path } : {}),
        inventoryKey: app.inventoryKey,
        pullRepoRemoved: app.pullRepo?.id ?? null,
        repoBindingsRemoved: app.repoBindings.length,
        cancelledRequests: removed?.cancelledRequests ?? 0,
      },
      request: opts.request,
    });
    return {
      id: app.id,
      name: app.name,
      targetId: app.targetId,
      mode: app.mode as ApplicationDeleted["mode"],
      pullRepoRemoved: app.pullRepo?.id ?? null,
      repoBindingsRemoved: app.repoBindings.length,
      cancelledRequests: removed?.cancelledRequests ?? 0,
      message: `Deleted ${app.name}.${app.pullRepo ? " Its agent stops syncing it." : ""} The objects it applied stay in the cluster (delete them there if they should go); its deployments, syncs and audit rows are kept.`,
    };
  });
  if (deleted.pullRepoRemoved) await wakeAgentsOfTarget(deleted.targetId);
  return deleted;
}
