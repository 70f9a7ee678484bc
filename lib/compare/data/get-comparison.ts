import "server-only";
import { STALE_AFTER_MS } from "@/lib/agents/schemas";
import { auditEventWeightSql, USE_SUMMARY_ACTOR } from "@/lib/audit/data/record-capped-audit-event";
import {
  activeCredentialsIn,
  countCredentialStatuses,
  type CredentialScope,
} from "@/lib/credentials/data/count-credential-statuses";
import { tallyStatus } from "@/lib/credentials/data/list-active-credential-statuses";
import type { CredentialStatusCounts } from "@/lib/credentials/schemas";
import { DAY_MS, statusAt } from "@/lib/credentials/status";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/db/generated/sqlite/client";
import { ROLLUP_SUM_FIELDS } from "@/lib/rollups/sums";
import type { PullExposure, PushExposure } from "../exposure";
import {
  AGE_BAR_BOUNDS_DAYS,
  ageBars,
  ageBarsFromCounts,
  deliveryFigures,
  type DeliveryComparison,
  type HistogramRow,
  type RollupDayRow,
} from "../figures";
import type { ComparisonRange } from "../range";

export interface Comparison {
  range: { key: ComparisonRange["key"]; from: string; to: string; days: number; environment: string | null };
  /** Environments that have targets, for the filter control. */
  environments: string[];
  targets: { push: number; pull: number };
  delivery: DeliveryComparison;
  exposure: { push: PushExposure; pull: PullExposure };
}

/**
 * The delivery figures of a range from the rollups alone, never from deployments or sync events: all targets or one
 * environment read the fleet rows (days × modes × environments, however many targets there are); a target's page
 * reads that target's rows.
 */
export async function getDeliveryComparison(opts: {
  range: ComparisonRange;
  targetId?: string;
}): Promise<DeliveryComparison> {
  const where = {
    day: { gte: opts.range.from, lt: opts.range.to },
    ...(opts.range.environment ? { environment: opts.range.environment } : {}),
  };
  const [days, hist] = await Promise.all(
    opts.targetId
      ? [
          db().deliveryRollup.groupBy({
            by: ["day", "mode"],
            where: { ...where, targetId: opts.targetId },
            _sum: ROLLUP_SUM_FIELDS,
          }),
          db().deliveryHistogram.groupBy({
            by: ["mode", "metric", "bucket"],
            where: { ...where, targetId: opts.targetId },
            _sum: { count: true },
          }),
        ]
      : [
          db().fleetDeliveryRollup.groupBy({ by: ["day", "mode"], where, _sum: ROLLUP_SUM_FIELDS }),
          db().fleetDeliveryHistogram.groupBy({ by: ["mode", "metric", "bucket"], where, _sum: { count: true } }),
        ],
  );
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
  const histogram: HistogramRow[] = hist.map((h) => ({
    mode: h.mode,
    metric: h.metric,
    bucket: h.bucket,
    count: h._sum.count ?? 0,
  }));
  return deliveryFigures(rows, histogram, opts.range);
}

/** The credential side of push exposure, before it is shaped for the view. */
interface CredentialFigures {
  status: CredentialStatusCounts & { total: number };
  /** Per age bar (see AGE_BAR_BOUNDS_DAYS), the last one for older. */
  ageCounts: number[];
  kinds: { kind: string; policyMaxAgeDays: number | null; n: number }[];
  clusterAdmin: number;
  scopeUnchecked: number;
  scopeCheckFailed: number;
  scopeCheckError: string | null;
  uncheckedIds: string[];
}

const UNCHECKED_IDS = 50;

/**
 * Indexed counts over the active credentials in scope (all, or one environment): the status boundaries, the age
 * buckets on lastRotatedAt, kinds with the policy line in one grouped count, and the stored scope verdict. The cost
 * grows with the number of statuses and buckets, not with credentials.
 */
