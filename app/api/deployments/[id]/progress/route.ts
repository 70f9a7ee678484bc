import { z } from "zod";
import { searchParamsOf, withAuth } from "@/lib/api/with-auth";
import { pollDeploymentProgress } from "@/lib/deployments/data/executor-progress";
import { PROGRESS_WAIT_MAX_SECONDS } from "@/lib/deployments/progress-view";

// A long poll holds the request up to 25 s; never cache or prerender it.
export const dynamic = "force-dynamic";

const ZProgressQuery = z.object({
  afterLog: z.coerce.number().int().min(0).optional(),
  /** The `version` the client holds: with `wait`, the request is held until the progress differs from it. */
  after: z.string().trim().min(1).max(100).optional(),
  /** Seconds to hold the request when nothing is newer than `afterLog` and `after` (at most 25); 0 answers at once. */
  wait: z.coerce.number().int().min(0).max(PROGRESS_WAIT_MAX_SECONDS).optional(),
});

export const GET = withAuth(
  async ({ req, params, timing }) => {
    const q = ZProgressQuery.parse(searchParamsOf(req));
    return pollDeploymentProgress({
      deploymentId: params.id ?? "",
      afterLog: q.afterLog,
      after: q.after,
      waitMs: (q.wait ?? 0) * 1000,
      signal: req.signal,
      timing,
    });
  },
  {
    permission: "read",
    docs: {
      tag: "deployments",
      summary:
        "Live execution progress: counters, object results, log lines after ?afterLog=<seq>; with ?after=<version>&wait=<s> held until something is newer",
      query: ZProgressQuery,
      returns: "Progress, with its version and whether it changed.",
    },
  },
);
