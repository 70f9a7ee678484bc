import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { db, type Tx } from "@/lib/db";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import { AppError } from "@/lib/errors";

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
  const open = await tx.deployment.findMany({
    where: {
      sourceKind: "pull-revision",
      pullRepoId: repo.id,
      state: { in: ["pending-approval", "approved", "queued"] },
    },
    select: { id: true },
  });
  for (const d of open) {
    await transitionDeployment(tx, {
      deploymentId: d.id,
      to: "cancelled",
      actor: opts.actor,
      request: opts.request,
      data: { finishedAt: new Date(), resultMessage: opts.reason ?? "The repository was removed from the target." },
    });
  }
  await tx.pullRepo.delete({ where: { id: repo.id } });
  await recordAuditEvent(tx, {
    actor: opts.actor,
    action: "repo.removed",
    subjectType: "pull-repo",
    subjectId: repo.id,
    targetId: repo.targetId,
    details: { url: repo.url, branch: repo.branch, path: repo.path, cancelledRequests: open.length },
    request: opts.request,
  });
  return { targetId: repo.targetId, cancelledRequests: open.length };
}

/**
 * Removes a registered repository: its agents stop syncing it on their next poll (objects already applied stay in
 * the cluster). Its sync history is kept; open approval requests for it are cancelled.
 */
export async function removeRepo(opts: { repoId: string; actor: Actor; request: RequestContext }): Promise<void> {
  const { targetId } = await db().$transaction((tx) => removeRepoRow(tx, opts));
  await wakeAgentsOfTarget(targetId);
}
