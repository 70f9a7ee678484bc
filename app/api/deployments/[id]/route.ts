import { withAuth } from "@/lib/api/with-auth";
import { getDeployment } from "@/lib/deployments/data/get-deployment";

// GET /api/deployments/:id — one deployment with its rule, approvals, preview, progress and what the caller may do
export const GET = withAuth(
  async ({ params, principal }) => getDeployment({ id: params.id ?? "", viewer: principal }),
  { permission: "read" },
);
