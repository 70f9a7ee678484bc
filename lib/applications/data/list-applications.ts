import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { invalidCursorError } from "@/lib/keyset-cursor";
import { LIVE_APPLICATION } from "@/lib/targets/live";
import { decodeApplicationCursor, encodeApplicationCursor } from "../cursor";
import type { ApplicationListPage, TApplicationListQuery } from "../schemas";
import { APPLICATION_INCLUDE, toApplicationViews } from "./to-application-view";

/**
 * A page of applications ordered by (name, id), keyset-paginated, so one application's environments sit together.
 * `name` is exact (the `name` index: one application across targets); `targetId` keeps one target's.
 */
export async function listApplications(query: TApplicationListQuery): Promise<ApplicationListPage> {
  // Deleted (archived) applications leave the list (lib/targets/live.ts); their pages stay reachable by id.
  const and: Prisma.ApplicationWhereInput[] = [LIVE_APPLICATION];
  if (query.targetId) and.push({ targetId: query.targetId });
  if (query.name) and.push({ name: query.name });
  if (query.cursor) {
    const after = decodeApplicationCursor(query.cursor);
    if (!after) throw invalidCursorError();
    and.push(
      { name: { gte: after.name } },
      { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] },
    );
  }
  const rows = await db().application.findMany({
    where: { AND: and },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: query.limit + 1,
    include: APPLICATION_INCLUDE,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: await toApplicationViews(page),
    nextCursor: rows.length > query.limit && last ? encodeApplicationCursor({ name: last.name, id: last.id }) : null,
  };
}
