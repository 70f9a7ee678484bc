import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db, type Tx } from "@/lib/db";
import type { CredentialPolicy } from "@/lib/db/generated/sqlite/client";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { decodeKeysetCursor, encodeKeysetCursor, invalidCursorError } from "@/lib/keyset-cursor";
import type {
  CredentialPolicyPage,
  CredentialPolicyView,
  TCredentialPolicy,
  TCredentialPolicyListQuery,
  TUpdateCredentialPolicy,
} from "../schemas";
import { governedBy, lockStatusColumns, recomputeCredentialStatusColumns } from "../status-columns";
import { toPolicyView } from "../views";

interface WriteContext {
  actor: Actor;
  request: RequestContext;
}

/**
 * Policy views with their explicit-target counts, counted for these policies only on Target's credentialPolicyId
 * index (Prisma's `_count` include groups the whole Target table before joining).
 */
async function withTargetCounts(policies: CredentialPolicy[]): Promise<CredentialPolicyView[]> {
  const counts = new Map<string, number>();
  if (policies.length > 0) {
    const groups = await db().target.groupBy({
      by: ["credentialPolicyId"],
      where: { credentialPolicyId: { in: policies.map((p) => p.id) } },
      _count: { _all: true },
    });
    for (const g of groups) if (g.credentialPolicyId) counts.set(g.credentialPolicyId, g._count._all);
  }
  return policies.map((p) => toPolicyView({ ...p, _count: { targets: counts.get(p.id) ?? 0 } }));
}

/**
 * A policy change recomputes the status boundaries of every credential it governs in its own transaction (thousands
 * at scale, about a second per few thousand): longer than Prisma's default 5 s must not abort it.
 */
const RECOMPUTE_TX = { timeout: 120_000 } as const;

/**
 * Credential policies by name, a page at a time: names are unique, so the name alone orders them and the cursor
 * seeks in its unique index. Explicit targets are counted for the page's policies only.
 */
export async function listPolicies(query: TCredentialPolicyListQuery): Promise<CredentialPolicyPage> {
  const after = query.cursor ? decodeKeysetCursor(query.cursor, 1) : null;
  if (query.cursor && !after) throw invalidCursorError();
  const rows = await db().credentialPolicy.findMany({
    where: after ? { name: { gt: after[0] } } : {},
    orderBy: { name: "asc" },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: await withTargetCounts(page),
    nextCursor: rows.length > query.limit && last ? encodeKeysetCursor([last.name]) : null,
  };
}

export async function getPolicy(opts: { id: string }): Promise<CredentialPolicyView> {
  const row = await db().credentialPolicy.findUnique({ where: { id: opts.id } });
  if (!row) throw new AppError("NOT_FOUND", "There is no credential policy with this id.");
  const [view] = await withTargetCounts([row]);
  return view!;
}

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

/** The policy governing one target (explicit, else by environment, else null). */
export async function resolvePolicyForTarget(opts: { targetId: string }): Promise<CredentialPolicyView | null> {
  const target = await db().target.findUnique({
    where: { id: opts.targetId },
    select: { credentialPolicyId: true, environment: true },
  });
  if (!target) throw new AppError("NOT_FOUND", "There is no target with this id.");
  if (target.credentialPolicyId) {
    const explicit = await db().credentialPolicy.findUnique({ where: { id: target.credentialPolicyId } });
    if (explicit) return (await withTargetCounts([explicit]))[0]!;
  }
  const byEnv = await db().credentialPolicy.findFirst({ where: { environment: target.environment } });
  return byEnv ? (await withTargetCounts([byEnv]))[0]! : null;
}
