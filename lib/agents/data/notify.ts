import "server-only";
import { db } from "@/lib/db";
import { repoKey } from "@/lib/repos/url";
import { wakeAgents } from "../notifier";
import { notifyAgentWake, wakeAgentsEverywhere } from "./agent-wake";

/**
 * Called for a verified push webhook: bumps `notifySeq` of every pull repository registered for this URL and branch
 * and wakes the long polls of the agents serving their targets, which fetch at once. Repositories are found by their
 * stored key (lib/repos/url.ts repoKey), the one webhook bindings are found by, so both find the same repository
 * whatever spelling of its URL each was registered with. Returns how many repositories were notified.
 */
export async function notifyPullRepos(opts: {
  url: string;
  branch: string;
  /** Only repositories on these targets (the webhook binding's). */ targetIds?: string[];
}): Promise<number> {
  const matched = await db().pullRepo.findMany({
    where: {
      repoKey: repoKey(opts.url),
      branch: opts.branch,
      ...(opts.targetIds ? { targetId: { in: opts.targetIds } } : {}),
    },
    select: { id: true, targetId: true },
  });
  if (matched.length === 0) return 0;
  const agentIds = await db().$transaction(async (tx) => {
    await tx.pullRepo.updateMany({
      where: { id: { in: matched.map((r) => r.id) } },
      data: { notifySeq: { increment: 1 } },
    });
    const agents = await tx.agentTarget.findMany({
      where: { targetId: { in: [...new Set(matched.map((r) => r.targetId))] }, agent: { revokedAt: null } },
      select: { agentId: true },
    });
    const ids = agents.map((a) => a.agentId);
    await notifyAgentWake(tx, ids);
    return ids;
  });
  wakeAgents(agentIds);
  return matched.length;
}

/**
 * Wakes the agents serving a target after a committed registration, change, pin or approval, in this process and
 * (PostgreSQL) in the others.
 */
export async function wakeAgentsOfTarget(targetId: string): Promise<void> {
  const agents = await db().agentTarget.findMany({ where: { targetId }, select: { agentId: true } });
  await wakeAgentsEverywhere(agents.map((a) => a.agentId));
}
