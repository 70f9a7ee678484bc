import { withAuth } from "@/lib/api/with-auth";
import { can } from "@/lib/auth/roles";
import { getDeployment } from "@/lib/deployments/data/get-deployment";
import { previewDeployment } from "@/lib/deployments/data/preview-deployment";
import { AppError } from "@/lib/errors";
import { ZDeploymentView } from "@/lib/deployments/schemas";

export const POST = withAuth(
  async ({ params, principal, actor, request }) => {
    if (!can(principal.role, "deployments.request") && !can(principal.role, "deployments.approve")) {
      throw new AppError("FORBIDDEN", "Only deployers, approvers and admins may run a preview.");
    }
    await previewDeployment({ deploymentId: params.id ?? "", actor, request });
    return getDeployment({ id: params.id ?? "", viewer: principal });
  },
  {
    permission: "read",
    docs: {
      tag: "deployments",
      summary: "Run the dry-run diff against the cluster again (requesters and approvers)",
      returns: "The deployment with its new preview.",
      response: ZDeploymentView,
    },
  },
);
