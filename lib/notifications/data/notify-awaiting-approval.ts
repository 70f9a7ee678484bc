import "server-only";
import type { Tx } from "@/lib/db";
import { enqueueNotificationInTx } from "./enqueue-notification";

/**
 * Queues `deployment.awaiting-approval` for a deployment request created in this transaction — the pull revisions an
 * agent asks approval for (push requests queue theirs in requestDeployment). Same payload and dedup key as push.
 */
export async function notifyAwaitingApproval(tx: Tx, opts: { deploymentId: string }): Promise<number> {
  return enqueueNotificationInTx(tx, {
    event: "deployment.awaiting-approval",
    dedupKey: `deployment.awaiting-approval:${opts.deploymentId}`,
    build: async () => {
      const d = await tx.deployment.findUnique({
        where: { id: opts.deploymentId },
        select: {
          id: true,
          reason: true,
          requestedByName: true,
          target: { select: { id: true, name: true, requiredApprovals: true } },
        },
      });
      if (!d) return null;
      return {
        event: "deployment.awaiting-approval",
        data: {
          deploymentId: d.id,
          targetId: d.target.id,
          targetName: d.target.name,
          requestedBy: d.requestedByName,
          reason: d.reason,
          requiredApprovals: d.target.requiredApprovals,
        },
      };
    },
  });
}
