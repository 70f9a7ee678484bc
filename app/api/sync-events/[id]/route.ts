import { withAuth } from "@/lib/api/with-auth";
import { getSyncEvent } from "@/lib/sync/data/get-sync-event";
import { ZSyncEventDetail } from "@/lib/sync/schemas";

export const GET = withAuth(
  async ({ params, principal }) =>
    getSyncEvent({ eventId: params.id ?? "", viewer: { userId: principal.userId, role: principal.role } }),
  {
    permission: "read",
    docs: {
      tag: "pull",
      summary:
        "One sync event with its applied-manifests record: cluster, revision, the manifests' SHA-256, who requested and approved the revision",
      returns: "The sync event and its record.",
      response: ZSyncEventDetail,
    },
  },
);
