import type { Db, Tx } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { CredentialPolicy, Prisma } from "@/lib/db/generated/sqlite/client";
import { isRotationFailing, rotationStatusInstants, type RotationPolicyLimits } from "./status";
import { resolvePolicyFrom } from "./views";

// Not a `data/` module on purpose: the migration runner (lib/db/migrate.ts, plain Node, no `server-only`) backfills
// these columns with the same code, so every caller hands in its own client or transaction.

/** The columns of a Credential row that the status counts read, as the one rule computes them. */
export interface CredentialStatusColumns {
  targetEnvironment: string;
  overdueAt: Date | null;
  dueSoonAt: Date | null;
  policyMaxAgeDays: number | null;
  rotationFailing: boolean;
}

type Policy = Pick<CredentialPolicy, "id" | "environment"> & RotationPolicyLimits;

/** What a credential's status columns are under `policy` (see rotationStatusInstants, isRotationFailing). */
export function statusColumnsFor(
  row: { lastRotatedAt: Date; expiresAt: Date | null; rotationError: string | null },
  target: { environment: string },
  policy: RotationPolicyLimits | null,
): CredentialStatusColumns {
  const instants = rotationStatusInstants({ lastRotatedAt: row.lastRotatedAt, expiresAt: row.expiresAt, policy });
  return {
    targetEnvironment: target.environment,
    overdueAt: instants.overdueAt,
    dueSoonAt: instants.dueSoonAt,
    policyMaxAgeDays: policy?.maxAgeDays ?? null,
    rotationFailing: isRotationFailing(row.rotationError),
  };
}

const sameDate = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

function differs(stored: CredentialStatusColumns | (Omit<CredentialStatusColumns, "targetEnvironment"> & { targetEnvironment: string | null }), want: CredentialStatusColumns): boolean {
  return (
    stored.targetEnvironment !== want.targetEnvironment ||
    !sameDate(stored.overdueAt, want.overdueAt) ||
    !sameDate(stored.dueSoonAt, want.dueSoonAt) ||
    stored.policyMaxAgeDays !== want.policyMaxAgeDays ||
    stored.rotationFailing !== want.rotationFailing
  );
}

export const RECOMPUTE_BATCH = 500;

// Unique among Wharf's advisory locks (727274 migrations, 727275 audit chain, 727276 admin set).
const STATUS_COLUMNS_LOCK_ID = 727_277;

/**
 * Serialises the writers of the status columns on PostgreSQL: a policy change recomputing many credentials and a
 * credential stored under the old policy at the same moment would otherwise each miss the other's uncommitted row
 * (READ COMMITTED), leaving a stale boundary. Take it first in the transaction, before any row lock (and before the
 * audit chain lock, which recordAuditEvent takes last), so no holder of a row waits for it; it is released at
 * commit. SQLite has one writer already.
 */
export async function lockStatusColumns(tx: Tx): Promise<void> {
  if (env().databaseKind === "postgresql") await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${STATUS_COLUMNS_LOCK_ID})`);
}

/**
 * Brings the status columns of the active credentials matching `where` in line with their rows, targets and
 * policies. Call it inside the transaction of every change that moves a status boundary: a credential stored,
 * replaced, rotated or imported (its own row), a policy created, changed or deleted (the targets it governs), a
 * target's environment or policy changed. Reads in keyset batches of RECOMPUTE_BATCH and writes only rows whose
 * columns change. `policies` overrides the policy table (a delete recomputes against the policies that remain,
 * before the row goes). Returns how many rows it looked at and how many it changed.
 */
export async function recomputeCredentialStatusColumns(
  client: Db | Tx,
  opts: { where?: Prisma.CredentialWhereInput; policies?: readonly Policy[]; batchSize?: number } = {},
): Promise<{ examined: number; updated: number }> {
  const policies: readonly Policy[] = opts.policies ?? (await client.credentialPolicy.findMany({ select: { id: true, environment: true, maxAgeDays: true, warnBeforeDays: true } }));
  const take = opts.batchSize ?? RECOMPUTE_BATCH;
  let examined = 0;
  let updated = 0;
  let after: string | null = null;
  for (;;) {
    const rows: {
      id: string;
      lastRotatedAt: Date;
      expiresAt: Date | null;
      rotationError: string | null;
      targetEnvironment: string | null;
      overdueAt: Date | null;
      dueSoonAt: Date | null;
      policyMaxAgeDays: number | null;
      rotationFailing: boolean;
      target: { environment: string; credentialPolicyId: string | null };
    }[] = await client.credential.findMany({
      where: { AND: [opts.where ?? {}, { state: "active" }, after ? { id: { gt: after } } : {}] },
      orderBy: { id: "asc" },
      take,
      select: {
        id: true,
        lastRotatedAt: true,
        expiresAt: true,
        rotationError: true,
        targetEnvironment: true,
        overdueAt: true,
        dueSoonAt: true,
        policyMaxAgeDays: true,
        rotationFailing: true,
        target: { select: { environment: true, credentialPolicyId: true } },
      },
    });
    for (const row of rows) {
      const want = statusColumnsFor(row, row.target, resolvePolicyFrom(row.target, policies));
      if (!differs(row, want)) continue;
      await client.credential.update({ where: { id: row.id }, data: want });
      updated++;
    }
    examined += rows.length;
    const last = rows[rows.length - 1];
    if (!last || rows.length < take) return { examined, updated };
    after = last.id;
  }
}

/** The credentials whose governing policy may change when policy `policyId` (of `environments`) changes. */
export function governedBy(policyId: string, environments: readonly (string | null | undefined)[]): Prisma.CredentialWhereInput {
  const envs = [...new Set(environments.filter((e): e is string => !!e))];
  return {
    target: {
      OR: [{ credentialPolicyId: policyId }, ...(envs.length ? [{ credentialPolicyId: null, environment: { in: envs } }] : [])],
    },
  };
}

/**
 * Carries verdicts stored as JSON in `scopeSummary` (before the scope columns existed) into `scopeCheckedAt` and
 * `scopeClusterAdmin`. `scopeCheckNextAt` stays null, so the scope sweeper checks each credential again soon.
 */
export async function backfillScopeColumns(client: Db | Tx, opts: { parse: (raw: string | null) => { clusterAdmin: boolean; checkedAt: string } | null }): Promise<number> {
  let updated = 0;
  let after: string | null = null;
  for (;;) {
    const rows: { id: string; scopeSummary: string | null }[] = await client.credential.findMany({
      where: { AND: [{ scopeSummary: { not: null }, scopeCheckedAt: null }, after ? { id: { gt: after } } : {}] },
      orderBy: { id: "asc" },
      take: RECOMPUTE_BATCH,
      select: { id: true, scopeSummary: true },
    });
    for (const row of rows) {
      const summary = opts.parse(row.scopeSummary);
      if (!summary) continue;
      const checkedAt = new Date(summary.checkedAt);
      await client.credential.update({
        where: { id: row.id },
        data: { scopeClusterAdmin: summary.clusterAdmin, scopeCheckedAt: Number.isNaN(checkedAt.getTime()) ? new Date() : checkedAt },
      });
      updated++;
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < RECOMPUTE_BATCH) return updated;
    after = last.id;
  }
}
