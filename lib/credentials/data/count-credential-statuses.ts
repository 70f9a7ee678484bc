import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import type { CredentialStatusCounts, TRotationStatus } from "../schemas";

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
 * The credentials whose rotation status at `now` is `status`, as a where clause on the stored status boundaries (see
 * status-columns.ts). It encodes `statusAt` exactly — an instant counts as reached (≤ now) and precedence is
 * expired > overdue > rotation-failed > due-soon > ok — so filtering by it equals computing `rotationStatus` row by
 * row. The one translation of a status into SQL: the counts, the credentials list and the rotation notices use it.
 */
export function credentialStatusWhere(status: TRotationStatus, now: Date): Prisma.CredentialWhereInput {
  const notExpired: Prisma.CredentialWhereInput = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  const notOverdue: Prisma.CredentialWhereInput = { OR: [{ overdueAt: null }, { overdueAt: { gt: now } }] };
  switch (status) {
    case "expired":
      return { expiresAt: { lte: now } };
    case "overdue":
      return { AND: [{ overdueAt: { lte: now } }, notExpired] };
    case "rotation-failed":
      return { AND: [{ rotationFailing: true }, notExpired, notOverdue] };
    case "due-soon":
      return { AND: [{ dueSoonAt: { lte: now } }, { rotationFailing: false }, notExpired, notOverdue] };
    case "ok":
      return {
        AND: [
          { OR: [{ dueSoonAt: null }, { dueSoonAt: { gt: now } }] },
          { rotationFailing: false },
          notExpired,
          notOverdue,
        ],
      };
  }
}

/**
 * Active credentials by rotation status at `now`: one indexed count per non-ok status, each a range on its own
 * boundary column (credentialStatusWhere), and `ok` as the rest, so they equal tallying `rotationStatus` row by row.
 */
export async function countCredentialStatuses(opts: {
  scope?: CredentialScope;
  now: Date;
}): Promise<CredentialStatusCounts & { total: number }> {
  const base = activeCredentialsIn(opts.scope);
  const count = (where: Prisma.CredentialWhereInput) => db().credential.count({ where: { AND: [base, where] } });
  const status = (s: TRotationStatus) => count(credentialStatusWhere(s, opts.now));
  const [total, expired, overdue, rotationFailed, dueSoon] = await Promise.all([
    count({}),
    status("expired"),
    status("overdue"),
    status("rotation-failed"),
    status("due-soon"),
  ]);
  return { total, ok: total - expired - overdue - rotationFailed - dueSoon, dueSoon, rotationFailed, overdue, expired };
}
