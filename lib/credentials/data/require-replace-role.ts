import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { roleAtLeast, ZRole, type TRole } from "@/lib/auth/roles";
import { resolvePolicyFrom } from "@/lib/credentials/views";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

/** What a person asked to do with an existing credential; named in the refusal and its audit row. */
export type CredentialUse = "rotate" | "scope-check";

const DOING: Record<CredentialUse, string> = {
  rotate: "rotate this credential",
  "scope-check": "check this credential's scope (it decrypts the credential)",
};

/**
 * Person-triggered actions on an existing credential that decrypt or change it ("Rotate now", "Check now") are
 * allowed to the roles that may replace it: the governing policy's `minReplaceRole`, admin without a policy — the
 * rule saveCredential applies to replacing. A refusal is audited (`credential.denied`, `attempted` naming the action)
 * and thrown as FORBIDDEN before anything is decrypted. NOT_FOUND for an unknown credential.
 */
export async function requireReplaceRole(opts: {
  credentialId: string;
  use: CredentialUse;
  actor: Actor;
  actorRole: TRole;
  request: RequestContext;
}): Promise<void> {
  const row = await db().credential.findUnique({
    where: { id: opts.credentialId },
    select: { id: true, target: { select: { id: true, environment: true, credentialPolicyId: true } } },
  });
  if (!row) throw new AppError("NOT_FOUND", "There is no credential with this id.");
  const policy = resolvePolicyFrom(row.target, await db().credentialPolicy.findMany());
  const minRole: TRole = policy ? ZRole.parse(policy.minReplaceRole) : "admin";
  if (roleAtLeast(opts.actorRole, minRole)) return;
  await db().$transaction((tx) =>
    recordAuditEvent(tx, {
      actor: opts.actor,
      action: "credential.denied",
      subjectType: "credential",
      subjectId: row.id,
      targetId: row.target.id,
      credentialId: row.id,
      outcome: "denied",
      details: { attempted: opts.use, role: opts.actorRole, minReplaceRole: minRole, policy: policy?.name ?? null },
      request: opts.request,
    }),
  );
  throw new AppError(
    "FORBIDDEN",
    policy
      ? `Policy "${policy.name}" requires the ${minRole} role to ${DOING[opts.use]}; you are ${opts.actorRole}.`
      : `Only an admin may ${DOING[opts.use]} (no policy lowers that); you are ${opts.actorRole}.`,
  );
}
