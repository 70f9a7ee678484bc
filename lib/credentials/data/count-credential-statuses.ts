import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import type { CredentialStatusCounts } from "../schemas";

/**
 * Which active credentials a figure covers: all, one environment (the comparison's filter, on the credential's
 * `targetEnvironment` copy so no join is needed) or one target. A target switched from push to pull keeps its
 * credential until it is replaced or the target deleted, and it still counts: Wharf still holds it.
 */
export interface CredentialScope {
  environment?: string | null;
  targetId?: string | undefined;
}

/** The active credentials in `scope`, as a where clause on Credential's own (indexed) columns. */
export function activeCredentialsIn(scope: CredentialScope = {}): Prisma.CredentialWhereInput {
  return {
    state: "active",
    ...(scope.environment ? { targetEnvironment: scope.environment } : {}),
    ...(scope.targetId ? { targetId: scope.targetId } : {}),
  };
}

/**
 * Active credentials by rotation status at `now`, from the stored status boundaries (see status-columns.ts): one
 * indexed count per non-ok status, each a range on its own boundary column, and `ok` as the rest. They encode
 * `statusAt` exactly — an instant counts as reached (≤ now) and precedence is
 * expired > overdue > rotation-failed > due-soon > ok — so they equal tallying `rotationStatus` row by row.
 */
export async function countCredentialStatuses(opts: { scope?: CredentialScope; now: Date }): Promise<CredentialStatusCounts & { total: number }> {
  const base = activeCredentialsIn(opts.scope);
  const now = opts.now;
  const notExpired: Prisma.CredentialWhereInput = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  const notOverdue: Prisma.CredentialWhereInput = { OR: [{ overdueAt: null }, { overdueAt: { gt: now } }] };
  const count = (where: Prisma.CredentialWhereInput) => db().credential.count({ where: { AND: [base, where] } });
  const [total, expired, overdue, rotationFailed, dueSoon] = await Promise.all([
    count({}),
    count({ expiresAt: { lte: now } }),
    count({ AND: [{ overdueAt: { lte: now } }, notExpired] }),
    count({ AND: [{ rotationFailing: true }, notExpired, notOverdue] }),
    count({ AND: [{ dueSoonAt: { lte: now } }, { rotationFailing: false }, notExpired, notOverdue] }),
  ]);
  return { total, ok: total - expired - overdue - rotationFailed - dueSoon, dueSoon, rotationFailed, overdue, expired };
}
