import "server-only";
import { recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { agentActor, type AgentPrincipal } from "../with-agent-auth";

export interface ScopeClaim {
  /** The target the agent names; absent when it only names a repo (heartbeats). */
  targetId?: string;
  repoId: string;
}

/**
 * Refuses (403 AGENT_SCOPE_FORBIDDEN, audited as `agent.denied` with outcome denied) any claim naming a target the
 * agent does not serve, or a repository registered on such a target, or a repository paired with a target it does
 * not belong to. A repository id that no longer exists (removed while the agent's events were buffered) is allowed
 * when its named target is the agent's: its history still belongs there. Returns the known repositories' targets.
 */
export async function assertAgentScope(opts: {
  agent: AgentPrincipal;
  claims: ScopeClaim[];
  route: string;
  request: RequestContext;
}): Promise<Map<string, string>> {
  const own = new Set(opts.agent.targetIds);
  const repoIds = [...new Set(opts.claims.map((c) => c.repoId))];
  const repos = repoIds.length
    ? await db().pullRepo.findMany({ where: { id: { in: repoIds } }, select: { id: true, targetId: true } })
    : [];
  const repoTarget = new Map(repos.map((r) => [r.id, r.targetId]));
  const refused: { targetId: string | null; repoId: string; reason: string }[] = [];
  for (const c of opts.claims) {
    const actualTarget = repoTarget.get(c.repoId);
    if (c.targetId !== undefined && !own.has(c.targetId))
      refused.push({ targetId: c.targetId, repoId: c.repoId, reason: "target not served by this agent" });
    else if (actualTarget !== undefined && !own.has(actualTarget))
      refused.push({
        targetId: actualTarget,
        repoId: c.repoId,
        reason: "repository on a target not served by this agent",
      });
    else if (actualTarget !== undefined && c.targetId !== undefined && actualTarget !== c.targetId)
      refused.push({ targetId: c.targetId, repoId: c.repoId, reason: "repository belongs to another target" });
  }
  if (refused.length) {
    const first = refused[0]!;
    await recordStandaloneAuditEvent({
      actor: agentActor(opts.agent),
      action: "agent.denied",
      subjectType: "agent",
      subjectId: opts.agent.agentId,
      targetId: first.targetId,
      outcome: "denied",
      details: { route: opts.route, refused: refused.slice(0, 20), refusedCount: refused.length },
      request: opts.request,
    });
    throw new AppError(
      "AGENT_SCOPE_FORBIDDEN",
      `This agent's credential does not reach ${first.targetId ? `target ${first.targetId}` : "that target"} (repository ${first.repoId}): ${first.reason}.`,
    );
  }
  return repoTarget;
}
