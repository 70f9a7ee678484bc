import { withAuth } from "@/lib/api/with-auth";
import { getDeployment } from "@/lib/deployments/data/get-deployment";
import { ZDeploymentView } from "@/lib/deployments/schemas";

export const GET = withAuth(
  async ({ params, principal }) => getDeployment({ id: params.id ?? "", viewer: principal }),
  {
    permission: "read",
    docs: {
      tag: "deployments",
      summary: "One deployment with its rule, approvals, preview, progress and what the caller may do",
      returns: "The deployment.",
      response: ZDeploymentView,
    },
  },
);
