import "server-only";
import type { TRole } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { mayDownloadManifests } from "@/lib/deployments/applied-manifests";
import { AppError } from "@/lib/errors";
import type { SyncEventDetail } from "../schemas";
import { syncEventViews } from "./list-sync-events";

/** Who is looking: decides whether the page offers the manifests' download. */
export interface SyncEventViewer {
  userId: string;
  role: TRole;
}

/**
 * One sync event with the record of what it applied (issue 16, Must 4): the cluster it was applied to, the revision,
 * the digest of the manifests and whether Wharf holds their text, and — on a target that requires approvals — who
 * asked for the revision and who approved it. Readable by anyone who may read the history; the manifests themselves
 * only by approvers and admins (download-sync-manifests.ts).
 */
export async function getSyncEvent(opts: { eventId: string; viewer: SyncEventViewer }): Promise<SyncEventDetail> {
  const row = await db().syncEvent.findUnique({ where: { id: opts.eventId } });
  if (!row) throw new AppError("NOT_FOUND", "There is no sync event with this id.");
  const [view] = await syncEventViews([row]);
  if (!view) throw new AppError("NOT_FOUND", "There is no sync event with this id.");
  const [target, blob, approval] = await Promise.all([
    db().target.findUnique({
      where: { id: row.targetId },
      select: { name: true, serverUrl: true, archivedAt: true },
    }),
    row.manifestsSha256
      ? db().appliedManifestsBlob.findUnique({ where: { sha256: row.manifestsSha256 }, select: { bytes: true } })
      : null,
    row.revisionId
      ? db().deployment.findFirst({
          where: { sourceKind: "pull-revision", pullRepoId: row.repoId, revision: row.revisionId },
          orderBy: { createdAt: "desc" },
          select: {
            id: true,
            requestedByName: true,
            approvals: {
              where: { decision: "approved" },
              select: { approverName: true },
              orderBy: { createdAt: "asc" },
            },
          },
        })
      : null,
  ]);
  return {
    ...view,
    cluster: {
      name: target?.name ?? null,
      serverUrl: target?.serverUrl ?? null,
      archived: !!target?.archivedAt,
    },
    appliedManifests: row.manifestsSha256
      ? {
          sha256: row.manifestsSha256,
          bytes: row.manifestsBytes ?? blob?.bytes ?? null,
          held: blob !== null,
          canDownload: blob !== null && mayDownloadManifests(opts.viewer, { requestedById: null }),
        }
      : null,
    approval: approval
      ? {
          deploymentId: approval.id,
          requestedBy: approval.requestedByName,
          approvedBy: approval.approvals.map((a) => a.approverName),
        }
      : null,
  };
}
