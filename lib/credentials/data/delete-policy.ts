import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { governedBy, lockStatusColumns, recomputeCredentialStatusColumns } from "../status-columns";
import { RECOMPUTE_TX, type WriteContext } from "./save-policy";

/** Deletes a policy; targets that named it fall back to their environment's policy (the relation is SET NULL). */
export async function deletePolicy(opts: WriteContext & { id: string }): Promise<void> {
  await db().$transaction(async (tx) => {
    await lockStatusColumns(tx);
    const current = await tx.credentialPolicy.findUnique({ where: { id: opts.id } });
    if (!current) throw new AppError("NOT_FOUND", "There is no credential policy with this id.");
    const explicitTargets = await tx.target.count({ where: { credentialPolicyId: opts.id } });
    // Recomputed against the policies that remain, before the row goes: afterwards the targets that named it no
    // longer say so (SET NULL) and fall back to their environment's policy, which is what `remaining` resolves to.
    const remaining = await tx.credentialPolicy.findMany({ where: { id: { not: opts.id } } });
    await recomputeCredentialStatusColumns(tx, {
      where: governedBy(opts.id, [current.environment]),
      policies: remaining,
    });
    await tx.credentialPolicy.delete({ where: { id: opts.id } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "policy.deleted",
      subjectType: "policy",
      subjectId: opts.id,
      details: { name: current.name, environment: current.environment, explicitTargets },
      request: opts.request,
    });
  }, RECOMPUTE_TX);
}
