import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { createAgent } from "@/lib/agents/data/create-agent";
import { listAgents } from "@/lib/agents/data/list-agents";
import { ZAgentListQuery, type TCreateAgentInput } from "@/lib/agents/schemas";

// GET /api/agents — pull agents (optionally of one target), without secrets, newest first, cursor-paginated
export const GET = withAuth(
  async ({ req }) => {
    const q = ZAgentListQuery.parse(searchParamsOf(req));
    return listAgents({ targetId: q.targetId, cursor: q.cursor, limit: q.limit });
  },
  { permission: "read" },
);

// POST /api/agents — create an agent for pull targets; answers its one-time enrolment token and install snippet
export const POST = withAuth(
  async ({ req, principal, actor, request }) => {
    return createAgent({
      input: (await readJson(req)) as TCreateAgentInput,
      createdById: principal.userId,
      actor,
      request,
    });
  },
  { permission: "targets.manage", successStatus: 201 },
);
