import "server-only";
import { commitOfRevision } from "@/lib/agent/protocol";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { Prisma } from "@/lib/db/generated/sqlite/client";
import { liveDeploymentSql } from "@/lib/deployments/data/live-deployments";
import { LIVE_TARGET } from "@/lib/targets/live";
import { decodeKeysetCursor, encodeKeysetCursor, invalidCursorError } from "@/lib/keyset-cursor";
import { markDifferences, orderEnvironments, pullResultOf, pushResultOf } from "../matrix";
import type { EnvironmentMatrix, TEnvironmentMatrixQuery, TMatrixEntry, TMatrixRow } from "../matrix-schemas";

/** One application of the page with what the matrix shows of it, as the page's one statement returns it. */
type MatrixAppRow = {
  id: string;
  name: string;
  mode: string;
  targetId: string;
  targetName: string;
  environment: string;
  syncState: string | null;
  syncRevision: string | null;
  syncMessage: string | null;
  lastSyncAt: RawDate | null;
  health: string | null;
  healthMessage: string | null;
  observedAt: RawDate | null;
  lastState: string | null;
  lastCreatedAt: RawDate | null;
  lastFinishedAt: RawDate | null;
  lastMessage: string | null;
  liveId: string | null;
  liveCommitSha: string | null;
  liveDigest: string | null;
  liveFinishedAt: RawDate | null;
};

/** Raw results: PostgreSQL gives timestamps as Dates; SQLite gives the stored ISO text when a column is not typed. */
type RawDate = Date | string;
const toDate = (v: RawDate): Date => (v instanceof Date ? v : new Date(v));
const iso = (v: RawDate | null): string | null => (v === null ? null : toDate(v).toISOString());

/**
 * The page's applications with everything their cells show, in one statement: the names of the page (keyset on
 * name, one more than the page to know whether another follows), every live application of those names
 * (LIVE_APPLICATION) with its target, its repository's reported status, its reported health, its newest deployment
 * (any state: the last result) and, for push, its newest succeeded one (what is live: the deployments list's Live
 * badge rule). The newest rows are correlated `ORDER BY … LIMIT 1` lookups that the (applicationId, createdAt) and
 * (applicationId, state, finishedAt) indexes answer from their end, joined by primary key. The former shape — names,
 * applications and their four relations, two grouped maxima, the rows they name: 11 statements in 6 dependent steps —
 * was 2–4× slower with 10 pages read at once on both databases: its time went to round trips and to waiting for a
 * pooled connection, not to the database's work.
 */
function pageSql(after: string | null, take: number): Prisma.Sql {
  const newestSql = Prisma.sql`(
    SELECT "x"."id" FROM "Deployment" AS "x" WHERE "x"."applicationId" = "a"."id"
    ORDER BY "x"."createdAt" DESC, "x"."id" DESC LIMIT 1
  )`;
  return Prisma.sql`
    WITH "names" AS (
      SELECT DISTINCT "name" FROM "Application"
      WHERE "archivedAt" IS NULL${after === null ? Prisma.empty : Prisma.sql` AND "name" > ${after}`}
      ORDER BY "name" ASC
      LIMIT ${take}
    )
    SELECT "a"."id", "a"."name", "a"."mode", "t"."id" AS "targetId", "t"."name" AS "targetName", "t"."environment",
      "s"."state" AS "syncState", "s"."revision" AS "syncRevision", "s"."message" AS "syncMessage", "s"."lastSyncAt",
      "l"."health", "l"."healthMessage", "l"."observedAt",
      "n"."state" AS "lastState", "n"."createdAt" AS "lastCreatedAt", "n"."finishedAt" AS "lastFinishedAt",
      "n"."resultMessage" AS "lastMessage",
      "v"."id" AS "liveId", "v"."commitSha" AS "liveCommitSha", "v"."manifestsDigest" AS "liveDigest",
      "v"."finishedAt" AS "liveFinishedAt"
    FROM "names"
    JOIN "Application" AS "a" ON "a"."name" = "names"."name" AND "a"."archivedAt" IS NULL
    JOIN "Target" AS "t" ON "t"."id" = "a"."targetId"
    LEFT JOIN "PullRepo" AS "r" ON "r"."applicationId" = "a"."id"
    LEFT JOIN "RepoStatus" AS "s" ON "s"."repoId" = "r"."id"
    LEFT JOIN "ApplicationLiveState" AS "l" ON "l"."applicationId" = "a"."id"
    LEFT JOIN "Deployment" AS "n" ON "n"."id" = ${newestSql}
    -- Only push applications have a live deployment: pull rows skip the lookup.
    LEFT JOIN "Deployment" AS "v"
      ON "v"."id" = CASE WHEN "a"."mode" = 'push' THEN ${liveDeploymentSql(Prisma.sql`"a"."id"`)} END
    ORDER BY "a"."name" ASC, "a"."id" ASC`;
}

