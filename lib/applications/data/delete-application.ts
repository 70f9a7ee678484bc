import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { applicationArchivedError } from "@/lib/targets/live";
import type { ApplicationDeleted } from "../schemas";
import { archiveApplicationRow } from "./archive-application";

/** States in which a deployment of the application is waiting for approval, waiting to run or running. */
const OPEN_STATES = ["pending-approval", "approved", "queued", "running"];

/**
 * Deletes an application (DELETE /api/applications/:id) by archiving it (archiveApplicationRow), audited
 * `application.deleted` in the same transaction. Refused (409 APPLICATION_BUSY) while one of its deployments awaits
 * approval, waits to run or runs: cancel it first; 409 APPLICATION_ARCHIVED when it was deleted already. Objects it
 * applied stay in the cluster, and its history (deployments, sync events, audit rows) stays readable and linked.
 */
export async function deleteApplication(opts: {
  id: string;
  actor: Actor;
  request: RequestContext;
}): Promise<ApplicationDeleted> {
  const deleted = await db().$transaction(async (tx) => {
    const app = await tx.application.findUnique({
      where: { id: opts.id },
      select: { id: true, name: true, targetId: true, mode: true, archivedAt: true },
    });
    if (!app) throw new AppError("NOT_FOUND", "There is no application with this id.");
    if (app.archivedAt) throw applicationArchivedError(app);
    // Pull revisions' approval requests are the agent's asks, not someone's deployment: removing the repository
    // cancels them (archiveApplicationRow), as DELETE /api/repos/:id always did.
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
    const archived = await archiveApplicationRow(tx, {
      id: app.id,
      actor: opts.actor,
      request: opts.request,
      reason: `The application ${app.name} was deleted.`,
    });
    return {
      id: app.id,
      name: app.name,
      targetId: app.targetId,
      mode: app.mode as ApplicationDeleted["mode"],
      ...archived,
      message: `Deleted ${app.name}.${archived.pullRepoRemoved ? " Its agent stops syncing it." : ""} The objects it applied stay in the cluster (delete them there if they should go); its deployments, syncs and audit rows stay readable, marked deleted.`,
    };
  });
  if (deleted.pullRepoRemoved) await wakeAgentsOfTarget(deleted.targetId);
  return deleted;
}
