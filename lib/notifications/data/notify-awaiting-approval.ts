import "server-only";
import type { Tx } from "@/lib/db";
import type { PromotionNotice } from "../messages";
import { enqueueNotificationInTx } from "./enqueue-notification";

export type { PromotionNotice } from "../messages";

/**
 * Queues `deployment.awaiting-approval` for a deployment request created in this transaction — the pull revisions an
 * agent asks approval for and the pins people request (push requests queue theirs in requestDeployment). Same payload
 * and dedup key as push; a promotion's notice says so.
 */
export async function notifyAwaitingApproval(
  tx: Tx,
  opts: { deploymentId: string; promotion?: PromotionNotice },
): Promise<number> {
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
          ...(opts.promotion ? { promotion: opts.promotion } : {}),
        },
      };
    },
  });
}
