import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { env } from "@/lib/env";
import { invalidCursorError } from "@/lib/keyset-cursor";
import { LIVE_TARGET } from "../live";
import { decodeTargetCursor, encodeTargetCursor } from "../cursor";
import type { TargetListPage, TTargetListQuery } from "../schemas";
import { TARGET_INCLUDE, toTargetListItem } from "./to-target-view";

/**
 * Case-insensitive "contains". SQLite's LIKE already ignores ASCII case; PostgreSQL needs `mode: insensitive`, which
 * the SQLite client's types do not know, hence the cast.
 */
function containsInsensitive(q: string): Prisma.StringFilter {
  const filter = { contains: q } as Prisma.StringFilter;
  if (env().databaseKind === "postgresql") (filter as Record<string, unknown>).mode = "insensitive";
  return filter;
}

/**
 * A page of targets ordered by (name, id), keyset-paginated so page N costs the same as page 1. Mode and environment
 * filters use the `(mode, name)` and `(environment, name)` indexes; `q` searches name and owner team. Deleted targets
 * are left out unless `deleted` is `include`.
 */
export async function listTargets(query: TTargetListQuery): Promise<TargetListPage> {
  // Deleted (archived) targets leave the list unless asked for (`deleted=include`); their pages stay reachable by id.
  const and: Prisma.TargetWhereInput[] = query.deleted === "include" ? [] : [LIVE_TARGET];
  if (query.mode) and.push({ mode: query.mode });
  if (query.environment) and.push({ environment: query.environment });
  if (query.q) and.push({ OR: [{ name: containsInsensitive(query.q) }, { ownerTeam: containsInsensitive(query.q) }] });
  if (query.cursor) {
    const after = decodeTargetCursor(query.cursor);
    if (!after) throw invalidCursorError();
    // The redundant `gte` bound lets the name index seek to the cursor instead of filtering every earlier row.
    and.push(
      { name: { gte: after.name } },
      { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] },
    );
  }
  const rows = await db().target.findMany({
    where: { AND: and },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: query.limit + 1,
    include: TARGET_INCLUDE,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toTargetListItem),
    nextCursor: rows.length > query.limit && last ? encodeTargetCursor({ name: last.name, id: last.id }) : null,
  };
}
