import { z } from "zod";
import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { getDeploymentProgress } from "@/lib/deployments/data/executor-progress";

const ZProgressQuery = z.object({ afterLog: z.coerce.number().int().min(0).optional() });

export const GET = withAuth(
  async ({ req, params }) => {
    const { afterLog } = ZProgressQuery.parse(searchParamsOf(req));
    return getDeploymentProgress({ deploymentId: params.id ?? "", ...(afterLog !== undefined ? { afterLog } : {}) });
  },
  {
    permission: "read",
    docs: {
      tag: "deployments",
      summary: "Live execution progress: counters, object results, log lines after ?afterLog=<seq>",
      query: ZProgressQuery,
      returns: "Progress.",
    },
  },
);
