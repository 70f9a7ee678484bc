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
 * `credential.deleted` per credential and `target.deleted` in the same transaction. 404 when the id is unknown; `assertTargetDeletable` may refuse.
 */
export async function deleteTarget({ id, actor, request }: DeleteTargetOptions): Promise<void> {
  await db().$transaction(async (tx) => {
    const target = await getTargetRow({ id }, tx);
    await assertTargetDeletable(tx, target);
    const credentials = await tx.credential.findMany({
      where: { targetId: id },
      select: { id: true, fingerprint: true, kind: true, state: true },
      orderBy: { createdAt: "asc" },
    });
    const credentialsDeleted = credentials.length;
    await tx.target.delete({ where: { id } });
    // The cascade removes the credential rows; each one's end is still a credential event an auditor can find.
    for (const c of credentials) {
      await recordAuditEvent(tx, {
        actor,
        action: "credential.deleted",
        subjectType: "credential",
        subjectId: c.id,
        targetId: id,
        credentialId: c.id,
        details: {
          kind: c.kind,
          state: c.state,
          fingerprint: c.fingerprint,
          targetName: target.name,
          reason: "target deleted",
        },
        request,
      });
    }
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
