import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/db/generated/sqlite/client";

/**
 * What runs on each of `applicationIds`: its newest succeeded push deployment (by finish, then id), the same rule as
 * a deployment page's `live` flag. One statement whatever the number of applications: a correlated lookup per
 * application on the (applicationId, state, finishedAt) index. Applications with no success are absent.
 */
export async function liveDeploymentIds(applicationIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(applicationIds)];
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<{ applicationId: string; deploymentId: string | null }[]>`
    SELECT "a"."id" AS "applicationId", (
      SELECT "d"."id" FROM "Deployment" AS "d"
      WHERE "d"."applicationId" = "a"."id" AND "d"."state" = 'succeeded' AND "d"."finishedAt" IS NOT NULL
        AND "d"."sourceKind" <> 'pull-revision'
      ORDER BY "d"."finishedAt" DESC, "d"."id" DESC
      LIMIT 1
    ) AS "deploymentId"
    FROM "Application" AS "a"
    WHERE "a"."id" IN (${Prisma.join(ids)})`;
  return new Map(rows.flatMap((r) => (r.deploymentId ? [[r.applicationId, r.deploymentId] as const] : [])));
}
