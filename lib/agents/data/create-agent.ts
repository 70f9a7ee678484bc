import "server-only";
import { LIVE_TARGET } from "@/lib/targets/live";
import { ENROLMENT_TOKEN_PREFIX } from "@/lib/agent/protocol";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { ENROLMENT_TTL_MS, ZCreateAgent, type AgentSecretView, type TCreateAgentInput } from "../schemas";
import { agentInstallSnippet } from "../snippet";
import { AGENT_INCLUDE, toAgentView } from "./to-agent-view";

export interface CreateAgentOptions {
  input: TCreateAgentInput;
  /** The admin creating it (a user id, or the API token's owner). */
  createdById: string;
  actor: Actor;
  request: RequestContext;
  now?: Date;
}

/**
 * Creates an agent for one or more pull targets and returns its one-time enrolment token (`wharfe_…`, valid 24 h)
 * with the install snippet. Only the token's SHA-256 is stored; this response is the only place it appears. Every
 * named target must exist and be a pull target (409 TARGET_NOT_PULL otherwise).
 */
export async function createAgent(opts: CreateAgentOptions): Promise<AgentSecretView> {
  const input = ZCreateAgent.parse(opts.input);
  const now = opts.now ?? new Date();
  const token = newSecretToken(ENROLMENT_TOKEN_PREFIX);
  try {
    const row = await db().$transaction(async (tx) => {
      const targets = await tx.target.findMany({
        // A deleted (archived) target is not one an agent may serve: it reads as unknown here.
        where: { id: { in: input.targetIds }, ...LIVE_TARGET },
        select: { id: true, name: true, mode: true },
      });
      const missing = input.targetIds.filter((id) => !targets.some((t) => t.id === id));
      if (missing.length)
        throw new AppError("NOT_FOUND", `No target with id ${missing.join(", ")} exists.`, {
          fields: { targetIds: ["Choose existing targets."] },
        });
      const push = targets.filter((t) => t.mode !== "pull");
      if (push.length) {
        throw new AppError(
          "TARGET_NOT_PULL",
          `Agents serve pull targets only; ${push.map((t) => t.name).join(", ")} ${push.length === 1 ? "is a push target" : "are push targets"}.`,
          {
            fields: { targetIds: ["Choose pull targets only."] },
          },
        );
      }
      if (await tx.agent.findUnique({ where: { name: input.name }, select: { id: true } })) {
        throw new AppError("NAME_TAKEN", `An agent named "${input.name}" already exists.`, {
          fields: { name: ["This name is taken."] },
        });
      }
      const agent = await tx.agent.create({
        data: {
          name: input.name,
          enrolmentTokenHash: sha256Hex(token),
          enrolmentExpiresAt: new Date(now.getTime() + ENROLMENT_TTL_MS),
          createdById: opts.createdById,
          targets: { create: input.targetIds.map((targetId) => ({ targetId })) },
        },
        include: AGENT_INCLUDE,
      });
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "agent.created",
        subjectType: "agent",
        subjectId: agent.id,
        details: {
          name: agent.name,
          targets: targets.map((t) => t.name),
          enrolmentExpiresAt: agent.enrolmentExpiresAt?.toISOString(),
        },
        request: opts.request,
      });
      return agent;
    });
    const wharfUrl = env().publicUrl;
    return {
      agent: toAgentView(row, now),
      secret: token,
      secretKind: "enrolment-token",
      wharfUrl,
      snippet: agentInstallSnippet({ wharfUrl, secret: token, secretKind: "enrolment-token", agentName: row.name }),
    };
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("NAME_TAKEN", `An agent named "${input.name}" already exists.`, {
        fields: { name: ["This name is taken."] },
      });
    throw err;
  }
}
