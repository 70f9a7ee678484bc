import "server-only";
import { commitOfRevision } from "@/lib/agent/protocol";
import { db } from "@/lib/db";
import { Prisma, type Application } from "@/lib/db/generated/sqlite/client";
import { liveDeploymentSql } from "@/lib/deployments/data/live-deployments";
import { invalidCursorError } from "@/lib/keyset-cursor";
import { decodeApplicationCursor, encodeApplicationCursor } from "../cursor";
import { pullResultOf, pushResultOf } from "../matrix";
import { parseRevisionSummary, summarizeLiveTree, type TRevisionSummary } from "../revision-summary";
import type { ApplicationListItem, ApplicationListPage, TApplicationListQuery, TSyncStatus } from "../schemas";
import { syncStatusSql } from "../status-columns";
import { toApplicationViews } from "./to-application-view";

/** The sync status shown on each row of a page: the same rule the stored filter column is recomputed by. */
const SYNC_SQL = syncStatusSql("a");

/** `%` and `_` are LIKE wildcards; names cannot contain them, but a typed search may. */
const likeContains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One row of the page: the application's own columns, then its relations' (null where it has none). */
type PageRow = Application & {
  sync: string;
  newestId: string | null;
  liveId: string | null;
  targetName: string;
  targetEnvironment: string;
  targetMode: string;
  repoId: string | null;
  statusId: string | null;
  statusState: string | null;
  statusRevision: string | null;
  statusLastSyncAt: Date | null;
  statusMessage: string | null;
  liveStateId: string | null;
  liveHealth: string | null;
  liveHealthMessage: string | null;
  liveObservedAt: Date | null;
  liveTreeJson: string | null;
  liveRevisionId: string | null;
};

/** A page row as the shapes the views read: the application with its target and repository, and its live state. */
function rowOf(r: PageRow) {
  const {
    sync: _sync,
    newestId: _newestId,
    liveId: _liveId,
    targetName,
    targetEnvironment,
    targetMode,
    repoId,
    statusId,
    statusState,
    statusRevision,
    statusLastSyncAt,
    statusMessage,
    liveStateId,
    liveHealth,
    liveHealthMessage,
    liveObservedAt,
    liveTreeJson,
    liveRevisionId,
    ...application
  } = r;
  return {
    ...application,
    target: { id: r.targetId, name: targetName, environment: targetEnvironment, mode: targetMode },
    pullRepo: repoId
      ? {
          id: repoId,
          status: statusId
            ? { state: statusState!, revision: statusRevision, lastSyncAt: statusLastSyncAt, message: statusMessage }
            : null,
        }
      : null,
    liveState: liveStateId
      ? {
          health: liveHealth!,
          healthMessage: liveHealthMessage,
          observedAt: liveObservedAt!,
          treeJson: liveTreeJson!,
          revisionId: liveRevisionId,
        }
      : null,
  };
}

