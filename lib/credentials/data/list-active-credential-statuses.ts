import "server-only";
import { db } from "@/lib/db";
import type { CredentialPolicy, Prisma } from "@/lib/db/generated/sqlite/client";
import type { CredentialStatusCounts, TRotationStatus } from "../schemas";
import { rotationStatus } from "../status";
import { resolvePolicyFrom } from "../views";

/** What the figures need of one active credential: its status under its policy, and nothing that is a secret. */
export interface ActiveCredentialStatus {
  id: string;
  targetId: string;
  kind: string;
  lastRotatedAt: Date;
  scopeSummary: string | null;
  status: TRotationStatus;
  policy: CredentialPolicy | null;
}

/**
 * The rotation status of every active credential of the targets matching `target`, computed row by row with the one
 * rule (`rotationStatus`) from a narrow read. The figures (home page, comparison, list counts) no longer use it —
 * they count by the stored status boundaries (countCredentialStatuses) — but it stays as the per-row reference
 * those counts are tested against, and for callers that need each credential's status.
 */
export async function listActiveCredentialStatuses(opts: {
  target: Prisma.TargetWhereInput;
  now: Date;
  withScope?: boolean;
}): Promise<ActiveCredentialStatus[]> {
  const [rows, targets, policies] = await Promise.all([
    db().credential.findMany({
      where: { state: "active", target: opts.target },
      select: {
        id: true,
        targetId: true,
        kind: true,
        lastRotatedAt: true,
        expiresAt: true,
        rotationError: true,
        scopeSummary: opts.withScope ?? false,
      },
    }),
    db().target.findMany({ where: opts.target, select: { id: true, environment: true, credentialPolicyId: true } }),
    db().credentialPolicy.findMany(),
  ]);
  const policyOf = new Map(targets.map((t) => [t.id, resolvePolicyFrom(t, policies)]));
  return rows.map((r) => {
    const policy = policyOf.get(r.targetId) ?? null;
    return {
      id: r.id,
      targetId: r.targetId,
      kind: r.kind,
      lastRotatedAt: r.lastRotatedAt,
      scopeSummary: r.scopeSummary ?? null,
      status: rotationStatus({
        lastRotatedAt: r.lastRotatedAt,
        expiresAt: r.expiresAt,
        now: opts.now,
        policy,
        rotationError: r.rotationError,
      }).status,
      policy,
    };
  });
}

/** Tallies statuses into the counts the home page and the credentials list show. */
export function tallyStatus(items: readonly { status: TRotationStatus | null }[]): CredentialStatusCounts {
  const counts: CredentialStatusCounts = { ok: 0, dueSoon: 0, rotationFailed: 0, overdue: 0, expired: 0 };
  for (const v of items) {
    if (v.status === "ok") counts.ok++;
    else if (v.status === "due-soon") counts.dueSoon++;
    else if (v.status === "rotation-failed") counts.rotationFailed++;
    else if (v.status === "overdue") counts.overdue++;
    else if (v.status === "expired") counts.expired++;
  }
  return counts;
}
