import type { Db, Tx } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/sqlite/client";

// Not a `data/` module on purpose: the migration runner (lib/upgrade/migrate-database.ts, plain Node, no
// `server-only`) backfills these columns with the same statement, so every caller hands in its own client or
// transaction (as lib/credentials/status-columns.ts does).

/**
 * An application's sync status as one SQL expression over the Application row `app` (an alias or the table name),
 * the rule of lib/applications/schemas.ts SYNC_STATUSES. Pull: its repository's reported state (one unique-key
 * lookup). Push: its newest request that changed or meant to change the cluster — rejected, cancelled and superseded
 * ones did not, so a success before them still counts — one backward step on the (applicationId, createdAt) index.
 */
export function syncStatusSql(app: string): Prisma.Sql {
  const a = Prisma.raw(`"${app}"`);
  return Prisma.sql`COALESCE(CASE WHEN ${a}."mode" = 'pull' THEN (
    SELECT CASE "rs"."state" WHEN 'in-sync' THEN 'Synced' ELSE 'OutOfSync' END
    FROM "PullRepo" AS "p" JOIN "RepoStatus" AS "rs" ON "rs"."repoId" = "p"."id"
    WHERE "p"."applicationId" = ${a}."id"
  ) ELSE (
    SELECT CASE "d"."state" WHEN 'succeeded' THEN 'Synced' ELSE 'OutOfSync' END
    FROM "Deployment" AS "d"
    WHERE "d"."applicationId" = ${a}."id" AND "d"."state" NOT IN ('rejected', 'cancelled', 'superseded')
    ORDER BY "d"."createdAt" DESC, "d"."id" DESC
    LIMIT 1
  ) END, 'Unknown')`;
}

const SYNC = syncStatusSql("Application");
const HEALTH = Prisma.sql`(SELECT "l"."health" FROM "ApplicationLiveState" AS "l" WHERE "l"."applicationId" = "Application"."id")`;

/** Which applications to recompute: by id, by their pull repository's id, or all of them (the backfill). */
export type ApplicationStatusScope = { applicationIds: (string | null | undefined)[] } | { repoIds: string[] } | "all";

/**
 * Rewrites Application.syncStatus and Application.health (the Applications list's filter columns) of the
 * applications in `scope` from what they are computed from: call it in the transaction of every write that changes
 * an input of syncStatusSql or the live state's health, so a filter can never see a stale value. A row whose columns
 * already hold the answer is not written (a heartbeat repeating its state rewrites nothing).
 */
export async function recomputeApplicationStatus(client: Db | Tx, scope: ApplicationStatusScope): Promise<void> {
  let where: Prisma.Sql;
  if (scope === "all") where = Prisma.sql`1 = 1`;
  else if ("repoIds" in scope) {
    if (scope.repoIds.length === 0) return;
    where = Prisma.sql`"id" IN (SELECT "applicationId" FROM "PullRepo" WHERE "id" IN (${Prisma.join(scope.repoIds)}))`;
  } else {
    const ids = [...new Set(scope.applicationIds.filter((id): id is string => !!id))];
    if (ids.length === 0) return;
    where = Prisma.sql`"id" IN (${Prisma.join(ids)})`;
  }
  await client.$executeRaw`
    UPDATE "Application" SET "syncStatus" = ${SYNC}, "health" = ${HEALTH}
    WHERE ${where} AND ("syncStatus" <> ${SYNC} OR COALESCE("health", '') <> COALESCE(${HEALTH}, ''))`;
}
