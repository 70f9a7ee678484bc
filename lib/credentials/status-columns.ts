import type { Db, Tx } from "@/lib/db/client";
import { advisoryXactLockSql } from "@/lib/db/advisory-locks";
import { env } from "@/lib/env";
import { Prisma, type CredentialPolicy } from "@/lib/db/generated/sqlite/client";
import { nextRotation } from "./rotation-due";
import { isRotationFailing, rotationStatusInstants, type RotationPolicyLimits } from "./status";
import { resolvePolicyFrom } from "./views";

// Not a `data/` module on purpose: the migration runner (lib/db/migrate.ts, plain Node, no `server-only`) backfills
// these columns with the same code, so every caller hands in its own client or transaction.

/**
 * The columns of a Credential row that the status counts, the credentials list and the rotation scheduler read, as
 * the one rule computes them, plus copies of the target's environment and name (filter and sort order).
 */
export interface CredentialStatusColumns {
  targetEnvironment: string;
  targetName: string;
  overdueAt: Date | null;
  dueSoonAt: Date | null;
  policyMaxAgeDays: number | null;
  rotationFailing: boolean;
  autoRotateAt: Date | null;
}

type Policy = Pick<CredentialPolicy, "id" | "environment" | "autoRotate"> & RotationPolicyLimits;

/**
 * What a credential's status columns are under `policy` (see rotationStatusInstants, isRotationFailing; and
 * nextRotation for `autoRotateAt`, set only when Wharf rotates the credential itself, as toCredentialView decides).
 */
export function statusColumnsFor(
  row: {
    kind: string;
    issuedAt: Date | null;
    lastRotatedAt: Date;
    expiresAt: Date | null;
    rotationError: string | null;
  },
  target: { name: string; environment: string },
  policy: (RotationPolicyLimits & { autoRotate: boolean }) | null,
): CredentialStatusColumns {
  const instants = rotationStatusInstants({ lastRotatedAt: row.lastRotatedAt, expiresAt: row.expiresAt, policy });
  const autoRotate = row.kind === "service-account-token" && !!policy?.autoRotate;
  const scheduled = autoRotate
    ? nextRotation({
        lastRotatedAt: row.lastRotatedAt,
        issuedAt: row.issuedAt,
        expiresAt: row.expiresAt,
        maxAgeDays: policy.maxAgeDays,
        autoRotate,
      })
    : null;
  return {
    targetEnvironment: target.environment,
    targetName: target.name,
    overdueAt: instants.overdueAt,
    dueSoonAt: instants.dueSoonAt,
    policyMaxAgeDays: policy?.maxAgeDays ?? null,
    rotationFailing: isRotationFailing(row.rotationError),
    autoRotateAt: scheduled?.at ?? null,
  };
}

const sameDate = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

type StoredColumns = Omit<CredentialStatusColumns, "targetEnvironment" | "targetName"> & {
  targetEnvironment: string | null;
  targetName: string | null;
};

function differs(stored: StoredColumns, want: CredentialStatusColumns): boolean {
  return (
    stored.targetEnvironment !== want.targetEnvironment ||
    stored.targetName !== want.targetName ||
    !sameDate(stored.autoRotateAt, want.autoRotateAt) ||
    !sameDate(stored.overdueAt, want.overdueAt) ||
    !sameDate(stored.dueSoonAt, want.dueSoonAt) ||
    stored.policyMaxAgeDays !== want.policyMaxAgeDays ||
    stored.rotationFailing !== want.rotationFailing
  );
}

export const RECOMPUTE_BATCH = 500;

/**
 * Serialises the writers of the status columns on PostgreSQL: a policy change recomputing many credentials and a
 * credential stored under the old policy at the same moment would otherwise each miss the other's uncommitted row
 * (READ COMMITTED), leaving a stale boundary. Take it first in the transaction, before any row lock (and before the
 * audit chain lock, which recordAuditEvent takes last), so no holder of a row waits for it; it is released at
 * commit. SQLite has one writer already. The lock id is in ADVISORY_LOCKS (lib/db/advisory-locks.ts), with every other.
 */
export async function lockStatusColumns(tx: Tx): Promise<void> {
  if (env().databaseKind === "postgresql") await tx.$executeRawUnsafe(advisoryXactLockSql("credentialStatusColumns"));
}

/**
 * Brings the status columns of the active credentials matching `where` in line with their rows, targets and
 * policies. Call it inside the transaction of every change that moves a status boundary: a credential stored,
 * replaced, rotated or imported (its own row), a policy created, changed or deleted (the targets it governs), a
 * target's environment, policy or name changed. Reads in keyset batches of RECOMPUTE_BATCH and writes only rows whose
 * columns change. `policies` overrides the policy table (a delete recomputes against the policies that remain,
 * before the row goes). Returns how many rows it looked at and how many it changed.
 */
