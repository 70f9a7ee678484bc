import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

/** Removes a binding (its webhook then gets 401). NOT_FOUND unless the binding belongs to the target. */
export async function deleteRepoBinding(opts: {
  targetId: string;
  bindingId: string;
  actor: Actor;
  request: RequestContext;
}): Promise<void> {
  await db().$transaction(async (tx) => {
    const row = await tx.repoBinding.findFirst({ where: { id: opts.bindingId, targetId: opts.targetId } });
    if (!row) throw new AppError("NOT_FOUND", "There is no such repository binding on this target.");
    await tx.repoBinding.delete({ where: { id: row.id } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "repo-binding.deleted",
      subjectType: "repo-binding",
      subjectId: row.id,
      targetId: row.targetId,
      details: { repoUrl: row.repoUrl, branch: row.branch, path: row.path },
      request: opts.request,
    });
  });
}
