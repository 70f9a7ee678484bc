import { withAuth } from "@/lib/api/with-auth";
import { downloadAppliedManifests } from "@/lib/deployments/data/download-applied-manifests";

export const GET = withAuth(
  async ({ params, principal, actor, request }) => {
    const file = await downloadAppliedManifests({
      deploymentId: params.id ?? "",
      reader: { userId: principal.userId, role: principal.role },
      actor,
      request,
    });
    const headers = new Headers({
      "Content-Type": "application/yaml; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "X-Wharf-Manifests-Sha256": file.sha256,
      Digest: `sha-256=${Buffer.from(file.sha256, "hex").toString("base64")}`,
      "Cache-Control": "private, no-store",
    });
    // The file itself, not the stored gzip under Content-Encoding: served that way through Next's server, Chromium
    // saved the raw gzip as the .yaml file. Transport compression is left to the server or proxy in front.
    return new Response(new Uint8Array(file.bytes), { headers });
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
