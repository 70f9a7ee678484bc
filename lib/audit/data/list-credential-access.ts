import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import {
  CREDENTIAL_ACCESS_ACTIONS,
  type TCredentialAccessFilter,
  type TCredentialAccessPage,
} from "../credential-access";
import {
  rowNames,
  toCredentialAccessView,
  type AuditRowFields,
  type CredentialAccessPageView,
  type CredentialAccessView,
} from "../views";
import type { TAuditFilter } from "../schemas";
import { auditWhere } from "./list-audit-events";
import { resolveNameFilter, unknownActorNotice } from "./name-filters";

/** Rows per database round trip when streaming an export: big enough to be quick, small enough to stay flat. */
export const EXPORT_PAGE_SIZE = 1000;

/**
 * The Prisma condition of a credential access filter, always restricted to the credential access actions, and the
 * notice of a name filter that names nothing.
 */
export async function credentialAccessWhere(
  filter: TCredentialAccessFilter,
): Promise<{ where: Prisma.AuditEventWhereInput; notice: string | null }> {
  const named = await resolveNameFilter({ target: filter.target, credential: filter.credential });
  const where: Prisma.AuditEventWhereInput = { action: filter.action ?? { in: [...CREDENTIAL_ACCESS_ACTIONS] } };
  if (named.where.length > 0) where.AND = named.where;
  if (filter.credentialId) where.credentialId = filter.credentialId;
  if (filter.targetId) where.targetId = filter.targetId;
  if (filter.outcome) where.outcome = filter.outcome;
  if (filter.actor) where.OR = [{ actorId: filter.actor }, { actorName: { contains: filter.actor } }];
  if (filter.from || filter.to)
    where.at = { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) };
  return { where, notice: named.notice };
}

/**
 * Today's names of the targets of rows written before names were kept, in one query per page (none when every row
 * stored its names). Deleted targets are simply absent.
 */
async function targetNamesOf(rows: readonly AuditRowFields[]): Promise<Map<string, string>> {
  const ids = [
    ...new Set(
      rows
        .filter((r) => !rowNames(r)?.target)
        .map((r) => r.targetId)
        .filter((id): id is string => !!id),
    ),
  ];
  if (ids.length === 0) return new Map();
  const targets = await db().target.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(targets.map((t) => [t.id, t.name]));
}

/**
 * The newest `take` rows of `where`. Filtered by credential or target, one index walk serves it. Otherwise the
 * condition is `action IN (…)`, which no single index orders by seq — the database would sort every matching row —
 * so each action is read on its own (action, seq) index and the pages are merged.
 */
async function newestFirst(where: Prisma.AuditEventWhereInput, filter: TCredentialAccessFilter, take: number) {
  if (filter.action || filter.credentialId || filter.targetId || filter.target || filter.credential) {
    return db().auditEvent.findMany({ where, orderBy: { seq: "desc" }, take });
  }
  const perAction = await Promise.all(
    CREDENTIAL_ACCESS_ACTIONS.map((action) =>
      db().auditEvent.findMany({ where: { ...where, action }, orderBy: { seq: "desc" }, take }),
    ),
  );
  return perAction
    .flat()
    .sort((a, b) => b.seq - a.seq)
    .slice(0, take);
}

/** Credential access rows, newest first, keyset-paginated on the sequence number. */
export async function listCredentialAccess(page: TCredentialAccessPage): Promise<CredentialAccessPageView> {
  const { cursor, limit, ...filter } = page;
  const { where, notice } = await credentialAccessWhere(filter);
  if (cursor) where.seq = { lt: cursor };
  const rows = notice ? [] : await newestFirst(where, filter, limit + 1);
  const pageRows = rows.slice(0, limit);
  const names = await targetNamesOf(pageRows);
  const firstPageEmpty = pageRows.length === 0 && !cursor;
  return {
    items: pageRows.map((r) => toCredentialAccessView(r, names)),
    nextCursor: rows.length > limit ? (pageRows[pageRows.length - 1]?.seq ?? null) : null,
    notice: notice ?? (firstPageEmpty && filter.actor ? await unknownActorNotice(filter.actor) : null),
  };
}

/**
 * Pages of rows matching `where` in chain (sequence) order, `pageSize` at a time, each page fetched only when the
 * previous one was consumed: keyset on seq, so page N costs what page 1 does and nothing accumulates.
 */
async function* auditPages(where: Prisma.AuditEventWhereInput, pageSize: number): AsyncGenerator<AuditRowFields[]> {
  let after = 0;
  for (;;) {
    const rows = await db().auditEvent.findMany({
      where: { AND: [where, { seq: { gt: after } }] },
      orderBy: { seq: "asc" },
      take: pageSize,
    });
    if (rows.length > 0) yield rows;
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = last.seq;
  }
}

/** Credential access rows of a filter, oldest first, as pages of views (target names resolved per page), for export. */
export async function* credentialAccessPages(
  filter: TCredentialAccessFilter,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<CredentialAccessView[]> {
  const { where, notice } = await credentialAccessWhere(filter);
  if (notice) return;
  for await (const rows of auditPages(where, pageSize)) {
    const names = await targetNamesOf(rows);
    yield rows.map((r) => toCredentialAccessView(r, names));
  }
}

/** Audit rows of a filter of the general audit log, oldest first, as pages, for export. */
export async function* auditEventPages(
  filter: Omit<TAuditFilter, "cursor" | "limit">,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<AuditRowFields[]> {
  const { where, notice } = await auditWhere(filter);
  if (notice) return;
  yield* auditPages(where, pageSize);
}