/** A page of applications in (name, id) order with their sync status and newest deployment, filters applied. */
async function pageOf(query: TApplicationListQuery) {
  // Deleted (archived) applications leave the list (lib/targets/live.ts); their pages stay reachable by id.
  const where: Prisma.Sql[] = [Prisma.sql`"a"."archivedAt" IS NULL`];
  const joins: Prisma.Sql[] = [];
  if (query.targetId) where.push(Prisma.sql`"a"."targetId" = ${query.targetId}`);
  if (query.name) where.push(Prisma.sql`"a"."name" = ${query.name}`);
  if (query.q) where.push(Prisma.sql`"a"."name" LIKE ${likeContains(query.q)} ESCAPE '\\'`);
  if (query.mode) where.push(Prisma.sql`"a"."mode" = ${query.mode}`);
  if (query.environment) {
    joins.push(Prisma.sql`JOIN "Target" AS "t" ON "t"."id" = "a"."targetId"`);
    where.push(Prisma.sql`"t"."environment" = ${query.environment}`);
  } // Stored columns, each with a (column, name, id) index the filter walks in the list's order (status-columns.ts
  // keeps them current): the rule evaluated per row made a rare status walk most of the table.
  if (query.health) where.push(Prisma.sql`"a"."health" = ${query.health}`);
  if (query.sync) where.push(Prisma.sql`"a"."syncStatus" = ${query.sync}`);
  if (query.cursor) {
    const after = decodeApplicationCursor(query.cursor);
    if (!after) throw invalidCursorError();
    // The redundant `>=` bound lets the (name, id) index seek to the cursor instead of filtering every earlier row.
    where.push(
      Prisma.sql`"a"."name" >= ${after.name}`,
      Prisma.sql`("a"."name" > ${after.name} OR ("a"."name" = ${after.name} AND "a"."id" > ${after.id}))`,
    );
  }
  // The page is chosen first and the per-row lookups run on its rows only: a filter the planner serves with a sort
  // (e.g. environment, through Target) would otherwise compute them for every matching row before sorting.
  // The page's rows carry what each list item shows — the application, its target, repository status and live state
  // (one row each at most, by unique keys) — so the page is one statement, not one per relation as Prisma's `include`
  // read them (five): each statement cost the process more CPU than the database spent on it.
  return db().$queryRaw<PageRow[]>`
    SELECT "a".*, ${SYNC_SQL} AS "sync", (
      SELECT "n"."id" FROM "Deployment" AS "n" WHERE "n"."applicationId" = "a"."id"
      ORDER BY "n"."createdAt" DESC, "n"."id" DESC LIMIT 1
    ) AS "newestId", ${liveDeploymentSql(Prisma.sql`"a"."id"`)} AS "liveId",
      "tg"."name" AS "targetName", "tg"."environment" AS "targetEnvironment", "tg"."mode" AS "targetMode",
      "p"."id" AS "repoId", "rs"."id" AS "statusId", "rs"."state" AS "statusState", "rs"."revision" AS "statusRevision",
      "rs"."lastSyncAt" AS "statusLastSyncAt", "rs"."message" AS "statusMessage", "ls"."id" AS "liveStateId",
      "ls"."health" AS "liveHealth", "ls"."healthMessage" AS "liveHealthMessage", "ls"."observedAt" AS "liveObservedAt",
      "ls"."treeJson" AS "liveTreeJson", "ls"."revisionId" AS "liveRevisionId"
    FROM (
      SELECT "a".*
      FROM "Application" AS "a"
      ${joins.length ? Prisma.join(joins, " ") : Prisma.empty}
      ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
      ORDER BY "a"."name" ASC, "a"."id" ASC
      LIMIT ${query.limit + 1}
    ) AS "a"
    JOIN "Target" AS "tg" ON "tg"."id" = "a"."targetId"
    LEFT JOIN "PullRepo" AS "p" ON "p"."applicationId" = "a"."id"
    LEFT JOIN "RepoStatus" AS "rs" ON "rs"."repoId" = "p"."id"
    LEFT JOIN "ApplicationLiveState" AS "ls" ON "ls"."applicationId" = "a"."id"
    ORDER BY "a"."name" ASC, "a"."id" ASC`;
  // PostgreSQL prices a filtered walk of the name index as if it read the whole table (the correlated lookups look
  // expensive); its JIT, which that price would start, is off on every connection (lib/db/client.ts).
}

const DEPLOYMENT_SELECT = {
  id: true,
  applicationId: true,
  state: true,
  commitSha: true,
  createdAt: true,
  finishedAt: true,
  resultMessage: true,
  revisionSummary: true,
} as const;

/** The images a stored live tree shows (`{roots, truncated}`), or null when it is not JSON. */
function treeSummary(treeJson: string): TRevisionSummary | null {
  try {
    return summarizeLiveTree((JSON.parse(treeJson) as { roots?: unknown } | null)?.roots);
  } catch {
    return null;
  }
}

/**
 * A page of the Applications list ordered by (name, id), keyset-paginated, so one application's environments sit
 * together. Filters: target, exact name, name search, mode, environment, health, sync status. Each row carries its
 * sync status, health, live revision (commit, chart, images) and last deployment or sync. A fixed number of
 * statements whatever the page size: the filtered page (each row with its application, target, repository status,
 * live state, sync status and newest and live deployment ids), then the deployments those name as one IN list.
 */
