import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import type { Tx } from "@/lib/db";
import { removeRepoRow } from "@/lib/repos/data/remove-repo";

export interface ArchiveApplicationResult {
  pullRepoRemoved: string | null;
  repoBindingsRemoved: number;
  cancelledRequests: number;
}

/**
 * Archives one application inside the caller's transaction, audited `application.deleted`: the row stays (its
 * deployments keep pointing at it, so their pages and audit links read), but it leaves every list and nothing deploys
 * it any more. What would keep it working goes: its pull repository registration (its agent stops syncing it; open
 * approval requests of its revisions are cancelled) and the webhook bindings that deploy it (left behind, a push to
 * their branch would deploy its repository into the target's default application instead). Its name is freed for a
 * new application (archivedKey = id) and so is its ApplySet key: a new default application of the target takes the
 * target id again and adopts the objects left in the cluster, as it did when deleting erased the row.
 */
export async function archiveApplicationRow(
  tx: Tx,
  opts: { id: string; actor: Actor; request: RequestContext; reason: string },
): Promise<ArchiveApplicationResult> {
  const app = await tx.application.findUniqueOrThrow({
    where: { id: opts.id },
    include: {
      pullRepo: { select: { id: true } },
      repoBindings: { select: { id: true, repoUrl: true, branch: true, path: true } },
    },
  });
  const removed = app.pullRepo
    ? await removeRepoRow(tx, {
        repoId: app.pullRepo.id,
        actor: opts.actor,
        request: opts.request,
        reason: opts.reason,
      })
    : null;
  for (const b of app.repoBindings) {
    await tx.repoBinding.delete({ where: { id: b.id } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "repo-binding.deleted",
      subjectType: "repo-binding",
      subjectId: b.id,
      targetId: app.targetId,
      details: { repoUrl: b.repoUrl, branch: b.branch, path: b.path, reason: "application deleted" },
      request: opts.request,
    });
  }
  await tx.application.update({
    where: { id: app.id },
    data: {
      archivedAt: new Date(),
      archivedById: opts.actor.id,
      archivedByName: opts.actor.name,
      archivedKey: app.id,
      inventoryKey: `${app.inventoryKey}~archived~${app.id}`,
    },
  });
  const result = {
    pullRepoRemoved: app.pullRepo?.id ?? null,
    repoBindingsRemoved: app.repoBindings.length,
    cancelledRequests: removed?.cancelledRequests ?? 0,
  };
  await recordAuditEvent(tx, {
    actor: opts.actor,
    action: "application.deleted",
    subjectType: "application",
    subjectId: app.id,
    targetId: app.targetId,
    details: {
      name: app.name,
      mode: app.mode,
      source: app.sourceKind,
      ...(app.repoUrl ? { repoUrl: app.repoUrl, ref: app.ref, path: app.path } : {}),
      inventoryKey: app.inventoryKey,
      archived: true,
      reason: opts.reason,
      ...result,
    },
    request: opts.request,
  });
  return result;
}
