import { readJson, withAuth } from "@/lib/api/with-auth";
import { deleteTarget } from "@/lib/applications/data/archive-target";
import { getTarget } from "@/lib/targets/data/get-target";
import { updateTarget } from "@/lib/targets/data/update-target";
import { ZUpdateTarget, ZTargetView } from "@/lib/targets/schemas";

export const GET = withAuth(async ({ params }) => getTarget({ id: params.id ?? "" }), {
  permission: "read",
  docs: { tag: "targets", summary: "One target", returns: "The target.", response: ZTargetView },
});

export const PATCH = withAuth(
  async ({ req, params, actor, request }) =>
    updateTarget({ id: params.id ?? "", patch: ZUpdateTarget.parse(await readJson(req)), actor, request }),
  {
    permission: "targets.manage",
    docs: {
      tag: "targets",
      summary: "Change a target's settings (or rename it)",
      body: ZUpdateTarget,
      returns: "The target.",
      response: ZTargetView,
    },
  },
);

export const DELETE = withAuth(
  async ({ params, actor, request }) => {
    await deleteTarget({ id: params.id ?? "", actor, request });
    return null;
  },
  {
    permission: "targets.manage",
    docs: {
      tag: "targets",
      summary:
        "Delete a target: it is archived (its deployments, approvals and page stay readable, marked deleted; its name is free), its credentials destroyed, its bindings, repositories and agent assignments removed, requests awaiting approval cancelled (409 TARGET_BUSY while a deployment waits to run or runs)",
      returns: "Nothing.",
      success: 204,
    },
  },
);
