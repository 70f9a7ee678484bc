import { withAuth } from "@/lib/api/with-auth";
import { manifestsFileResponse } from "@/lib/deployments/applied-manifests";
import { downloadAppliedManifests } from "@/lib/deployments/data/download-applied-manifests";

export const GET = withAuth(
  async ({ params, principal, actor, request }) => {
    const file = await downloadAppliedManifests({
      deploymentId: params.id ?? "",
      reader: { userId: principal.userId, role: principal.role },
      actor,
      request,
    });
    return manifestsFileResponse(file);
  },
  {
    permission: "read",
    docs: {
      tag: "deployments",
      summary:
        "Download the manifests a deployment applied, byte for byte (approvers, admins and its requester; audited)",
      returns:
        "The manifests as YAML; X-Wharf-Manifests-Sha256 gives the file's SHA-256 (hex) and Digest the same as sha-256 (base64).",
      produces: "application/yaml",
    },
  },
);
