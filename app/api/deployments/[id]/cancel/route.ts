import { withAuth } from "@/lib/api/with-auth";
import { cancelDeployment } from "@/lib/deployments/data/cancel-deployment";

// POST /api/deployments/:id/cancel — cancel before it runs, or ask the executor to stop a running one
// (the requester, approvers and admins; checked by the service)
export const POST = withAuth(
  async ({ params, principal, actor, request }) =>
    cancelDeployment({ deploymentId: params.id ?? "", viewer: principal, actor, request }),
  { permission: "read" },
);
