import "server-only";
import { AGENT_CREDENTIAL_PREFIX, type TEnrolRequest, type TEnrolResponse } from "@/lib/agent/protocol";
import { recordAuditEvent, recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { RequestContext } from "@/lib/audit/schemas";
import { newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * Trades a one-time enrolment token for the agent's credential. The token is consumed by a conditional update
 * (hash matches, not expired, agent not revoked), so of two concurrent uses exactly one wins; a second use, an
 * expired or unknown token is 401 ENROLMENT_TOKEN_INVALID and audited as `agent.denied`.
 */
export async function enrolAgent(opts: { input: TEnrolRequest; request: RequestContext; now?: Date }): Promise<TEnrolResponse> {
  const now = opts.now ?? new Date();
  const tokenHash = sha256Hex(opts.input.enrolmentToken);
  const credential = newSecretToken(AGENT_CREDENTIAL_PREFIX);
  const result = await db().$transaction(async (tx) => {
    const agent = await tx.agent.findUnique({ where: { enrolmentTokenHash: tokenHash }, select: { id: true, name: true } });
    if (!agent) return null;
    const { count } = await tx.agent.updateMany({
      where: { id: agent.id, enrolmentTokenHash: tokenHash, enrolmentExpiresAt: { gt: now }, revokedAt: null },
      data: {
        enrolmentTokenHash: null,
        enrolmentExpiresAt: null,
        enrolledAt: now,
        credentialHash: sha256Hex(credential),
        credentialPrefix: credential.slice(0, 12),
        credentialIssuedAt: now,
        lastSeenAt: now,
        version: opts.input.version,
        hostname: opts.input.hostname ?? null,
      },
    });
    if (count !== 1) return null;
    await recordAuditEvent(tx, {
      actor: { kind: "agent", id: agent.id, name: `agent:${agent.name}` },
      action: "agent.enrolled",
      subjectType: "agent",
      subjectId: agent.id,
      details: { name: agent.name, version: opts.input.version, hostname: opts.input.hostname ?? null, prefix: credential.slice(0, 12) },
      request: opts.request,
    });
    return { agentId: agent.id, agentName: agent.name, credential };
  });
  if (!result) {
    await recordStandaloneAuditEvent({
      actor: { kind: "agent", id: null, name: opts.input.hostname ? `agent@${opts.input.hostname}` : "agent" },
      action: "agent.denied",
      subjectType: "agent-enrolment",
      outcome: "denied",
      details: { reason: "enrolment token unknown, used, expired or revoked", tokenPrefix: opts.input.enrolmentToken.slice(0, 8) },
      request: opts.request,
    });
    throw new AppError("ENROLMENT_TOKEN_INVALID", "This enrolment token is unknown, already used, expired or revoked. Ask an admin for a new agent.");
  }
  return result;
}
