import "server-only";
import { db } from "@/lib/db";
import type { AgentView } from "../schemas";
import { AGENT_INCLUDE, toAgentView } from "./to-agent-view";

/** Agents, newest first; with `targetId`, only those serving that target. Never includes secrets or their hashes. */
export async function listAgents(opts: { targetId?: string | undefined; now?: Date } = {}): Promise<AgentView[]> {
  const rows = await db().agent.findMany({
    where: opts.targetId ? { targets: { some: { targetId: opts.targetId } } } : {},
    include: AGENT_INCLUDE,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 500,
  });
  const now = opts.now ?? new Date();
  return rows.map((r) => toAgentView(r, now));
}