async function credentialFiguresByCounts(scope: CredentialScope, now: Date): Promise<CredentialFigures> {
  const base = activeCredentialsIn(scope);
  const count = (where: Prisma.CredentialWhereInput) => db().credential.count({ where: { AND: [base, where] } });
  // Bucket i holds ages in (bound[i-1], bound[i]] days: lastRotatedAt in [now − bound[i], now − bound[i-1]). One
  // grouped count walks the (state[, targetEnvironment], lastRotatedAt) index once, the rows the eight range counts
  // it replaces walked between them, in one statement instead of eight.
  const edges = AGE_BAR_BOUNDS_DAYS.map((days) => new Date(now.getTime() - days * DAY_MS));
  const bucketOf = Prisma.join(
    edges.map((edge, i) => Prisma.sql`WHEN "lastRotatedAt" >= ${edge} THEN ${i}`),
    " ",
  );
  const ageCounts = db().$queryRaw<
    { bucket: number | bigint; n: number | bigint | string }[]
  >`SELECT CASE ${bucketOf} ELSE ${edges.length} END AS "bucket", COUNT(*) AS "n" FROM "Credential" WHERE "state" = 'active'${
    scope.environment ? Prisma.sql` AND "targetEnvironment" = ${scope.environment}` : Prisma.empty
  }${scope.targetId ? Prisma.sql` AND "targetId" = ${scope.targetId}` : Prisma.empty} GROUP BY 1`.then((rows) => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const r of rows) counts[Number(r.bucket)] = Number(r.n);
    return counts;
  });
  const failing = { scopeCheckFailures: { gt: 0 } };
  // Each list reads its own index in index order, so neither sorts the credentials it skips.
  const idsWhere = (where: Prisma.CredentialWhereInput, orderBy: Prisma.CredentialOrderByWithRelationInput) =>
    db().credential.findMany({ where: { AND: [base, where] }, orderBy, take: UNCHECKED_IDS, select: { id: true } });
  const [
    status,
    ages,
    kinds,
    clusterAdmin,
    neverVerdict,
    neverVerdictFailing,
    scopeCheckFailed,
    lastFailure,
    failedIds,
    freshIds,
  ] = await Promise.all([
    countCredentialStatuses({ scope, now }),
    ageCounts,
    db().credential.groupBy({ by: ["kind", "policyMaxAgeDays"], where: base, _count: { _all: true } }),
    count({ scopeClusterAdmin: true }),
    count({ scopeClusterAdmin: null }),
    count({ scopeClusterAdmin: null, ...failing }),
    count(failing),
    db().credential.findFirst({
      where: { AND: [base, failing] },
      orderBy: { scopeCheckFailures: "desc" },
      select: { scopeCheckError: true },
    }),
    idsWhere(failing, { scopeCheckFailures: "desc" }),
    idsWhere({ scopeClusterAdmin: null, scopeCheckFailures: 0 }, { scopeClusterAdmin: "asc" }),
  ]);
  return {
    status,
    ageCounts: ages,
    kinds: kinds.map((k) => ({ kind: k.kind, policyMaxAgeDays: k.policyMaxAgeDays, n: k._count._all })),
    clusterAdmin,
    scopeUnchecked: neverVerdict - neverVerdictFailing,
    scopeCheckFailed,
    scopeCheckError: lastFailure?.scopeCheckError ?? null,
    uncheckedIds: [...failedIds, ...freshIds].slice(0, UNCHECKED_IDS).map((r) => r.id),
  };
}

/**
 * The same figures for one target (a target's page) from its few rows — one active credential at most — read by
 * (targetId, state): range counts would make the database choose between that index and a boundary's.
 */
async function credentialFiguresOfRows(scope: CredentialScope, now: Date): Promise<CredentialFigures> {
  const rows = await db().credential.findMany({
    where: activeCredentialsIn(scope),
    select: {
      id: true,
      kind: true,
      lastRotatedAt: true,
      expiresAt: true,
      overdueAt: true,
      dueSoonAt: true,
      rotationFailing: true,
      policyMaxAgeDays: true,
      scopeClusterAdmin: true,
      scopeCheckFailures: true,
      scopeCheckError: true,
    },
  });
  const kinds = new Map<string, CredentialFigures["kinds"][number]>();
  for (const r of rows) {
    const key = `${r.kind}\u0000${r.policyMaxAgeDays}`;
    const k = kinds.get(key) ?? { kind: r.kind, policyMaxAgeDays: r.policyMaxAgeDays, n: 0 };
    k.n++;
    kinds.set(key, k);
  }
  const failed = rows.filter((r) => r.scopeCheckFailures > 0);
  const ageCounts = new Array<number>(AGE_BAR_BOUNDS_DAYS.length + 1).fill(0);
  for (const r of rows) {
    const i = AGE_BAR_BOUNDS_DAYS.findIndex((days) => r.lastRotatedAt.getTime() >= now.getTime() - days * DAY_MS);
    ageCounts[i === -1 ? AGE_BAR_BOUNDS_DAYS.length : i]!++;
  }
  return {
    status: { ...tallyStatus(rows.map((r) => ({ status: statusAt(r, r.rotationFailing, now) }))), total: rows.length },
    ageCounts,
    kinds: [...kinds.values()],
    clusterAdmin: rows.filter((r) => r.scopeClusterAdmin === true).length,
    scopeUnchecked: rows.filter((r) => r.scopeClusterAdmin === null && r.scopeCheckFailures === 0).length,
    scopeCheckFailed: failed.length,
    scopeCheckError: failed[0]?.scopeCheckError ?? null,
    uncheckedIds: rows
      .filter((r) => r.scopeClusterAdmin === null || r.scopeCheckFailures > 0)
      .map((r) => r.id)
      .slice(0, UNCHECKED_IDS),
  };
}

