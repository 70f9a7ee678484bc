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
 * data function and the page, so the link shows only to those the route serves.
 */
export function mayDownloadManifests(reader: ManifestsReader, deployment: { requestedById: string }): boolean {
  return (
    can(reader.role, "audit.read") ||
    can(reader.role, "deployments.approve") ||
    reader.userId === deployment.requestedById
  );
}
