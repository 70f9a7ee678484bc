import "server-only";
import { db } from "@/lib/db";
import { invalidCursorError } from "@/lib/keyset-cursor";
import { decodeAgentCursor, encodeAgentCursor } from "../cursor";
import { AGENT_LIST_LIMIT_DEFAULT, type AgentListPage } from "../schemas";
import { AGENT_INCLUDE, toAgentView } from "./to-agent-view";

export type { AgentListPage } from "../schemas";

/**
 * Agents, newest first, a page at a time (keyset on the (createdAt, id) index); with `targetId`, only those serving
 * that target. Never includes secrets or their hashes.
 */
export async function listAgents(
  opts: { targetId?: string | undefined; cursor?: string | undefined; limit?: number; now?: Date } = {},
): Promise<AgentListPage> {
  const limit = opts.limit ?? AGENT_LIST_LIMIT_DEFAULT;
  const after = opts.cursor ? decodeAgentCursor(opts.cursor) : null;
  if (opts.cursor && !after) throw invalidCursorError();
  const rows = await db().agent.findMany({
    where: {
      ...(opts.targetId ? { targets: { some: { targetId: opts.targetId } } } : {}),
      ...(after
        ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
        : {}),
    },
    include: AGENT_INCLUDE,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const now = opts.now ?? new Date();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    agents: page.map((r) => toAgentView(r, now)),
    nextCursor: rows.length > limit && last ? encodeAgentCursor(last) : null,
  };
}
