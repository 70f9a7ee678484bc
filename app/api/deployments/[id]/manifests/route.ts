import { withAuth } from "@/lib/api/with-auth";
import { downloadAppliedManifests } from "@/lib/deployments/data/download-applied-manifests";
import { gzipSync } from "node:zlib";

/** Whether the client takes gzip (`Accept-Encoding: gzip`, not refused with q=0). */
function acceptsGzip(req: Request): boolean {
  const header = req.headers.get("accept-encoding") ?? "";
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") return false;
    return !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

export const GET = withAuth(
  async ({ req, params, principal, actor, request }) => {
    const file = await downloadAppliedManifests({
      deploymentId: params.id ?? "",
      reader: { userId: principal.userId, role: principal.role },
      actor,
      request,
    });
    const headers = new Headers({
      "Content-Type": "application/yaml; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      // The SHA-256 of the YAML file itself, whatever Content-Encoding carries it.
      "X-Wharf-Manifests-Sha256": file.sha256,
      "Cache-Control": "private, no-store",
      Vary: "Accept-Encoding",
    });
    if (acceptsGzip(req)) {
      // The stored gzip is served as is: no recompression per download.
      headers.set("Content-Encoding", "gzip");
      return new Response(new Uint8Array(file.gzip ?? gzipSync(file.bytes)), { headers });
    }
    // RFC 3230's Digest covers the bytes as sent, so it is only given when they are the file itself.
    headers.set("Digest", `sha-256=${Buffer.from(file.sha256, "hex").toString("base64")}`);
    return new Response(new Uint8Array(file.bytes), { headers });
  },
  {
    permission: "read",
    docs: {
      tag: "deployments",
      summary:
        "Download the manifests a deployment applied, byte for byte (approvers, admins and its requester; audited)",
      returns:
        "The manifests as YAML (gzip-encoded when accepted); X-Wharf-Manifests-Sha256 gives the file's SHA-256 (hex), and Digest (sha-256, base64) too when not gzip-encoded.",
      produces: "application/yaml",
    },
  },
);
