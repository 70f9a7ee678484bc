import { getApplicationLive } from "@/lib/applications/data/get-application-live";
import { ZApplicationLive } from "@/lib/applications/live-schemas";
import { withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(async ({ params }) => getApplicationLive({ id: params.id ?? "" }), {
  permission: "read",
  docs: {
    tag: "applications",
    summary:
      "An application's live state: for pull, the resource tree and health its agent last reported (Deployment → ReplicaSets → Pods, with pod phase, restarts and images); for push, source none for now",
    returns: "Where the live state comes from and, when reported, the tree, health and times.",
    response: ZApplicationLive,
  },
});
