import { can, type TRole } from "@/lib/auth/roles";

/** Who asks to download a deployment's manifests. */
export interface ManifestsReader {
  userId: string;
  role: TRole;
}

/**
 * Who may download a deployment's manifests: approvers and admins (they approve deployments and read the audit trail,
 * so the record of what was applied is theirs to check), and the requester of that deployment. Viewers and other
 * deployers see the digest but not the manifests, which may name internal hosts and images. Shared by the route's
 * data function and the page, so the link shows only to those the route serves. A pull sync's manifests (lib/sync)
 * follow the same rule with no requester: an agent applied them, so approvers and admins only.
 */
export function mayDownloadManifests(reader: ManifestsReader, record: { requestedById: string | null }): boolean {
  return (
    can(reader.role, "audit.read") ||
    can(reader.role, "deployments.approve") ||
    (record.requestedById !== null && reader.userId === record.requestedById)
  );
}

/** A file of applied manifests as the download routes serve it: the bytes, their digest and a file name. */
export interface ManifestsFile {
  filename: string;
  /** The manifests' bytes exactly as stored and applied. */
  bytes: Buffer;
  /** SHA-256 (hex) of `bytes`. */
  sha256: string;
}

/** `<name>-<record id>-<digest prefix>.yaml`, safe in a Content-Disposition header on any system. */
export function manifestsFilename(name: string, id: string, sha256: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "deployment";
  return `${safe}-${id}-${sha256.slice(0, 12)}.yaml`;
}

/**
 * The download answer of both records (a push deployment's, a pull sync's): the YAML file with its SHA-256 as
 * X-Wharf-Manifests-Sha256 (hex) and Digest (RFC 3230, base64), never cached.
 */
export function manifestsFileResponse(file: ManifestsFile): Response {
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
}
