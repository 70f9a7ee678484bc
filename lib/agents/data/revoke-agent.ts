import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { wakeAgents } from "../notifier";
import { notifyAgentWake } from "./agent-wake";
import type { AgentView } from "../schemas";
import { AGENT_INCLUDE, toAgentView } from "./to-agent-view";

/**
 * Revokes an agent: its credential and any unused enrolment token stop working at once (every agent route answers
 * 401). Revoking twice is a no-op that answers the revoked agent.
 */
export async function revokeAgent(opts: {
  agentId: string;
  actor: Actor;
  request: RequestContext;
  now?: Date;
}): Promise<AgentView> {
  const now = opts.now ?? new Date();
  const row = await db().$transaction(async (tx) => {
    const agent = await tx.agent.findUnique({ where: { id: opts.agentId }, include: AGENT_INCLUDE });
    if (!agent) throw new AppError("NOT_FOUND", "There is no agent with this id.");
    if (agent.revokedAt) return agent;
    const updated = await tx.agent.update({
      where: { id: agent.id },
      data: { revokedAt: now, enrolmentTokenHash: null, enrolmentExpiresAt: null },
      include: AGENT_INCLUDE,
    });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "agent.revoked",
      subjectType: "agent",
      subjectId: agent.id,
      details: { name: agent.name, prefix: agent.credentialPrefix },
      request: opts.request,
    });
    // Its long polls, in whichever process, end now (their next read refuses the revoked agent).
    await notifyAgentWake(tx, [agent.id]);
    return updated;
  });
  wakeAgents([row.id]);
  return toAgentView(row, now);
}
