import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import type { Tx } from "@/lib/db";
import { SUPERSEDABLE_STATES } from "../states";
import { transitionDeployment } from "./transition-deployment";

/** States in which a deployment counts as "already chosen" for its target: a request older than it must not run. */
const CHOSEN_STATES = ["approved", "queued", "running", "succeeded"];

/** `approved` is final for pull revisions (sourceKind `pull-revision`): the target's agent applies them, not the executor. */
export type QueueOutcome = "queued" | "approved" | "superseded" | "unchanged";

/**
 * Moves a deployment whose approvals are complete (or that needs none) on, inside the caller's transaction:
 * - when a newer request for the same target was already approved, queued, running or succeeded, this older one
 *   would roll the target back behind its back: it becomes `superseded`;
 * - otherwise it becomes `approved`, older requests of the target that have not started are superseded, and it is
 *   `queued` for the executor.
 * Order is by (createdAt, id), so two requests in the same millisecond still have a definite order.
 * Pull revisions compete only with requests for the same registered repository (a pull target syncs several
 * repositories side by side) and stop at `approved`: the agent picks the approved revision up from its assignments.
 */
export async function approveAndQueue(
  tx: Tx,
  opts: { deploymentId: string; actor: Actor; request?: RequestContext; details?: Record<string, unknown> },
): Promise<QueueOutcome> {
  const d = await tx.deployment.findUnique({
    where: { id: opts.deploymentId },
    select: { id: true, targetId: true, createdAt: true, sourceKind: true, pullRepoId: true, applicationId: true },
  });
  if (!d) return "unchanged";
  const newer = { OR: [{ createdAt: { gt: d.createdAt } }, { createdAt: d.createdAt, id: { gt: d.id } }] };
  const older = { OR: [{ createdAt: { lt: d.createdAt } }, { createdAt: d.createdAt, id: { lt: d.id } }] };
  const common = { actor: opts.actor, ...(opts.request ? { request: opts.request } : {}) };
  const pull = d.sourceKind === "pull-revision";
  // Push requests never supersede pull revisions, nor one repository's revisions another's, nor one push
  // application's requests another's (rows from before applications have none and compete per target).
  const sameLine = {
    pullRepoId: pull ? d.pullRepoId : null,
    ...(!pull && d.applicationId ? { applicationId: d.applicationId } : {}),
  };

  const overtaken = await tx.deployment.findFirst({
    where: { targetId: d.targetId, state: { in: CHOSEN_STATES }, ...sameLine, ...newer },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  if (overtaken) {
    const moved = await transitionDeployment(tx, {
      ...common,
      deploymentId: d.id,
      to: "superseded",
      data: {
        finishedAt: new Date(),
        resultMessage: `Superseded by the newer deployment ${overtaken.id}, approved first.`,
      },
      details: { ...opts.details, supersededBy: overtaken.id },
    });
    return moved ? "superseded" : "unchanged";
  }

  const now = new Date();
  const approved = await transitionDeployment(tx, {
    ...common,
    deploymentId: d.id,
    to: "approved",
    data: { approvedAt: now },
    details: opts.details,
  });
  if (!approved) return "unchanged";
  const stale = await tx.deployment.findMany({
    where: { targetId: d.targetId, state: { in: [...SUPERSEDABLE_STATES] }, id: { not: d.id }, ...sameLine, ...older },
    select: { id: true },
  });
  for (const s of stale) {
    await transitionDeployment(tx, {
      ...common,
      deploymentId: s.id,
      to: "superseded",
      data: { finishedAt: now, resultMessage: `Superseded by the newer deployment ${d.id}.` },
      details: { supersededBy: d.id },
    });
  }
  if (pull) return "approved";
  const queued = await transitionDeployment(tx, {
    ...common,
    deploymentId: d.id,
    to: "queued",
    data: { queuedAt: now },
  });
  return queued ? "queued" : "unchanged";
}
