import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/db/generated/sqlite/client";

/**
 * The id of what runs on the application whose id is `applicationId` (an SQL expression): its newest succeeded push
 * deployment (by finish, then id), the same rule as a deployment page's `live` flag. One backward step on the
 * (applicationId, state, finishedAt) index; null when it has no success.
 */
export function liveDeploymentSql(applicationId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(
    SELECT "d"."id" FROM "Deployment" AS "d"
    WHERE "d"."applicationId" = ${applicationId} AND "d"."state" = 'succeeded' AND "d"."finishedAt" IS NOT NULL
      AND "d"."sourceKind" <> 'pull-revision'
    ORDER BY "d"."finishedAt" DESC, "d"."id" DESC
    LIMIT 1
  )`;
}

/**
 * What runs on each of `applicationIds` (liveDeploymentSql), in one statement whatever their number. Applications
 * with no success are absent.
 */
export async function liveDeploymentIds(applicationIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(applicationIds)];
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<{ applicationId: string; deploymentId: string | null }[]>`
    SELECT "a"."id" AS "applicationId", ${liveDeploymentSql(Prisma.sql`"a"."id"`)} AS "deploymentId"
    FROM "Application" AS "a"
    WHERE "a"."id" IN (${Prisma.join(ids)})`;
  return new Map(rows.flatMap((r) => (r.deploymentId ? [[r.applicationId, r.deploymentId] as const] : [])));
}
