import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db, type Tx } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import type { CredentialPolicyView, TCredentialPolicy, TUpdateCredentialPolicy } from "../schemas";
import { governedBy, lockStatusColumns, recomputeCredentialStatusColumns } from "../status-columns";
import { getPolicy } from "./get-policy";

export interface WriteContext {
  actor: Actor;
  request: RequestContext;
}

/**
 * A policy change recomputes the status boundaries of every credential it governs in its own transaction (thousands
 * at scale, about a second per few thousand): longer than Prisma's default 5 s must not abort it.
 */
export const RECOMPUTE_TX = { timeout: 120_000 } as const;

/** Name and environment are each unique; say which one clashes, as a field error the form can show. */
async function assertUnique(
  tx: Tx,
  values: { name?: string; environment?: string | null },
  exceptId?: string,
): Promise<void> {
  const not = exceptId ? { id: { not: exceptId } } : {};
  if (values.name !== undefined) {
    const clash = await tx.credentialPolicy.findFirst({ where: { name: values.name, ...not }, select: { id: true } });
    if (clash) {
      const message = `A policy named "${values.name}" already exists.`;
      throw new AppError("NAME_TAKEN", message, { fields: { name: [message] } });
    }
  }
  if (values.environment) {
    const clash = await tx.credentialPolicy.findFirst({
      where: { environment: values.environment, ...not },
      select: { name: true },
    });
    if (clash) {
      const message = `Policy "${clash.name}" already applies to the ${values.environment} environment.`;
      throw new AppError("CONFLICT", message, { fields: { environment: [message] } });
    }
  }
}

function uniqueRace(err: unknown): never {
  if (isUniqueViolation(err))
    throw new AppError("CONFLICT", "Another policy with the same name or environment was saved at the same time.");
  throw err;
}

export async function createPolicy(opts: WriteContext & { input: TCredentialPolicy }): Promise<CredentialPolicyView> {
  const id = await db()
    .$transaction(async (tx) => {
      await lockStatusColumns(tx);
      await assertUnique(tx, opts.input);
      const row = await tx.credentialPolicy.create({ data: opts.input });
      // A new policy can only govern by environment (no target names it yet).
      if (row.environment) await recomputeCredentialStatusColumns(tx, { where: governedBy(row.id, [row.environment]) });
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "policy.created",
        subjectType: "policy",
        subjectId: row.id,
        details: { ...opts.input },
        request: opts.request,
      });
      return row.id;
    }, RECOMPUTE_TX)
    .catch(uniqueRace);
  return getPolicy({ id });
}

/** Applies a partial update; the warn-before < max-age rule is checked against the merged values. */
export async function updatePolicy(
  opts: WriteContext & { id: string; input: TUpdateCredentialPolicy },
): Promise<CredentialPolicyView> {
  await db()
    .$transaction(async (tx) => {
      await lockStatusColumns(tx);
      const current = await tx.credentialPolicy.findUnique({ where: { id: opts.id } });
      if (!current) throw new AppError("NOT_FOUND", "There is no credential policy with this id.");
      const maxAgeDays = opts.input.maxAgeDays ?? current.maxAgeDays;
      const warnBeforeDays = opts.input.warnBeforeDays ?? current.warnBeforeDays;
      if (warnBeforeDays >= maxAgeDays) {
        const message = "Must be less than the maximum age.";
        throw new AppError("VALIDATION_FAILED", `warnBeforeDays: ${message}`, {
          fields: { warnBeforeDays: [message] },
        });
      }
      await assertUnique(tx, { name: opts.input.name, environment: opts.input.environment }, opts.id);
      const changed = Object.fromEntries(
        Object.entries(opts.input).filter(([k, v]) => v !== undefined && v !== current[k as keyof typeof current]),
      );
      const updated = await tx.credentialPolicy.update({ where: { id: opts.id }, data: opts.input });
      // The limits and the environment move status boundaries; autoRotate moves when the scheduler rotates
      // (autoRotateAt). The name and role move nothing stored.
      if (
        updated.maxAgeDays !== current.maxAgeDays ||
        updated.warnBeforeDays !== current.warnBeforeDays ||
        updated.environment !== current.environment ||
        updated.autoRotate !== current.autoRotate
      ) {
        await recomputeCredentialStatusColumns(tx, {
          where: governedBy(opts.id, [current.environment, updated.environment]),
        });
      }
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "policy.updated",
        subjectType: "policy",
        subjectId: opts.id,
        details: { name: current.name, changed },
        request: opts.request,
      });
    }, RECOMPUTE_TX)
    .catch(uniqueRace);
  return getPolicy({ id: opts.id });
}