/**
 * Push exposure: the active credentials Wharf holds (one per push target), and access in the range. Credential
 * figures come from indexed counts on Credential's own columns (credentialFiguresByCounts), never from reading every
 * credential.
 */
async function pushExposure(range: ComparisonRange, targetId: string | undefined, now: Date): Promise<PushExposure> {
  const scope = { environment: range.environment, targetId };
  const figures = targetId ? await credentialFiguresOfRows(scope, now) : await credentialFiguresByCounts(scope, now);
  const byKind = new Map<string, number>();
  const policyCounts = new Map<number, number>();
  for (const k of figures.kinds) {
    byKind.set(k.kind, (byKind.get(k.kind) ?? 0) + k.n);
    if (k.policyMaxAgeDays !== null)
      policyCounts.set(k.policyMaxAgeDays, (policyCounts.get(k.policyMaxAgeDays) ?? 0) + k.n);
  }

  // Access counts: events in the range (audit rows by the (action, at) index, a flood summary row counting the events
  // it stands for), narrowed to the target or environment in view.
  const scopeSql = (byTarget: boolean): Prisma.Sql =>
    byTarget && targetId
      ? Prisma.sql` AND "targetId" = ${targetId}`
      : // The environment's targets as a subquery, not an id list: an environment of thousands of targets would
        // exceed the database's bound-parameter limit.
        byTarget && range.environment
        ? Prisma.sql` AND "targetId" IN (SELECT "id" FROM "Target" WHERE "environment" = ${range.environment})`
        : Prisma.empty;
  // The access counts of the range in one grouped statement per scope, each action an equality on the (action, at)
  // index as the separate counts were: the credential actions narrowed to the target or environment in view,
  // permission refusals (about routes, not targets) unfiltered on the overview and left out on a target's page. The
  // status reads' use summaries of windows that are over (purpose `status`, the only aggregated decrypt) are a
  // second sum over the decrypts' rows.
  const isStatusSummary = Prisma.sql`"actorKind" = ${USE_SUMMARY_ACTOR.kind} AND "actorName" = ${USE_SUMMARY_ACTOR.name}`;
  const auditCounts = (actions: string[], byTarget: boolean) =>
    db().$queryRaw<
      { action: string; n: number | bigint | string; summarised: number | bigint | string }[]
    >`SELECT "action", COALESCE(SUM(${auditEventWeightSql()}), 0) AS "n", COALESCE(SUM(CASE WHEN ${isStatusSummary} THEN ${auditEventWeightSql()} ELSE 0 END), 0) AS "summarised" FROM "AuditEvent" WHERE "action" IN (${Prisma.join(actions)}) AND "at" >= ${range.from} AND "at" < ${range.to}${scopeSql(byTarget)} GROUP BY "action"`;
  const credentialActions = ["credential.decrypted", "credential.denied"];
  const routeActions = targetId ? [] : ["auth.denied", "agent.denied"];
  // Without a target or environment in view both scopes are the whole range: one statement for all four actions.
  const sameScope = !targetId && !range.environment;
  const counted = Promise.all(
    sameScope
      ? [auditCounts([...credentialActions, ...routeActions], false)]
      : [auditCounts(credentialActions, true), ...(routeActions.length ? [auditCounts(routeActions, false)] : [])],
  ).then(
    (groups) => new Map(groups.flat().map((g) => [g.action, { n: Number(g.n), summarised: Number(g.summarised) }])),
  );
  // Status reads of windows still open are counted the moment they happen, from the open windows' counters.
  const statusOpen = db().$queryRaw<
    { n: number | bigint | string | null }[]
  >`SELECT COALESCE(SUM("count"), 0) AS "n" FROM "AuditFloodCount" WHERE "kind" = 'use' AND "action" = 'credential.decrypted' AND "windowStart" >= ${range.from} AND "windowStart" < ${range.to}${scopeSql(true)}`.then(
    (rows) => Number(rows[0]?.n ?? 0),
  );
  const [counts, statusPending] = await Promise.all([counted, statusOpen]);
  const countOf = (action: string) => counts.get(action)?.n ?? 0;
  const decrypts = countOf("credential.decrypted");
  const statusClosed = counts.get("credential.decrypted")?.summarised ?? 0;
  const credentialDenied = countOf("credential.denied");
  const authDenied = countOf("auth.denied");
  const agentDenied = countOf("agent.denied");
  const { total, ...statusCounts } = figures.status;
  return {
    credentials: total,
    byKind: [...byKind.entries()]
      .map(([kind, n]) => ({ kind, count: n }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
    clusterAdmin: figures.clusterAdmin,
    scopeUnchecked: figures.scopeUnchecked,
    scopeCheckFailed: figures.scopeCheckFailed,
    scopeCheckError: figures.scopeCheckError,
    uncheckedIds: figures.uncheckedIds,
    status: statusCounts,
    ages: ageBarsFromCounts(figures.ageCounts, policyCounts),
    decrypts: decrypts + statusPending,
    statusReads: statusClosed + statusPending,
    denied: { auth: authDenied, credential: credentialDenied, agent: agentDenied },
  };
}

/** Pull exposure: the agents serving pull targets in view, and their Wharf credentials' ages. */
async function pullExposure(range: ComparisonRange, targetId: string | undefined, now: Date): Promise<PullExposure> {
  // Which agents serve a target in view: per agent, its assignments and each one's target by primary key. Prisma's
  // relation filter for the same question made SQLite walk all of the environment's targets once per agent (22 ms
  // at 10k targets and 200 agents); this is one probe per assignment.
  const [serving, live] = await Promise.all([
    db().$queryRaw<
      { id: string }[]
    >`SELECT "a"."id" FROM "Agent" AS "a" WHERE "a"."revokedAt" IS NULL AND EXISTS (SELECT 1 FROM "AgentTarget" AS "at" JOIN "Target" AS "t" ON "t"."id" = "at"."targetId" WHERE "at"."agentId" = "a"."id" AND "t"."mode" = 'pull'${
      range.environment ? Prisma.sql` AND "t"."environment" = ${range.environment}` : Prisma.empty
    }${targetId ? Prisma.sql` AND "t"."id" = ${targetId}` : Prisma.empty})`,
    db().agent.findMany({
      where: { revokedAt: null },
      select: { id: true, enrolledAt: true, credentialIssuedAt: true, lastSeenAt: true },
    }),
  ]);
  const inView = new Set(serving.map((s) => s.id));
  const agents = live.filter((a) => inView.has(a.id));
  const enrolled = agents.filter((a) => a.enrolledAt);
  const online = enrolled.filter((a) => a.lastSeenAt && now.getTime() - a.lastSeenAt.getTime() < STALE_AFTER_MS).length;
  return {
    agents: agents.length,
    enrolled: enrolled.length,
    online,
    stale: enrolled.length - online,
    credentialAges: ageBars(
      enrolled
        .filter((a) => a.credentialIssuedAt)
        .map((a) => ({ ageDays: (now.getTime() - a.credentialIssuedAt!.getTime()) / DAY_MS, policyMaxAgeDays: null })),
    ),
    clusterCredentialsHeld: 0,
    statusReads: 0,
  };
}

/**
 * Push vs pull for a range (and optional environment), or for one target: delivery from the rollups, exposure from
 * indexed counts over the active credentials (one per push target), agents and indexed audit counts.
 */
export async function getComparison(opts: {
  range: ComparisonRange;
  targetId?: string;
  now?: Date;
}): Promise<Comparison> {
  const now = opts.now ?? new Date();
  const [delivery, push, pull, modes, environments] = await Promise.all([
    getDeliveryComparison(opts),
    pushExposure(opts.range, opts.targetId, now),
    pullExposure(opts.range, opts.targetId, now),
    db().target.groupBy({
      by: ["mode"],
      where: {
        ...(opts.range.environment ? { environment: opts.range.environment } : {}),
        ...(opts.targetId ? { id: opts.targetId } : {}),
      },
      _count: { _all: true },
    }),
    db().target.groupBy({ by: ["environment"], orderBy: { environment: "asc" } }),
  ]);
  return {
    range: {
      key: opts.range.key,
      from: opts.range.from.toISOString(),
      to: opts.range.to.toISOString(),
      days: opts.range.days,
      environment: opts.range.environment,
    },
    environments: environments.map((e) => e.environment),
    targets: {
      push: modes.find((m) => m.mode === "push")?._count._all ?? 0,
      pull: modes.find((m) => m.mode === "pull")?._count._all ?? 0,
    },
    delivery,
    exposure: { push, pull },
  };
}
