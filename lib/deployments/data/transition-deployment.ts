import "server-only";
import { lockAuditChain, recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import type { Tx } from "@/lib/db";
import { notifyDeploymentFinished } from "@/lib/notifications/data/notify-deployment-finished";
import { recordDeliveryOutcome } from "@/lib/rollups/data/record-delivery-outcome";
import { AppError } from "@/lib/errors";
import { notifyWake } from "@/lib/wake/data/notify-wake";
import { ENTER_ACTION, statesLeadingTo, type TDeploymentState } from "../states";

export interface TransitionOptions {
  deploymentId: string;
  to: TDeploymentState;
  /** Narrows the allowed source states further than the state table does (e.g. only `running` for a finish). */
  from?: TDeploymentState[];
  actor: Actor;
  request?: RequestContext;
  /** Extra columns to set in the same update (timestamps, result message, lease fields). */
  data?: Record<string, unknown>;
  details?: Record<string, unknown>;
}

/**
 * Moves a deployment to `to` inside the caller's transaction, only if it is still in a state that may lead there
 * (a conditional update, so two processes racing cannot both win), and writes the audit row for the new state.
 * Returns false when the deployment had already moved on; throws NOT_FOUND for an unknown id.
 */
export async function transitionDeployment(tx: Tx, opts: TransitionOptions): Promise<boolean> {
  // Chain lock before the row lock: the order every audited deployment transaction uses (see lockAuditChain).
  await lockAuditChain(tx);
  const allowed = statesLeadingTo(opts.to).filter((s) => !opts.from || opts.from.includes(s));
  const current = await tx.deployment.findUnique({
    where: { id: opts.deploymentId },
    select: { state: true, targetId: true, applicationId: true },
  });
  if (!current) throw new AppError("NOT_FOUND", "There is no deployment with this id.");
  const { count } = await tx.deployment.updateMany({
    where: { id: opts.deploymentId, state: { in: allowed } },
    data: { ...opts.data, state: opts.to },
  });
  if (count === 0) return false;
  // The application's sync status reads its newest deployment's state: stored with the state that changes it.
  await recomputeApplicationStatus(tx, { applicationIds: [current.applicationId] });
  await recordAuditEvent(tx, {
    actor: opts.actor,
    action: ENTER_ACTION[opts.to],
    subjectType: "deployment",
    subjectId: opts.deploymentId,
    targetId: current.targetId,
    details: { from: current.state, to: opts.to, ...opts.details },
    ...(opts.request ? { request: opts.request } : {}),
  });
  await recordDeliveryOutcome(tx, { kind: "deployment", deploymentId: opts.deploymentId, state: opts.to });
  // Paged-on outcomes are queued with the transition: a rolled-back finish announces nothing.
  if (opts.to === "succeeded" || opts.to === "failed")
    await notifyDeploymentFinished(tx, { deploymentId: opts.deploymentId, state: opts.to });
  // Pages following the deployment (lib/wake) hear of the new state on commit, in every process on PostgreSQL; the
  // executor also wakes its own process's pages after commit (executor-run.ts), other callers leave them to the
  // long poll's re-check.
  await notifyWake(tx, "deployment", [opts.deploymentId]);
  return true;
}
