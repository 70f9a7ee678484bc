import "server-only";
import { db } from "@/lib/db";
import { nameKey, prefixRange, type AuditNameSuggestions, type TAuditNameQuery } from "../names";

/**
 * Names audit rows have been about that start with `q` (any case), alphabetically, at most `limit`: one range scan of
 * the (kind, key) index, whatever the size of the trail. Deleted targets, applications and credentials are included,
 * since their rows keep their names.
 */
export async function suggestAuditNames(query: TAuditNameQuery): Promise<AuditNameSuggestions> {
  const range = prefixRange(query.q);
  const rows = await db().auditName.findMany({
    where: { kind: query.kind, ...(range ? { key: range } : {}) },
    orderBy: [{ key: "asc" }, { name: "asc" }],
    select: { name: true, key: true },
    take: query.limit,
  });
  const prefix = nameKey(query.q);
  return { kind: query.kind, items: rows.filter((r) => r.key.startsWith(prefix)).map((r) => r.name) };
}
