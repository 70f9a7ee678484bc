import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { db } from "@/lib/db";
import { assertTargetDeletable } from "./assert-target-deletable";
import { getTargetRow } from "./get-target";

export interface DeleteTargetOptions {
  id: string;
  actor: Actor;
  request: RequestContext;
}

/**
 * Deletes a target and, through the foreign key's cascade, its credentials (active and history), writing
 * `target.deleted` in the same transaction. 404 when the id is unknown; `assertTargetDeletable` may refuse.
 */
export async function deleteTarget({ id, actor, request }: DeleteTargetOptions): Promise<void> {
  await db().$transaction(async (tx) => {
    const target = await getTargetRow({ id }, tx);
    await assertTargetDeletable(tx, target);
    const credentialsDeleted = await tx.credential.count({ where: { targetId: id } });
    await tx.target.delete({ where: { id } });
    await recordAuditEvent(tx, {
      actor,
      action: "target.deleted",
      subjectType: "target",
      subjectId: id,
      targetId: id,
      details: { name: target.name, mode: target.mode, environment: target.environment, credentialsDeleted },
      request,
    });
  });
}
