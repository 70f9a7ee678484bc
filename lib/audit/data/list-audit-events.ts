import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import type { TAuditFilter } from "../schemas";
import { resolveNameFilter, unknownActorNotice } from "./name-filters";

/**
 * The Prisma condition of an audit filter, and the notice of a name filter that names nothing; shared by the list
 * and the export so both show the same rows.
 */
export async function auditWhere(
  filter: Omit<TAuditFilter, "cursor" | "limit">,
): Promise<{ where: Prisma.AuditEventWhereInput; notice: string | null }> {
  const named = await resolveNameFilter(filter);
  const where: Prisma.AuditEventWhereInput = named.where.length > 0 ? { AND: [...named.where] } : {};
  if (filter.action) where.action = filter.action;
  if (filter.outcome) where.outcome = filter.outcome;
  if (filter.actor) where.OR = [{ actorId: filter.actor }, { actorName: { contains: filter.actor } }];
  if (filter.subject)
    where.AND = [
      ...named.where,
      { OR: [{ subjectId: filter.subject }, { targetId: filter.subject }, { credentialId: filter.subject }] },
    ];
  if (filter.from || filter.to)
    where.at = { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) };
  return { where, notice: named.notice };
}

/** Newest first, keyset-paginated on the sequence number so page N costs the same as page 1. */
export async function listAuditEvents(filter: TAuditFilter) {
  const { where, notice } = await auditWhere(filter);
  if (filter.cursor) where.seq = { lt: filter.cursor };
  const rows = await db().auditEvent.findMany({ where, orderBy: { seq: "desc" }, take: filter.limit + 1 });
  const page = rows.slice(0, filter.limit);
  const firstPageEmpty = page.length === 0 && !filter.cursor;
  return {
    items: page,
    nextCursor: rows.length > filter.limit ? (page[page.length - 1]?.seq ?? null) : null,
    notice: notice ?? (firstPageEmpty && filter.actor ? await unknownActorNotice(filter.actor) : null),
  };
}

/** Every row in chain order, fetched in pages, for verification and export without holding the table in memory. */
export async function* streamAuditEvents(pageSize = 1000) {
  let after = 0;
  for (;;) {
    const rows = await db().auditEvent.findMany({
      where: { seq: { gt: after } },
      orderBy: { seq: "asc" },
      take: pageSize,
    });
    yield* rows;
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = last.seq;
  }
}
