import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { cancelOpenPins } from "./request-pin";

/**
 * Removes a registered repository inside the caller's transaction (audited `repo.removed`): open approval requests
 * for its revisions are cancelled, its sync history is kept. Returns its target's id and how many requests were
 * cancelled; the caller wakes the target's agents after the commit, and they stop syncing it (objects already
 * applied stay in the cluster).
 */
export async function removeRepoRow(
  tx: Tx,
  opts: { repoId: string; actor: Actor; request: RequestContext; reason?: string },
): Promise<{ targetId: string; cancelledRequests: number }> {
  const repo = await tx.pullRepo.findUnique({ where: { id: opts.repoId } });
  if (!repo) throw new AppError("NOT_FOUND", "There is no registered repository with this id.");
  const cancelledRequests = await cancelOpenPins(tx, {
    repoId: repo.id,
    why: opts.reason ?? "The repository was removed from the target.",
    actor: opts.actor,
    request: opts.request,
    agentRequests: true,
  });
  await tx.pullRepo.delete({ where: { id: repo.id } });
  // Its reported state went with it (cascade): the application's sync status is Unknown again.
  await recomputeApplicationStatus(tx, { applicationIds: [repo.applicationId] });
  await recordAuditEvent(tx, {
    actor: opts.actor,
    action: "repo.removed",
    subjectType: "pull-repo",
    subjectId: repo.id,
    targetId: repo.targetId,
    details: { url: repo.url, branch: repo.branch, path: repo.path, cancelledRequests },
    request: opts.request,
  });
  return { targetId: repo.targetId, cancelledRequests };
}

/**
 * Removes a registered repository: its agents stop syncing it on their next poll (objects already applied stay in
 * the cluster). Its sync history is kept; open approval requests for it are cancelled.
 */
export async function removeRepo(opts: { repoId: string; actor: Actor; request: RequestContext }): Promise<void> {
  const { targetId } = await db().$transaction((tx) => removeRepoRow(tx, opts));
  await wakeAgentsOfTarget(targetId);
}
