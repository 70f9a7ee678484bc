import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { createTarget } from "@/lib/targets/data/create-target";
import { listTargets } from "@/lib/targets/data/list-targets";
import { ZCreateTarget, ZTargetListQuery, ZTargetListPage, ZTargetView } from "@/lib/targets/schemas";

export const GET = withAuth(async ({ req }) => listTargets(ZTargetListQuery.parse(searchParamsOf(req))), {
  permission: "read",
  docs: {
    tag: "targets",
    summary: "List targets (q, mode, environment filters; cursor pagination)",
    query: ZTargetListQuery,
    returns: "A page of targets and the next cursor.",
    response: ZTargetListPage,
  },
});

export const POST = withAuth(
  async ({ req, actor, request }) => createTarget({ input: ZCreateTarget.parse(await readJson(req)), actor, request }),
  {
    permission: "targets.manage",
    successStatus: 201,
    docs: {
      tag: "targets",
      summary: "Register a target",
      body: ZCreateTarget,
      returns: "The target.",
      response: ZTargetView,
    },
  },
);
