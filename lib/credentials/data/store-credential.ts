import "server-only";
import { assertTargetLive } from "@/lib/targets/live";
import { randomUUID } from "node:crypto";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { roleAtLeast, ZRole, type TRole } from "@/lib/auth/roles";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { seal } from "../crypto";
import { loadKeyring } from "../keyring";
import { envelopeContext, parseCredentialMaterial, serializeMaterial, type ParsedCredential } from "../material";
import { defaultCredentialLabel, type CredentialView, type TStoreCredential } from "../schemas";
import { lockStatusColumns, recomputeCredentialStatusColumns } from "../status-columns";
import { CREDENTIAL_PUBLIC_SELECT, resolvePolicyFrom, toCredentialView } from "../views";

export interface SaveCredentialOptions {
  targetId: string;
  input: TStoreCredential;
  actor: Actor;
  /** The actor's role, checked against the governing policy's minimum role to replace. */
  actorRole: TRole;
  /** The user behind the actor (an API token's owner), kept on the row as its creator. */
  actorUserId: string | null;
  request: RequestContext;
  now?: Date;
}

/**
 * Serialises credential changes per target: a no-op write on the target row takes its row lock (PostgreSQL) or
 * the database write lock (SQLite) before we look for the active credential, so two concurrent stores cannot both
 * see "none active" and leave two active credentials. Returns false when the target does not exist.
 */
export async function lockTarget(tx: Tx, targetId: string): Promise<boolean> {
  const n = await tx.$executeRaw`UPDATE "Target" SET "name" = "name" WHERE "id" = ${targetId}`;
  return n > 0;
}

/**
 * Seals the material under the current master key with the new row's id bound in, so the envelope only opens as
 * this credential.
 */
export function sealCredential(id: string, parsed: ParsedCredential): { ciphertext: string; keyId: string } {
  const keyring = loadKeyring();
  return {
    ciphertext: seal(serializeMaterial(parsed.material), keyring, envelopeContext(id, parsed.metadata.kind)),
    keyId: keyring.current.id,
  };
}

/** A new active credential row's columns: its sealed material and what may be known about it without the secret. */
export function activeCredentialData(
  id: string,
  targetId: string,
  parsed: ParsedCredential,
  sealed: { ciphertext: string; keyId: string },
  label: string,
) {
  const meta = parsed.metadata;
  return {
    id,
    targetId,
    label,
    kind: meta.kind,
    state: "active",
    ciphertext: sealed.ciphertext,
    keyId: sealed.keyId,
    fingerprint: meta.fingerprint,
    subject: meta.subject,
    issuedAt: meta.issuedAt,
    expiresAt: meta.expiresAt,
  } as const;
}

type Outcome = { kind: "saved"; credentialId: string; replaced: boolean } | { kind: "denied"; message: string };

/**
 * Stores a push target's credential, or replaces the active one (manual rotation). The material is checked and
 * sealed before the transaction; inside it the new row, the superseded old row and the audit row commit together.
 * Replacing needs the actor's role to be at least the governing policy's `minReplaceRole`: a refusal is itself
 * written to the audit trail (`credential.denied`) and answered 403.
 */
export async function saveCredential(
  opts: SaveCredentialOptions,
): Promise<{ credential: CredentialView; replaced: boolean }> {
  const parsed = parseCredentialMaterial(opts.input);
  const now = opts.now ?? new Date();
  const id = randomUUID();
  const { ciphertext, keyId } = sealCredential(id, parsed);
  const meta = parsed.metadata;

  const outcome = await db().$transaction(async (tx): Promise<Outcome> => {
    await lockStatusColumns(tx);
    if (!(await lockTarget(tx, opts.targetId))) throw new AppError("NOT_FOUND", "There is no target with this id.");
    const target = await tx.target.findUniqueOrThrow({
      where: { id: opts.targetId },
      select: { id: true, name: true, mode: true, environment: true, credentialPolicyId: true, archivedAt: true },
    });
    // A deleted target's credentials were destroyed with it; none may be stored on it again.
    assertTargetLive(target);
    if (target.mode !== "push") {
      throw new AppError(
        "TARGET_NOT_PUSH",
        `"${target.name}" is a pull target: its in-cluster agent syncs it, so Wharf holds no cluster credential for it.`,
      );
    }
    const active = await tx.credential.findFirst({
      where: { targetId: target.id, state: "active" },
      select: { id: true, fingerprint: true, kind: true },
    });

    // Storing a first credential is an admin's job; who may replace one is the policy's call (admin without one).
    const policy = active ? resolvePolicyFrom(target, await tx.credentialPolicy.findMany()) : null;
    const minRole: TRole = policy ? ZRole.parse(policy.minReplaceRole) : "admin";
    if (!roleAtLeast(opts.actorRole, minRole)) {
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "credential.denied",
        subjectType: active ? "credential" : "target",
        subjectId: active?.id ?? target.id,
        targetId: target.id,
        credentialId: active?.id ?? null,
        outcome: "denied",
        details: {
          attempted: active ? "replace" : "store",
          fingerprint: active?.fingerprint ?? null,
          role: opts.actorRole,
          minReplaceRole: minRole,
          policy: policy?.name ?? null,
        },
        request: opts.request,
      });
      return {
        kind: "denied",
        message: policy
          ? `Policy "${policy.name}" requires the ${minRole} role to replace this credential; you are ${opts.actorRole}.`
          : `Only an admin may ${active ? "replace this credential (no policy lowers that)" : "store a target's first credential"}; you are ${opts.actorRole}.`,
      };
    }

    // An empty label (the form's field left blank) means the default.
    const label = opts.input.label || defaultCredentialLabel(target.name, meta.kind);
    await tx.credential.create({
      data: {
        ...activeCredentialData(id, target.id, parsed, { ciphertext, keyId }, label),
        lastRotatedAt: now,
        origin: active ? "replaced" : "stored",
        createdById: opts.actorUserId,
      },
    });
    if (active) {
      const { count } = await tx.credential.updateMany({
        where: { id: active.id, state: "active" },
        data: { state: "superseded", supersededAt: now, supersededById: id },
      });
      if (count !== 1)
        throw new AppError("CONFLICT", "The credential changed while you were replacing it. Reload and try again.");
    }
    await recomputeCredentialStatusColumns(tx, { where: { id } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: active ? "credential.replaced" : "credential.stored",
      subjectType: "credential",
      subjectId: id,
      targetId: target.id,
      credentialId: id,
      details: {
        label,
        kind: meta.kind,
        fingerprint: meta.fingerprint,
        keyId,
        ...(active ? { replacedCredentialId: active.id, replacedFingerprint: active.fingerprint } : {}),
      },
      request: opts.request,
    });
    return { kind: "saved", credentialId: id, replaced: !!active };
  });

  if (outcome.kind === "denied") throw new AppError("FORBIDDEN", outcome.message);
  const row = await db().credential.findUniqueOrThrow({
    where: { id: outcome.credentialId },
    select: {
      ...CREDENTIAL_PUBLIC_SELECT,
      target: { select: { name: true, environment: true, credentialPolicyId: true } },
    },
  });
  const policy = resolvePolicyFrom(row.target, await db().credentialPolicy.findMany());
  return {
    credential: toCredentialView(row, { targetName: row.target.name, policy, now: new Date() }),
    replaced: outcome.replaced,
  };
}
