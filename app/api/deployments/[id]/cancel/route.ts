import { withAuth } from "@/lib/api/with-auth";
import { cancelDeployment } from "@/lib/deployments/data/cancel-deployment";
import { ZDeploymentView } from "@/lib/deployments/schemas";

export const POST = withAuth(
  async ({ params, principal, actor, request }) =>
    cancelDeployment({ deploymentId: params.id ?? "", viewer: principal, actor, request }),
  // `read`: who may cancel (the requester, approvers and admins) is the service's check.
  {
    permission: "read",
    docs: {
      tag: "deployments",
      summary: "Cancel before it runs, or ask the executor to stop a running one (requester, approvers, admins)",
      returns: "The deployment.",
      response: ZDeploymentView,
    },
  },
);
