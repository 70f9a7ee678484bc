import "server-only";
import { AGENT_CREDENTIAL_PREFIX } from "@/lib/agent/protocol";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { wakeAgents } from "../notifier";
import { notifyAgentWake } from "./agent-wake";
import type { AgentSecretView } from "../schemas";
import { agentInstallSnippet } from "../snippet";
import { AGENT_INCLUDE, toAgentView } from "./to-agent-view";

/**
 * Issues a new credential for an agent and returns it once; the old one stops working at once (its hash is
 * replaced in the same update). A pending enrolment token is voided too. Revoked agents cannot be rotated.
 */
export async function rotateAgentCredential(opts: {
  agentId: string;
  actor: Actor;
  request: RequestContext;
  now?: Date;
}): Promise<AgentSecretView> {
  const now = opts.now ?? new Date();
  const credential = newSecretToken(AGENT_CREDENTIAL_PREFIX);
  const row = await db().$transaction(async (tx) => {
    const agent = await tx.agent.findUnique({
      where: { id: opts.agentId },
      select: { id: true, revokedAt: true, credentialPrefix: true },
    });
    if (!agent) throw new AppError("NOT_FOUND", "There is no agent with this id.");
    if (agent.revokedAt) throw new AppError("CONFLICT", "This agent is revoked; create a new one.");
    const updated = await tx.agent.update({
      where: { id: agent.id },
      data: {
        credentialHash: sha256Hex(credential),
        credentialPrefix: credential.slice(0, 12),
        credentialIssuedAt: now,
        enrolledAt: now,
        enrolmentTokenHash: null,
        enrolmentExpiresAt: null,
      },
      include: AGENT_INCLUDE,
    });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "agent.credential-rotated",
      subjectType: "agent",
      subjectId: agent.id,
      details: { name: updated.name, previousPrefix: agent.credentialPrefix, prefix: updated.credentialPrefix },
      request: opts.request,
    });
    // Long polls holding the old credential, in whichever process, end now; their next request gets 401.
    await notifyAgentWake(tx, [agent.id]);
    return updated;
  });
  wakeAgents([row.id]);
  const wharfUrl = env().publicUrl;
  return {
    agent: toAgentView(row, now),
    secret: credential,
    secretKind: "credential",
    wharfUrl,
    snippet: agentInstallSnippet({ wharfUrl, secret: credential, secretKind: "credential", agentName: row.name }),
  };
}
