import { readJson, searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { createTarget } from "@/lib/targets/data/create-target";
import { listTargets } from "@/lib/targets/data/list-targets";
import { ZCreateTarget, ZTargetListQuery } from "@/lib/targets/schemas";

// GET /api/targets — list targets (q, mode, environment filters; cursor pagination)
export const GET = withAuth(async ({ req }) => listTargets(ZTargetListQuery.parse(searchParamsOf(req))), {
  permission: "read",
});

// POST /api/targets — register a target
export const POST = withAuth(
  async ({ req, actor, request }) => createTarget({ input: ZCreateTarget.parse(await readJson(req)), actor, request }),
  { permission: "targets.manage", successStatus: 201 },
);
