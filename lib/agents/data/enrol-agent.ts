import "server-only";
import { AGENT_CREDENTIAL_PREFIX, type TEnrolRequest, type TEnrolResponse } from "@/lib/agent/protocol";
import { recordAuditEvent, recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { RequestContext } from "@/lib/audit/schemas";
import { newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * Trades a one-time enrolment token for the agent's credential. The token is consumed by a conditional update
 * (hash matches, not yet enrolled, not expired, agent not revoked), so of two concurrent uses exactly one wins. A
 * second use, an expired token or one of a revoked agent is 401 ENROLMENT_TOKEN_INVALID and audited as
 * `agent.denied` against that agent (a reused token is a sign it leaked). The token's hash is kept after use for
 * that reason; tokens matching no agent are refused without an audit row, so anonymous noise cannot flood the trail.
 */
export async function enrolAgent(opts: {
  input: TEnrolRequest;
  request: RequestContext;
  now?: Date;
}): Promise<TEnrolResponse> {
  const now = opts.now ?? new Date();
  const tokenHash = sha256Hex(opts.input.enrolmentToken);
  const credential = newSecretToken(AGENT_CREDENTIAL_PREFIX);
  type Outcome =
    { enrolled: TEnrolResponse } | { refused: { agentId: string; agentName: string; reason: string } | null };
  const result = await db().$transaction(async (tx): Promise<Outcome> => {
    const agent = await tx.agent.findUnique({
      where: { enrolmentTokenHash: tokenHash },
      select: { id: true, name: true, enrolledAt: true, revokedAt: true },
    });
    if (!agent) return { refused: null };
    const { count } = await tx.agent.updateMany({
      where: {
        id: agent.id,
        enrolmentTokenHash: tokenHash,
        enrolledAt: null,
        enrolmentExpiresAt: { gt: now },
        revokedAt: null,
      },
      data: {
        enrolledAt: now,
        credentialHash: sha256Hex(credential),
        credentialPrefix: credential.slice(0, 12),
        credentialIssuedAt: now,
        lastSeenAt: now,
        version: opts.input.version,
        hostname: opts.input.hostname ?? null,
      },
    });
    if (count !== 1) {
      const reason = agent.revokedAt
        ? "agent revoked"
        : agent.enrolledAt
          ? "enrolment token already used"
          : "enrolment token expired";
      return { refused: { agentId: agent.id, agentName: agent.name, reason } };
    }
    await recordAuditEvent(tx, {
      actor: { kind: "agent", id: agent.id, name: `agent:${agent.name}` },
      action: "agent.enrolled",
      subjectType: "agent",
      subjectId: agent.id,
      details: {
        name: agent.name,
        version: opts.input.version,
        hostname: opts.input.hostname ?? null,
        prefix: credential.slice(0, 12),
      },
      request: opts.request,
    });
    return { enrolled: { agentId: agent.id, agentName: agent.name, credential } };
  });
  if ("enrolled" in result) return result.enrolled;
  if (result.refused) {
    await recordStandaloneAuditEvent({
      actor: {
        kind: "agent",
        id: null,
        name: opts.input.hostname ? `agent@${opts.input.hostname}` : "agent (enrolment)",
      },
      action: "agent.denied",
      subjectType: "agent",
      subjectId: result.refused.agentId,
      outcome: "denied",
      details: {
        route: "POST /api/agent/v1/enrol",
        reason: result.refused.reason,
        name: result.refused.agentName,
        hostname: opts.input.hostname ?? null,
      },
      request: opts.request,
    });
  }
  throw new AppError(
    "ENROLMENT_TOKEN_INVALID",
    "This enrolment token is unknown, already used, expired or revoked. Ask an admin for a new agent.",
  );
}
