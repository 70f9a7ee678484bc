import "server-only";
import { auditedTransaction, recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { can } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { notifyWake } from "@/lib/wake/data/notify-wake";
import { wake } from "@/lib/wake/notifier";
import type { DeploymentView } from "../schemas";
import { getDeployment, type Viewer } from "./get-deployment";
import { transitionDeployment } from "./transition-deployment";

/**
 * Cancels a deployment, for its requester or anyone who may approve. Before it runs it is simply `cancelled`; while
 * it runs, `cancelRequested` is set (audited) and the executor stops before the next apply and ends it. Finished
 * deployments cannot be cancelled (409).
 */
export async function cancelDeployment(opts: {
  deploymentId: string;
  viewer: Viewer;
  actor: Actor;
  request: RequestContext;
}): Promise<DeploymentView> {
  await auditedTransaction(async (tx) => {
    const d = await tx.deployment.findUnique({
      where: { id: opts.deploymentId },
      select: { id: true, state: true, targetId: true, requestedById: true, cancelRequested: true },
    });
    if (!d) throw new AppError("NOT_FOUND", "There is no deployment with this id.");
    if (d.requestedById !== opts.viewer.userId && !can(opts.viewer.role, "deployments.approve")) {
      throw new AppError("FORBIDDEN", "Only the requester, approvers and admins may cancel a deployment.");
    }
    if (d.state === "pending-approval" || d.state === "approved" || d.state === "queued") {
      const moved = await transitionDeployment(tx, {
        deploymentId: d.id,
        to: "cancelled",
        from: ["pending-approval", "approved", "queued"],
        actor: opts.actor,
        request: opts.request,
        data: { finishedAt: new Date(), resultMessage: `Cancelled by ${opts.actor.name} before it ran.` },
      });
      if (moved) return;
    }
    const current = await tx.deployment.findUniqueOrThrow({
      where: { id: d.id },
      select: { state: true, cancelRequested: true },
    });
    if (current.state === "running") {
      if (current.cancelRequested) return;
      const { count } = await tx.deployment.updateMany({
        where: { id: d.id, state: "running", cancelRequested: false },
        data: { cancelRequested: true },
      });
      if (count > 0) {
        await recordAuditEvent(tx, {
          actor: opts.actor,
          action: "deployment.cancel-requested",
          subjectType: "deployment",
          subjectId: d.id,
          targetId: d.targetId,
          request: opts.request,
        });
        await notifyWake(tx, "deployment", [d.id]);
      }
      return;
    }
    throw new AppError("DEPLOYMENT_STATE_CONFLICT", `This deployment is ${current.state}; there is nothing to cancel.`);
  });
  // The page following the deployment shows the cancel (or the request for one) now, not at its next re-check.
  wake("deployment", [opts.deploymentId]);
  return getDeployment({ id: opts.deploymentId, viewer: opts.viewer });
}
