import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { AppError } from "@/lib/errors";
import { invalidCursorError } from "@/lib/keyset-cursor";
import { decodeCredentialCursor, encodeCredentialCursor } from "../cursor";
import {
  ZTargetMode,
  type CredentialListPage,
  type CredentialStatusCounts,
  type TargetCredentialsView,
  type TCredentialListFilter,
} from "../schemas";
import { countCredentialStatuses, credentialStatusWhere } from "./count-credential-statuses";
import { CREDENTIAL_PUBLIC_SELECT, resolvePolicyFrom, toCredentialView, toPolicyView } from "../views";

const TARGET_FOR_POLICY = { select: { name: true, environment: true, credentialPolicyId: true } } as const;

/** A push target's active credential, its history (newest first) and the policy that governs it. 404 for unknown ids. */
export async function listTargetCredentials(opts: { targetId: string; now?: Date }): Promise<TargetCredentialsView> {
  const now = opts.now ?? new Date();
  const target = await db().target.findUnique({
    where: { id: opts.targetId },
    select: { id: true, name: true, mode: true, environment: true, credentialPolicyId: true },
  });
  if (!target) throw new AppError("NOT_FOUND", "There is no target with this id.");
  const [rows, policies] = await Promise.all([
    db().credential.findMany({
      where: { targetId: target.id },
      select: CREDENTIAL_PUBLIC_SELECT,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    }),
    db().credentialPolicy.findMany(),
  ]);
  const policy = resolvePolicyFrom(target, policies);
  const views = rows.map((r) => toCredentialView(r, { targetName: target.name, policy, now }));
  return {
    targetId: target.id,
    targetName: target.name,
    mode: ZTargetMode.parse(target.mode),
    active: views.find((v) => v.state === "active") ?? null,
    history: views.filter((v) => v.state !== "active"),
    policy: policy ? toPolicyView(policy) : null,
  };
}

/**
 * A page of active credentials across all targets, ordered by (target name, id), optionally of one status or one
 * target. Keyset-paginated in the database: the order is the `(state, targetName, id)` index (targetName is the
 * target's name copied onto the credential, see status-columns.ts), a status is a condition on the stored boundaries
 * (credentialStatusWhere), and only the page's rows become views. `counts` always cover every active credential
 * (unfiltered), from the indexed status counts. A cursor this list did not produce is a 422.
 */
export async function listCredentials(filter: TCredentialListFilter & { now?: Date }): Promise<CredentialListPage> {
  const now = filter.now ?? new Date();
  const and: Prisma.CredentialWhereInput[] = [{ state: "active" }];
  if (filter.status) and.push(credentialStatusWhere(filter.status, now));
  if (filter.targetId) and.push({ targetId: filter.targetId });
  if (filter.cursor) {
    const after = decodeCredentialCursor(filter.cursor);
    if (!after) throw invalidCursorError();
    // The redundant `gte` bound lets the index seek to the cursor instead of filtering every earlier row.
    and.push(
      { targetName: { gte: after.targetName } },
      { OR: [{ targetName: { gt: after.targetName } }, { targetName: after.targetName, id: { gt: after.id } }] },
    );
  }
  const [rows, policies, counts] = await Promise.all([
    db().credential.findMany({
      where: { AND: and },
      orderBy: [{ targetName: "asc" }, { id: "asc" }],
      take: filter.limit + 1,
      select: { ...CREDENTIAL_PUBLIC_SELECT, targetName: true, target: TARGET_FOR_POLICY },
    }),
    db().credentialPolicy.findMany(),
    countCredentialsByStatus({ now }),
  ]);
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) =>
      toCredentialView(r, { targetName: r.target.name, policy: resolvePolicyFrom(r.target, policies), now }),
    ),
    nextCursor:
      rows.length > filter.limit && last
        ? encodeCredentialCursor({ targetName: last.targetName ?? "", id: last.id })
        : null,
    counts,
  };
}

/** Active credentials by rotation status (the home page, the lists' counts): indexed counts, no row is read. */
export async function countCredentialsByStatus(opts: { now?: Date } = {}): Promise<CredentialStatusCounts> {
  const { ok, dueSoon, rotationFailed, overdue, expired } = await countCredentialStatuses({
    now: opts.now ?? new Date(),
  });
  return { ok, dueSoon, rotationFailed, overdue, expired };
}
