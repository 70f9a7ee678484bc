import "server-only";
import { STALE_AFTER_MS } from "@/lib/agents/schemas";
import { activeCredentialsIn, countCredentialStatuses } from "@/lib/credentials/data/count-credential-statuses";
import { DAY_MS } from "@/lib/credentials/status";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import type { PullExposure, PushExposure } from "../exposure";
import { AGE_BAR_BOUNDS_DAYS, ageBars, ageBarsFromCounts, deliveryFigures, type DeliveryComparison, type HistogramRow, type RollupDayRow } from "../figures";
import type { ComparisonRange } from "../range";

export interface Comparison {
  range: { key: ComparisonRange["key"]; from: string; to: string; days: number; environment: string | null };
  /** Environments that have targets, for the filter control. */
  environments: string[];
  targets: { push: number; pull: number };
  delivery: DeliveryComparison;
  exposure: { push: PushExposure; pull: PullExposure };
}

const SUM_FIELDS = {
  deployments: true,
  succeeded: true,
  failures: true,
  leadTimeCount: true,
  leadTimeSumMs: true,
  approvalWaitCount: true,
  approvalWaitSumMs: true,
  restoreCount: true,
  restoreSumMs: true,
  driftDetected: true,
  driftCorrected: true,
} as const;

/**
 * The delivery figures of a range from the rollups alone: two grouped sums over (day, target)-rows, whose number
 * grows with days × active targets, never with deployments or sync events.
 */
export async function getDeliveryComparison(opts: { range: ComparisonRange; targetId?: string }): Promise<DeliveryComparison> {
  const where = {
    day: { gte: opts.range.from, lt: opts.range.to },
    ...(opts.range.environment ? { environment: opts.range.environment } : {}),
    ...(opts.targetId ? { targetId: opts.targetId } : {}),
  };
  const [days, hist] = await Promise.all([
    db().deliveryRollup.groupBy({ by: ["day", "mode"], where, _sum: SUM_FIELDS }),
    db().deliveryHistogram.groupBy({ by: ["mode", "metric", "bucket"], where, _sum: { count: true } }),
  ]);
  const rows: RollupDayRow[] = days.map((d) => {
    const s = d._sum;
    return {
      day: d.day,
      mode: d.mode,
      deployments: s.deployments ?? 0,
      succeeded: s.succeeded ?? 0,
      failures: s.failures ?? 0,
      leadTimeCount: s.leadTimeCount ?? 0,
      leadTimeSumMs: s.leadTimeSumMs ?? 0,
      approvalWaitCount: s.approvalWaitCount ?? 0,
      approvalWaitSumMs: s.approvalWaitSumMs ?? 0,
      restoreCount: s.restoreCount ?? 0,
      restoreSumMs: s.restoreSumMs ?? 0,
      driftDetected: s.driftDetected ?? 0,
      driftCorrected: s.driftCorrected ?? 0,
    };
  });
  const histogram: HistogramRow[] = hist.map((h) => ({ mode: h.mode, metric: h.metric, bucket: h.bucket, count: h._sum.count ?? 0 }));
  return deliveryFigures(rows, histogram, opts.range);
}

/**
 * Push exposure: the active credentials Wharf holds (one per push target), and access in the range. Every credential
 * figure is an indexed count on Credential's own columns — status boundaries, the age buckets on lastRotatedAt, the
 * stored scope verdict — so the cost grows with the number of statuses and buckets, not with credentials.
 */
