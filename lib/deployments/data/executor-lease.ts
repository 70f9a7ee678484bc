import "server-only";
import { db, type Db, type Tx } from "@/lib/db";

export interface HeartbeatResult {
  /** False when the lease is no longer this process's (expired and taken over, or the deployment finished). */
  held: boolean;
  cancelRequested: boolean;
}

/**
 * Extends this process's lease on a deployment. The update only matches while `claimedBy` is still this process and
 * the deployment is still claimable work, so a process that lost its lease (it stalled past `leaseUntil` and another
 * took over) learns so here and must stop touching the cluster. Also reports whether a cancel was requested. One
 * statement; pass a transaction to renew in the same commit as other writes (the executor's checkpoint: see
 * writeProgress).
 */
export async function heartbeatLease(
  opts: { deploymentId: string; processId: string; leaseMs: number; now?: Date },
  client: Tx | Db = db(),
): Promise<HeartbeatResult> {
  const now = opts.now ?? new Date();
  const renewed = await client.deployment.updateManyAndReturn({
    where: { id: opts.deploymentId, claimedBy: opts.processId, state: { in: ["queued", "running"] } },
    data: { leaseUntil: new Date(now.getTime() + opts.leaseMs), heartbeatAt: now },
    select: { cancelRequested: true },
  });
  const row = renewed[0];
  return row ? { held: true, cancelRequested: row.cancelRequested } : { held: false, cancelRequested: false };
}

/** Whether someone asked to cancel the deployment (checked between objects and phases). */
export async function isCancelRequested(deploymentId: string): Promise<boolean> {
  const row = await db().deployment.findUnique({
    where: { id: deploymentId },
    select: { cancelRequested: true, state: true },
  });
  return !row || row.cancelRequested || row.state === "cancelled";
}