export async function listApplications(query: TApplicationListQuery): Promise<ApplicationListPage> {
  const found = await pageOf(query);
  const page = found.slice(0, query.limit);
  if (page.length === 0) return { items: [], nextCursor: null };

  const liveIds = new Map(page.flatMap((r) => (r.liveId ? [[r.id, r.liveId] as const] : [])));
  const deploymentIds = [...new Set([...page.flatMap((r) => (r.newestId ? [r.newestId] : [])), ...liveIds.values()])];
  const deployments = deploymentIds.length
    ? await db().deployment.findMany({ where: { id: { in: deploymentIds } }, select: DEPLOYMENT_SELECT })
    : [];
  const deployment = new Map(deployments.map((d) => [d.id, d]));
  const newest = new Map(page.flatMap((r) => (r.newestId && deployment.has(r.newestId) ? [[r.id, r.newestId]] : [])));
  const ordered = page.map(rowOf);
  const views = await toApplicationViews(
    ordered,
    new Map([...newest].map(([appId, depId]) => [appId, deployment.get(depId)!])),
  );
  const syncOf = new Map(page.map((r) => [r.id, r.sync as TSyncStatus]));

  const items: ApplicationListItem[] = views.map((view, i) => {
    const row = ordered[i]!;
    const status = row.pullRepo?.status;
    const last = newest.has(row.id) ? deployment.get(newest.get(row.id)!) : undefined;
    const liveDeployment = liveIds.has(row.id) ? deployment.get(liveIds.get(row.id)!) : undefined;
    const observed = row.liveState ? treeSummary(row.liveState.treeJson) : null;
    let live: ApplicationListItem["live"] = null;
    let result: ApplicationListItem["result"];
    if (row.mode === "pull") {
      // What the repository reports applied; before its first sync event arrives, what the agent's live read saw.
      const revision = status?.revision ?? row.liveState?.revisionId ?? null;
      if (revision)
        live = {
          commitSha: commitOfRevision(revision),
          revisionId: revision,
          deploymentId: null,
          at: (status?.revision ? status.lastSyncAt : row.liveState?.observedAt)?.toISOString() ?? null,
          summary: observed,
        };
      // A revision waiting for approval is the newest thing that happened to it, whatever the agent last reported.
      result =
        last?.state === "pending-approval"
          ? { state: "awaiting-approval", at: last.createdAt.toISOString(), message: null }
          : {
              state: pullResultOf(status?.state),
              at: status?.lastSyncAt?.toISOString() ?? null,
              message: status?.message ?? null,
            };
    } else {
      if (liveDeployment)
        live = {
          commitSha: liveDeployment.commitSha,
          revisionId: null,
          deploymentId: liveDeployment.id,
          at: liveDeployment.finishedAt?.toISOString() ?? null,
          // The deployment knows the chart; an observed tree knows the images that really run.
          summary: mergeSummaries(parseRevisionSummary(liveDeployment.revisionSummary), observed),
        };
      result = last
        ? {
            state: pushResultOf(last.state),
            at: (last.finishedAt ?? last.createdAt).toISOString(),
            message: last.state === "failed" || last.state === "plan-changed" ? last.resultMessage : null,
          }
        : { state: "none", at: null, message: null };
    }
    return {
      ...view,
      sync: syncOf.get(row.id) ?? "Unknown",
      health: row.liveState
        ? {
            status: row.liveState.health,
            message: row.liveState.healthMessage,
            observedAt: row.liveState.observedAt.toISOString(),
          }
        : null,
      live,
      result,
    };
  });
  const lastRow = page[page.length - 1];
  return {
    items,
    nextCursor:
      found.length > query.limit && lastRow ? encodeApplicationCursor({ name: lastRow.name, id: lastRow.id }) : null,
  };
}

/** The chart from what was deployed, the images from what was observed running when there is an observation. */
function mergeSummaries(deployed: TRevisionSummary | null, observed: TRevisionSummary | null): TRevisionSummary | null {
  if (!observed || observed.imageCount === 0) return deployed;
  return { ...observed, chart: deployed?.chart ?? null };
}