async function pushExposure(range: ComparisonRange, targetId: string | undefined, now: Date): Promise<PushExposure> {
  const scope = { environment: range.environment, targetId };
  const base = activeCredentialsIn(scope);
  const count = (where: Prisma.CredentialWhereInput) => db().credential.count({ where: { AND: [base, where] } });
  // Bucket i holds ages in (bound[i-1], bound[i]] days: lastRotatedAt in [now − bound[i], now − bound[i-1]).
  const edges = AGE_BAR_BOUNDS_DAYS.map((days) => new Date(now.getTime() - days * DAY_MS));
  const ageCounts = Promise.all([
    ...edges.map((edge, i) => count({ lastRotatedAt: { gte: edge, ...(i > 0 ? { lt: edges[i - 1] } : {}) } })),
    count({ lastRotatedAt: { lt: edges[edges.length - 1]! } }),
  ]);
  const [status, ages, kinds, clusterAdmin, scopeUnchecked, scopeCheckFailed, lastFailure, unchecked] = await Promise.all([
    countCredentialStatuses({ scope, now }),
    ageCounts,
    db().credential.groupBy({ by: ["kind", "policyMaxAgeDays"], where: base, _count: { _all: true } }),
    count({ scopeClusterAdmin: true }),
    count({ scopeClusterAdmin: null, scopeCheckFailures: 0 }),
    count({ scopeCheckFailures: { gt: 0 } }),
    db().credential.findFirst({ where: { AND: [base, { scopeCheckFailures: { gt: 0 } }] }, select: { scopeCheckError: true } }),
    db().credential.findMany({ where: { AND: [base, { OR: [{ scopeClusterAdmin: null }, { scopeCheckFailures: { gt: 0 } }] }] }, take: 50, select: { id: true } }),
  ]);
  const byKind = new Map<string, number>();
  const policyCounts = new Map<number, number>();
  for (const k of kinds) {
    byKind.set(k.kind, (byKind.get(k.kind) ?? 0) + k._count._all);
    if (k.policyMaxAgeDays !== null) policyCounts.set(k.policyMaxAgeDays, (policyCounts.get(k.policyMaxAgeDays) ?? 0) + k._count._all);
  }

  // Access counts: audit rows in the range (indexed by `at`), narrowed to the targets in view when filtered.
  const scopedTargetIds = targetId ? [targetId] : range.environment ? (await db().target.findMany({ where: { environment: range.environment }, select: { id: true } })).map((t) => t.id) : null;
  const auditWhere = (action: string, byTarget: boolean) => ({
    action,
    at: { gte: range.from, lt: range.to },
    ...(byTarget && scopedTargetIds ? { targetId: { in: scopedTargetIds } } : {}),
  });
  const [decrypts, credentialDenied, authDenied, agentDenied] = await Promise.all([
    db().auditEvent.count({ where: auditWhere("credential.decrypted", true) }),
    db().auditEvent.count({ where: auditWhere("credential.denied", true) }),
    // Permission refusals are about routes, not targets: shown unfiltered on the overview, not per target.
    targetId ? Promise.resolve(0) : db().auditEvent.count({ where: auditWhere("auth.denied", false) }),
    targetId ? Promise.resolve(0) : db().auditEvent.count({ where: auditWhere("agent.denied", false) }),
  ]);
  const { total, ...statusCounts } = status;
  return {
    credentials: total,
    byKind: [...byKind.entries()].map(([kind, n]) => ({ kind, count: n })).sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
    clusterAdmin,
    scopeUnchecked,
    scopeCheckFailed,
    scopeCheckError: lastFailure?.scopeCheckError ?? null,
    uncheckedIds: unchecked.map((u) => u.id),
    status: statusCounts,
    ages: ageBarsFromCounts(ages, policyCounts),
    decrypts,
    denied: { auth: authDenied, credential: credentialDenied, agent: agentDenied },
  };
}

/** Pull exposure: the agents serving pull targets in view, and their Wharf credentials' ages. */
async function pullExposure(range: ComparisonRange, targetId: string | undefined, now: Date): Promise<PullExposure> {
  const targetWhere = { mode: "pull", ...(range.environment ? { environment: range.environment } : {}), ...(targetId ? { id: targetId } : {}) };
  const agents = await db().agent.findMany({
    where: { revokedAt: null, targets: { some: { target: targetWhere } } },
    select: { enrolledAt: true, credentialIssuedAt: true, lastSeenAt: true },
  });
  const enrolled = agents.filter((a) => a.enrolledAt);
  const online = enrolled.filter((a) => a.lastSeenAt && now.getTime() - a.lastSeenAt.getTime() < STALE_AFTER_MS).length;
  return {
    agents: agents.length,
    enrolled: enrolled.length,
    online,
    stale: enrolled.length - online,
    credentialAges: ageBars(enrolled.filter((a) => a.credentialIssuedAt).map((a) => ({ ageDays: (now.getTime() - a.credentialIssuedAt!.getTime()) / DAY_MS, policyMaxAgeDays: null }))),
    clusterCredentialsHeld: 0,
  };
}

/**
 * Push vs pull for a range (and optional environment), or for one target: delivery from the rollups, exposure from
 * indexed counts over the active credentials (one per push target), agents and indexed audit counts.
 */
export async function getComparison(opts: { range: ComparisonRange; targetId?: string; now?: Date }): Promise<Comparison> {
  const now = opts.now ?? new Date();
  const [delivery, push, pull, modes, environments] = await Promise.all([
    getDeliveryComparison(opts),
    pushExposure(opts.range, opts.targetId, now),
    pullExposure(opts.range, opts.targetId, now),
    db().target.groupBy({
      by: ["mode"],
      where: { ...(opts.range.environment ? { environment: opts.range.environment } : {}), ...(opts.targetId ? { id: opts.targetId } : {}) },
      _count: { _all: true },
    }),
    db().target.groupBy({ by: ["environment"], orderBy: { environment: "asc" } }),
  ]);
  return {
    range: { key: opts.range.key, from: opts.range.from.toISOString(), to: opts.range.to.toISOString(), days: opts.range.days, environment: opts.range.environment },
    environments: environments.map((e) => e.environment),
    targets: { push: modes.find((m) => m.mode === "push")?._count._all ?? 0, pull: modes.find((m) => m.mode === "pull")?._count._all ?? 0 },
    delivery,
    exposure: { push, pull },
  };
}
