import { withAuth } from "@/lib/api/with-auth";
import { manifestsFileResponse } from "@/lib/deployments/applied-manifests";
import { downloadSyncManifests } from "@/lib/sync/data/download-sync-manifests";

export const GET = withAuth(
  async ({ params, principal, actor, request }) =>
    manifestsFileResponse(
      await downloadSyncManifests({
        eventId: params.id ?? "",
        reader: { userId: principal.userId, role: principal.role },
        actor,
        request,
      }),
    ),
  {
    permission: "read",
    docs: {
      tag: "pull",
      summary: "Download the rendered manifests a sync applied, byte for byte (approvers and admins; audited)",
      returns:
        "The manifests as YAML; X-Wharf-Manifests-Sha256 gives the file's SHA-256 (hex) and Digest the same as sha-256 (base64).",
      produces: "application/yaml",
    },
  },
);
