import { withAuth } from "@/lib/api/with-auth";
import { deleteRepoBinding } from "@/lib/deployments/data/delete-repo-binding";

export const DELETE = withAuth(
  async ({ params, actor, request }) => {
    await deleteRepoBinding({ targetId: params.id ?? "", bindingId: params.bindingId ?? "", actor, request });
    return null;
  },
  {
    permission: "targets.manage",
    docs: {
      tag: "targets",
      summary: "Remove a binding; its webhook is refused from then on",
      returns: "Nothing.",
      success: 204,
    },
  },
);
