import { withAuth } from "@/lib/api/with-auth";
import { getPullStatus } from "@/lib/sync/data/get-pull-status";
import { ZPullStatusView } from "@/lib/sync/schemas";

export const GET = withAuth(async ({ params }) => getPullStatus({ targetId: params.id ?? "" }), {
  permission: "read",
  docs: {
    tag: "pull",
    summary: "A pull target's status card: repositories, applied revision, agents, staleness",
    returns: "Pull status.",
    response: ZPullStatusView,
  },
});