/**
 * One page of the applications × environments matrix: application names (one application on several targets is
 * one row), keyset-paginated by name; the columns are every target environment in WHARF_ENVIRONMENT_ORDER. Each
 * cell lists the application's targets in that environment with what is live there, the last result and (pull) its
 * reported health, marked where it differs from the previous environment.
 */
export async function getEnvironmentMatrix(query: TEnvironmentMatrixQuery): Promise<EnvironmentMatrix> {
  let after: string | null = null;
  if (query.cursor) {
    const key = decodeKeysetCursor(query.cursor, 1);
    if (!key) throw invalidCursorError();
    after = key[0]!;
  }
  // Independent: run side by side rather than one round trip after the other.
  const [found, environmentRows] = await Promise.all([
    db().$queryRaw<MatrixAppRow[]>(pageSql(after, query.limit + 1)),
    db().target.groupBy({ by: ["environment"], where: LIVE_TARGET, orderBy: { environment: "asc" } }),
  ]);
  const environments = orderEnvironments(
    environmentRows.map((r) => r.environment),
    env().WHARF_ENVIRONMENT_ORDER,
  );
  // Rows come in the database's name order; the one name past the page only says that another page follows.
  const allNames = [...new Set(found.map((a) => a.name))];
  const names = allNames.slice(0, query.limit);
  const nextCursor = allNames.length > query.limit ? encodeKeysetCursor([names[names.length - 1]!]) : null;
  if (names.length === 0) return { environments, rows: [], nextCursor: null };

  const column = new Map(environments.map((e, i) => [e, i]));
  const rows = new Map<string, TMatrixRow>(names.map((n) => [n, { name: n, cells: environments.map(() => []) }]));
  for (const a of found) {
    const row = rows.get(a.name);
    if (!row) continue;
    const target = { id: a.targetId, name: a.targetName };
    let entry: TMatrixEntry;
    if (a.mode === "pull") {
      // A revision waiting for approval is the newest thing that happened to it, whatever the agent last reported.
      const awaiting = a.lastState === "pending-approval" && a.lastCreatedAt !== null;
      entry = {
        applicationId: a.id,
        target,
        mode: "pull",
        revision: a.syncRevision
          ? {
              commitSha: commitOfRevision(a.syncRevision),
              manifestsDigest: null,
              revisionId: a.syncRevision,
              deploymentId: null,
              at: iso(a.lastSyncAt),
            }
          : null,
        result: awaiting
          ? { state: "awaiting-approval", at: iso(a.lastCreatedAt), message: null }
          : { state: pullResultOf(a.syncState), at: iso(a.lastSyncAt), message: a.syncMessage },
        health:
          a.health !== null && a.observedAt !== null
            ? { status: a.health, message: a.healthMessage, observedAt: iso(a.observedAt)! }
            : null,
        differsFromPrevious: null,
      };
    } else {
      entry = {
        applicationId: a.id,
        target,
        mode: "push",
        revision: a.liveId
          ? {
              commitSha: a.liveCommitSha,
              manifestsDigest: a.liveDigest,
              revisionId: null,
              deploymentId: a.liveId,
              at: iso(a.liveFinishedAt),
            }
          : null,
        result:
          a.lastState !== null && a.lastCreatedAt !== null
            ? {
                state: pushResultOf(a.lastState),
                at: iso(a.lastFinishedAt ?? a.lastCreatedAt),
                message: a.lastState === "failed" || a.lastState === "plan-changed" ? a.lastMessage : null,
              }
            : { state: "none", at: null, message: null },
        health: null,
        differsFromPrevious: null,
      };
    }
    const i = column.get(a.environment);
    if (i !== undefined) row.cells[i]!.push(entry);
  }
  const out = [...rows.values()];
  for (const row of out) markDifferences(row.cells);
  return { environments, rows: out, nextCursor };
}