export async function recomputeCredentialStatusColumns(
  client: Db | Tx,
  opts: {
    where?: Prisma.CredentialWhereInput;
    policies?: readonly Policy[];
    batchSize?: number;
    dialect?: "sqlite" | "postgresql";
  } = {},
): Promise<{ examined: number; updated: number }> {
  const policies: readonly Policy[] =
    opts.policies ??
    (await client.credentialPolicy.findMany({
      select: { id: true, environment: true, maxAgeDays: true, warnBeforeDays: true, autoRotate: true },
    }));
  const take = opts.batchSize ?? RECOMPUTE_BATCH;
  let examined = 0;
  let updated = 0;
  let after: string | null = null;
  for (;;) {
    const rows: (StoredColumns & {
      id: string;
      kind: string;
      issuedAt: Date | null;
      lastRotatedAt: Date;
      expiresAt: Date | null;
      rotationError: string | null;
      target: { name: string; environment: string; credentialPolicyId: string | null };
    })[] = await client.credential.findMany({
      where: { AND: [opts.where ?? {}, { state: "active" }, after ? { id: { gt: after } } : {}] },
      orderBy: { id: "asc" },
      take,
      select: {
        id: true,
        kind: true,
        issuedAt: true,
        lastRotatedAt: true,
        expiresAt: true,
        rotationError: true,
        targetEnvironment: true,
        targetName: true,
        overdueAt: true,
        dueSoonAt: true,
        policyMaxAgeDays: true,
        rotationFailing: true,
        autoRotateAt: true,
        target: { select: { name: true, environment: true, credentialPolicyId: true } },
      },
    });
    const changes: { id: string; columns: CredentialStatusColumns }[] = [];
    for (const row of rows) {
      const want = statusColumnsFor(row, row.target, resolvePolicyFrom(row.target, policies));
      if (differs(row, want)) changes.push({ id: row.id, columns: want });
    }
    for (let i = 0; i < changes.length; i += WRITE_BATCH)
      await writeStatusColumns(client, changes.slice(i, i + WRITE_BATCH), opts.dialect ?? env().databaseKind);
    updated += changes.length;
    examined += rows.length;
    const last = rows[rows.length - 1];
    if (!last || rows.length < take) return { examined, updated };
    after = last.id;
  }
}

// Rows per UPDATE: 15 bound values each (two per column, one in the IN list), under SQLite's 999-variable floor.
const WRITE_BATCH = 66;

/**
 * Writes the columns of many credentials in one statement (`SET col = CASE id WHEN … END`): a policy that governs
 * thousands of credentials is recomputed in tens of statements, not thousands, inside the policy's transaction.
 * PostgreSQL needs each CASE typed; SQLite stores what the driver binds (ISO strings for dates, as Prisma does).
 */
async function writeStatusColumns(
  client: Db | Tx,
  changes: readonly { id: string; columns: CredentialStatusColumns }[],
  dialect: "sqlite" | "postgresql",
): Promise<void> {
  if (changes.length === 0) return;
  const cast = (type: string) => Prisma.raw(dialect === "postgresql" ? `::${type}` : "");
  const column = (name: keyof CredentialStatusColumns, type: string) =>
    Prisma.sql`${Prisma.raw(`"${name}"`)} = (CASE "id" ${Prisma.join(
      changes.map((c) => Prisma.sql`WHEN ${c.id} THEN ${c.columns[name]}${cast(type)}`),
      " ",
    )} END)${cast(type)}`;
  await client.$executeRaw`UPDATE "Credential" SET ${Prisma.join(
    [
      column("targetEnvironment", "text"),
      column("targetName", "text"),
      column("overdueAt", "timestamp(3)"),
      column("dueSoonAt", "timestamp(3)"),
      column("policyMaxAgeDays", "integer"),
      column("rotationFailing", "boolean"),
      column("autoRotateAt", "timestamp(3)"),
    ],
    ", ",
  )} WHERE "id" IN (${Prisma.join(changes.map((c) => c.id))})`;
}

/** The credentials whose governing policy may change when policy `policyId` (of `environments`) changes. */
export function governedBy(
  policyId: string,
  environments: readonly (string | null | undefined)[],
): Prisma.CredentialWhereInput {
  const envs = [...new Set(environments.filter((e): e is string => !!e))];
  return {
    target: {
      OR: [
        { credentialPolicyId: policyId },
        ...(envs.length ? [{ credentialPolicyId: null, environment: { in: envs } }] : []),
      ],
    },
  };
}

/**
 * Carries verdicts stored as JSON in `scopeSummary` (before the scope columns existed) into `scopeCheckedAt` and
 * `scopeClusterAdmin`. `scopeCheckNextAt` stays null, so the scope sweeper checks each credential again soon.
 */
export async function backfillScopeColumns(
  client: Db | Tx,
  opts: { parse: (raw: string | null) => { clusterAdmin: boolean; checkedAt: string } | null },
): Promise<number> {
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
        data: {
          scopeClusterAdmin: summary.clusterAdmin,
          scopeCheckedAt: Number.isNaN(checkedAt.getTime()) ? new Date() : checkedAt,
        },
      });
      updated++;
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < RECOMPUTE_BATCH) return updated;
    after = last.id;
  }
}
