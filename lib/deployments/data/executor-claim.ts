import "server-only";
import { db } from "@/lib/db";
import { LIVE_TARGET } from "@/lib/targets/live";

/** The deployment sources the executor applies; everything else (pull revisions) belongs to an agent. */
export const EXECUTOR_SOURCE_KINDS = ["manifests", "git"] as const;

/** A claim this process holds: the deployment id and how many times it has been claimed (this claim included). */
export interface DeploymentClaim {
  deploymentId: string;
  targetId: string;
  attempts: number;
  /** True when the deployment was already `running`: a previous holder's lease expired mid-run. */
  resumed: boolean;
}

export interface ClaimOptions {
  /** This process's executor id (hostname, pid, random suffix). */
  processId: string;
  leaseMs: number;
  now?: Date;
  /** How many candidates to try before giving up for this round (others may win the first ones). */
  candidates?: number;
}

/**
 * Claims one deployment for this process: the oldest `queued` one, or a `running` one whose lease expired (its
 * executor died). The claim is a conditional `updateMany` — state still claimable AND lease free or expired — so
 * when several processes share one database exactly one update matches and the others move on.
 *
 * Deployments to the same target never run side by side (their prunes would fight): a target whose deployment is
 * held under a live lease is skipped, and if two processes claim two deployments of one target at the same instant,
 * both see each other after claiming and the one holding the later deployment lets go.
 */
export async function claimNextDeployment(opts: ClaimOptions): Promise<DeploymentClaim | null> {
  const now = opts.now ?? new Date();
  const leaseUntil = new Date(now.getTime() + opts.leaseMs);
  const claimable = {
    // Pull revisions (sourceKind "pull-revision") are applied by the target's in-cluster agent, never by the executor.
    sourceKind: { in: [...EXECUTOR_SOURCE_KINDS] },
    state: { in: ["queued", "running"] },
    OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
  };
  const busyTargets = (
    await db().deployment.findMany({
      where: { state: { in: ["queued", "running"] }, leaseUntil: { gte: now } },
      select: { targetId: true },
    })
  ).map((d) => d.targetId);
  const candidates = await db().deployment.findMany({
    where: {
      ...claimable,
      // Deleting a target refuses while a run waits and cancels what awaits approval; this is the executor's own
      // guarantee that nothing reaches a deleted (archived) target's cluster.
      target: LIVE_TARGET,
      ...(busyTargets.length > 0 ? { targetId: { notIn: busyTargets } } : {}),
    },
    // Interrupted runs first (they already touched the cluster), then queue order.
    orderBy: [{ startedAt: { sort: "asc", nulls: "last" } }, { queuedAt: "asc" }, { id: "asc" }],
    take: opts.candidates ?? 5,
    select: { id: true, targetId: true, state: true },
  });
  for (const candidate of candidates) {
    const { count } = await db().deployment.updateMany({
      where: { id: candidate.id, ...claimable },
      data: { claimedBy: opts.processId, leaseUntil, heartbeatAt: now, attempts: { increment: 1 } },
    });
    if (count !== 1) continue;
    if (await yieldsToEarlierClaim(candidate.id, candidate.targetId, opts.processId, now)) continue;
    const row = await db().deployment.findUnique({
      where: { id: candidate.id },
      select: { attempts: true, state: true },
    });
    if (!row) continue;
    return {
      deploymentId: candidate.id,
      targetId: candidate.targetId,
      attempts: row.attempts,
      resumed: row.state === "running",
    };
  }
  return null;
}

/**
 * After claiming, checks for another live claim on the same target. The deployment that started (or was queued)
 * first keeps going; this claim is released when it is the later one. Both racers run the same check on committed
 * rows, so they agree on the order and at most one of them keeps its claim.
 */
async function yieldsToEarlierClaim(
  deploymentId: string,
  targetId: string,
  processId: string,
  now: Date,
): Promise<boolean> {
  const held = await db().deployment.findMany({
    where: { targetId, state: { in: ["queued", "running"] }, leaseUntil: { gte: now }, claimedBy: { not: null } },
    select: { id: true, state: true, queuedAt: true },
  });
  if (held.length <= 1) return false;
  const rank = (d: { id: string; state: string; queuedAt: Date | null }) =>
    [d.state === "running" ? 0 : 1, d.queuedAt?.getTime() ?? Number.MAX_SAFE_INTEGER, d.id] as const;
  const sorted = [...held].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || (ra[2] < rb[2] ? -1 : ra[2] > rb[2] ? 1 : 0);
  });
  if (sorted[0]?.id === deploymentId) return false;
  await releaseClaim({ deploymentId, processId, undoAttempt: true });
  return true;
}

/**
 * Gives a claim back so any executor can take the deployment at once (graceful shutdown, yielding to an earlier
 * claim). Only the holder's release matches.
 */
export async function releaseClaim(opts: {
  deploymentId: string;
  processId: string;
  undoAttempt?: boolean;
}): Promise<boolean> {
  const { count } = await db().deployment.updateMany({
    where: { id: opts.deploymentId, claimedBy: opts.processId },
    data: { claimedBy: null, leaseUntil: null, ...(opts.undoAttempt ? { attempts: { decrement: 1 } } : {}) },
  });
  return count === 1;
}
