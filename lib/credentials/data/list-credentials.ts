import "server-only";
import { db } from "@/lib/db";
import { countCredentialStatuses } from "./count-credential-statuses";
import { AppError } from "@/lib/errors";
import {
  ZTargetMode,
  type CredentialListPage,
  type CredentialStatusCounts,
  type CredentialView,
  type TargetCredentialsView,
  type TCredentialListFilter,
} from "../schemas";
import { CREDENTIAL_PUBLIC_SELECT, resolvePolicyFrom, toCredentialView, toPolicyView } from "../views";

const TARGET_FOR_POLICY = { select: { name: true, environment: true, credentialPolicyId: true } } as const;

/** A push target's active credential, its history (newest first) and the policy that governs it. 404 for unknown ids. */
export async function listTargetCredentials(opts: { targetId: string; now?: Date }): Promise<TargetCredentialsView> {
  const now = opts.now ?? new Date();
  const target = await db().target.findUnique({ where: { id: opts.targetId }, select: { id: true, name: true, mode: true, environment: true, credentialPolicyId: true } });
  if (!target) throw new AppError("NOT_FOUND", "There is no target with this id.");
  const [rows, policies] = await Promise.all([
    db().credential.findMany({ where: { targetId: target.id }, select: CREDENTIAL_PUBLIC_SELECT, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
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
 * Every active credential with its computed status. Status depends on the clock and on policies, so it cannot be
 * a column; there is one active credential per push target, which keeps this set small enough to compute in full.
 */
async function activeCredentialViews(now: Date): Promise<CredentialView[]> {
  const [rows, policies] = await Promise.all([
    db().credential.findMany({ where: { state: "active" }, select: { ...CREDENTIAL_PUBLIC_SELECT, target: TARGET_FOR_POLICY } }),
    db().credentialPolicy.findMany(),
  ]);
  return rows
    .map((r) => toCredentialView(r, { targetName: r.target.name, policy: resolvePolicyFrom(r.target, policies), now }))
    .sort((a, b) => a.targetName.localeCompare(b.targetName) || a.id.localeCompare(b.id));
}

/**
 * Active credentials across all targets, ordered by target name, optionally filtered by status; the cursor is the
 * last credential id of the previous page. `counts` always cover every active credential (unfiltered), from the
 * indexed status counts.
 */
export async function listCredentials(filter: TCredentialListFilter & { now?: Date }): Promise<CredentialListPage> {
  const now = filter.now ?? new Date();
  const [all, counts] = await Promise.all([activeCredentialViews(now), countCredentialsByStatus({ now })]);
  let matching = filter.status ? all.filter((v) => v.status === filter.status) : all;
  if (filter.targetId) matching = matching.filter((v) => v.targetId === filter.targetId);
  let start = 0;
  if (filter.cursor) {
    const at = matching.findIndex((v) => v.id === filter.cursor);
    start = at >= 0 ? at + 1 : matching.length;
  }
  const items = matching.slice(start, start + filter.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: start + filter.limit < matching.length && last ? last.id : null, counts };
}

/** Active credentials by rotation status (the home page, the lists' counts): indexed counts, no row is read. */
export async function countCredentialsByStatus(opts: { now?: Date } = {}): Promise<CredentialStatusCounts> {
  const { ok, dueSoon, rotationFailed, overdue, expired } = await countCredentialStatuses({ now: opts.now ?? new Date() });
  return { ok, dueSoon, rotationFailed, overdue, expired };
}
