import "server-only";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { agentStateOf, type AgentView } from "../schemas";

export const AGENT_INCLUDE = {
  targets: { include: { target: { select: { id: true, name: true } } }, orderBy: { createdAt: "asc" } },
} as const;

export type AgentRow = Prisma.AgentGetPayload<{ include: typeof AGENT_INCLUDE }>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toAgentView(row: AgentRow, now = new Date()): AgentView {
  return {
    id: row.id,
    name: row.name,
    state: agentStateOf(row, now),
    targets: row.targets.map((t) => ({ id: t.target.id, name: t.target.name })),
    credentialPrefix: row.credentialPrefix,
    credentialIssuedAt: iso(row.credentialIssuedAt),
    enrolmentExpiresAt: iso(row.enrolmentExpiresAt),
    enrolledAt: iso(row.enrolledAt),
    revokedAt: iso(row.revokedAt),
    lastSeenAt: iso(row.lastSeenAt),
    version: row.version,
    hostname: row.hostname,
    createdAt: row.createdAt.toISOString(),
  };
}
