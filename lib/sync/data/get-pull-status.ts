import "server-only";
import { listAgents } from "@/lib/agents/data/list-agents";
import { AGENT_LIST_LIMIT_MAX } from "@/lib/agents/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { listRepos } from "@/lib/repos/data/list-repos";
import { overallState, type PullStatusView } from "../schemas";

/**
 * A pull target's status card: the worst repository state, the applied revision, the last sync, the agents serving
 * it and whether they are stale (STALE_AFTER_MISSED_HEARTBEATS missed heartbeats). 409 TARGET_NOT_PULL for push targets.
 */
export async function getPullStatus(opts: { targetId: string; now?: Date }): Promise<PullStatusView> {
  const target = await db().target.findUnique({
    where: { id: opts.targetId },
    select: { id: true, mode: true, requiredApprovals: true },
  });
  if (!target) throw new AppError("NOT_FOUND", "No target with this id exists.");
  if (target.mode !== "pull") throw new AppError("TARGET_NOT_PULL", "This is a push target; it has no agent status.");
  const now = opts.now ?? new Date();
  const [repos, { agents }] = await Promise.all([
    listRepos({ targetId: target.id }),
    listAgents({ targetId: target.id, now, limit: AGENT_LIST_LIMIT_MAX }),
  ]);
  const revisions = new Set(repos.map((r) => r.status?.revision ?? null));
  const lastSync = repos
    .map((r) => r.status?.lastSyncAt ?? null)
    .filter((v): v is string => v !== null)
    .sort()
    .pop();
  const live = agents.filter((a) => a.state !== "revoked");
  return {
    targetId: target.id,
    requiresApproval: target.requiredApprovals > 0,
    state: overallState(repos.map((r) => r.status?.state ?? null)),
    currentRevision: revisions.size === 1 ? ([...revisions][0] ?? null) : null,
    lastSyncAt: lastSync ?? null,
    repos,
    agents,
    agentsStale: live.length === 0 || live.every((a) => a.state !== "online"),
  };
}
