import "server-only";
import { auditedTransaction, recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { AppError } from "@/lib/errors";
import {
  manifestsFilename,
  mayDownloadManifests,
  type ManifestsFile,
  type ManifestsReader,
} from "../applied-manifests";
import { manifestsBytesOf, manifestsSha256 } from "../stored-manifests";

/** A deployment's manifests as stored and applied, ready to serve: the bytes and their digest. */
export interface AppliedManifestsFile extends ManifestsFile {
  deploymentId: string;
}

/**
 * Reads a push deployment's manifests for download and records who downloaded them in the same transaction, so no
 * copy leaves without its audit row. Approvers and admins (who approve and read the audit trail) may download any
 * deployment's manifests, a requester their own; anyone else is refused (403). Pull revisions are applied by the
 * agent from Git, so Wharf holds no manifests for them (404).
 */
export async function downloadAppliedManifests(opts: {
  deploymentId: string;
  reader: ManifestsReader;
  actor: Actor;
  request: RequestContext;
}): Promise<AppliedManifestsFile> {
  return auditedTransaction(async (tx) => {
    const row = await tx.deployment.findUnique({
      where: { id: opts.deploymentId },
      select: {
        id: true,
        targetId: true,
        sourceKind: true,
        requestedById: true,
        manifests: true,
        manifestsGz: true,
        manifestsSha256: true,
        commitSha: true,
        target: { select: { name: true } },
        application: { select: { name: true } },
      },
    });
    if (!row) throw new AppError("NOT_FOUND", "There is no deployment with this id.");
    if (!mayDownloadManifests(opts.reader, row))
      throw new AppError(
        "FORBIDDEN",
        "Only approvers, admins and the person who requested this deployment may download its manifests.",
      );
    if (row.sourceKind === "pull-revision")
      throw new AppError(
        "NOT_FOUND",
        "This is a pull revision: its agent applied it from Git, so Wharf keeps no manifests for it.",
      );
    const bytes = manifestsBytesOf(row);
    const sha256 = row.manifestsSha256 ?? manifestsSha256(bytes);
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "deployment.manifests-downloaded",
      subjectType: "deployment",
      subjectId: row.id,
      targetId: row.targetId,
      details: { sha256, bytes: bytes.length },
      request: opts.request,
    });
    const name = row.application?.name ?? row.target.name;
    return {
      deploymentId: row.id,
      filename: manifestsFilename(name, row.id, sha256),
      bytes,
      sha256,
    };
  });
}
