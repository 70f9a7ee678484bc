import { readJson, withAuth } from "@/lib/api/with-auth";
import { deleteTarget } from "@/lib/targets/data/delete-target";
import { getTarget } from "@/lib/targets/data/get-target";
import { updateTarget } from "@/lib/targets/data/update-target";
import { ZUpdateTarget } from "@/lib/targets/schemas";

// GET /api/targets/:id — one target
export const GET = withAuth(async ({ params }) => getTarget({ id: params.id ?? "" }), { permission: "read" });

// PATCH /api/targets/:id — change a target's settings (or rename it)
export const PATCH = withAuth(
  async ({ req, params, actor, request }) =>
    updateTarget({ id: params.id ?? "", patch: ZUpdateTarget.parse(await readJson(req)), actor, request }),
  { permission: "targets.manage" },
);

// DELETE /api/targets/:id — delete a target and its credentials
export const DELETE = withAuth(
  async ({ params, actor, request }) => {
    await deleteTarget({ id: params.id ?? "", actor, request });
    return null;
  },
  { permission: "targets.manage" },
);
