import { withAuth } from "@/lib/api/with-auth";
import { deleteRepoBinding } from "@/lib/deployments/data/delete-repo-binding";

// DELETE /api/targets/:id/repo-bindings/:bindingId — remove a binding; its webhook is refused from then on
export const DELETE = withAuth(
  async ({ params, actor, request }) => {
    await deleteRepoBinding({ targetId: params.id ?? "", bindingId: params.bindingId ?? "", actor, request });
    return null;
  },
  { permission: "targets.manage" },
);
