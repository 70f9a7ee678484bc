import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { createAgent } from "@/lib/agents/data/create-agent";
import { listAgents } from "@/lib/agents/data/list-agents";
import {
  ZAgentListQuery,
  ZCreateAgent,
  type TCreateAgentInput,
  ZAgentListPage,
  ZAgentSecretView,
} from "@/lib/agents/schemas";

export const GET = withAuth(
  async ({ req }) => {
    const q = ZAgentListQuery.parse(searchParamsOf(req));
    return listAgents({ targetId: q.targetId, cursor: q.cursor, limit: q.limit });
  },
  {
    permission: "read",
    docs: {
      tag: "agents",
      summary: "Pull agents (optionally of one target), without secrets, newest first, cursor-paginated",
      query: ZAgentListQuery,
      returns: "A page of agents with their state, and nextCursor (null on the last page).",
      response: ZAgentListPage,
    },
  },
);

export const POST = withAuth(
  async ({ req, principal, actor, request }) => {
    return createAgent({
      input: (await readJson(req)) as TCreateAgentInput,
      createdById: principal.userId,
      actor,
      request,
    });
  },
  {
    permission: "targets.manage",
    successStatus: 201,
    docs: {
      tag: "agents",
      summary: "Create an agent for pull targets; answers its one-time enrolment token and install snippet",
      body: ZCreateAgent,
      returns: "The agent, its enrolment token (once) and the install snippet.",
      response: ZAgentSecretView,
    },
  },
);
