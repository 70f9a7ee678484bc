import "server-only";
import { gunzipSync } from "node:zlib";
import { auditedTransaction, recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import {
  manifestsFilename,
  mayDownloadManifests,
  type ManifestsFile,
  type ManifestsReader,
} from "@/lib/deployments/applied-manifests";
import { AppError } from "@/lib/errors";

/**
 * Reads the manifests a sync applied for download and records who downloaded them in the same transaction, as for a
 * push deployment (lib/deployments/data/download-applied-manifests.ts), under the same rule: approvers and admins (an
 * agent applied them, so there is no requester to let in); anyone else is refused (403). 404 when the event applied
 * nothing, came from an agent older than the record, or its text never reached Wharf (over the upload cap).
 */
export async function downloadSyncManifests(opts: {
  eventId: string;
  reader: ManifestsReader;
  actor: Actor;
  request: RequestContext;
}): Promise<ManifestsFile & { eventId: string }> {
  return auditedTransaction(async (tx) => {
    const row = await tx.syncEvent.findUnique({
      where: { id: opts.eventId },
      select: { id: true, targetId: true, repoId: true, revisionId: true, manifestsSha256: true },
    });
    if (!row) throw new AppError("NOT_FOUND", "There is no sync event with this id.");
    if (!mayDownloadManifests(opts.reader, { requestedById: null }))
      throw new AppError("FORBIDDEN", "Only approvers and admins may download the manifests a sync applied.");
    if (!row.manifestsSha256)
      throw new AppError(
        "NOT_FOUND",
        "This sync recorded no manifests: it applied nothing, or its agent is older than the applied-manifests record.",
      );
    const blob = await tx.appliedManifestsBlob.findUnique({ where: { sha256: row.manifestsSha256 } });
    if (!blob)
      throw new AppError(
        "NOT_FOUND",
        "Wharf has the digest of what this sync applied but not the manifests: they were over the upload limit or never arrived.",
      );
    const bytes = gunzipSync(blob.gz);
    const repo = await tx.pullRepo.findUnique({ where: { id: row.repoId }, select: { url: true, path: true } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "sync.manifests-downloaded",
      subjectType: "sync-event",
      subjectId: row.id,
      targetId: row.targetId,
      details: { sha256: blob.sha256, bytes: bytes.length, repoId: row.repoId, revision: row.revisionId },
      request: opts.request,
      ...(repo ? { names: { repository: { url: repo.url, path: repo.path } } } : {}),
    });
    const name = repo
      ? (repo.url
          .replace(/\.git$/, "")
          .split(/[/:]/)
          .pop() ?? "sync")
      : "sync";
    return { eventId: row.id, filename: manifestsFilename(name, row.id, blob.sha256), bytes, sha256: blob.sha256 };
  });
}
