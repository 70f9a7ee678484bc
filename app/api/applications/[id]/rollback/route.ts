import { planRollback } from "@/lib/applications/data/plan-rollback";
import { ZRollbackPlan, ZRollbackPlanQuery } from "@/lib/applications/timeline-schemas";
import { searchParamsOf, withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(
  async ({ req, params }) => planRollback({ applicationId: params.id ?? "", query: searchParamsOf(req) }),
  {
    permission: "read",
    docs: {
      tag: "applications",
      summary:
        "What rolling a push application back to one of its earlier succeeded deployments would change (its live deployment's manifests against that one's, no cluster read) and the target's approval rule; request it with POST /api/deployments/{deploymentId}/rollback",
      query: ZRollbackPlanQuery,
      returns: "The live and the chosen deployment, the object-by-object diff, and the target's required approvals.",
      response: ZRollbackPlan,
    },
  },
);
