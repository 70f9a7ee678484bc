import { getApplicationLive } from "@/lib/applications/data/get-application-live";
import { ZApplicationLive } from "@/lib/applications/live-schemas";
import { withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(
  async ({ params, actor, request }) => getApplicationLive({ id: params.id ?? "", actor, request }),
  {
    permission: "read",
    docs: {
      tag: "applications",
      summary:
        "An application's live state: for pull, the resource tree and health its agent last reported (Deployment → ReplicaSets → Pods, with pod phase, restarts and images); for push, the tree and health Wharf read from the cluster with the target's credential (read at most every 15 s however many look, each read an audited credential use, status purpose), or source none with why nothing can be read",
      returns: "Where the live state comes from and, when reported, the tree, health and times.",
      response: ZApplicationLive,
    },
  },
);
