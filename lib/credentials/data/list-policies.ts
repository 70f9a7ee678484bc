import "server-only";
import { db } from "@/lib/db";
import type { CredentialPolicy } from "@/lib/db/generated/sqlite/client";
import { decodeKeysetCursor, encodeKeysetCursor, invalidCursorError } from "@/lib/keyset-cursor";
import type { CredentialPolicyPage, CredentialPolicyView, TCredentialPolicyListQuery } from "../schemas";
import { toPolicyView } from "../views";

/**
 * Policy views with their explicit-target counts, counted for these policies only on Target's credentialPolicyId
 * index (Prisma's `_count` include groups the whole Target table before joining).
 */
export async function withTargetCounts(policies: CredentialPolicy[]): Promise<CredentialPolicyView[]> {
  const counts = new Map<string, number>();
  if (policies.length > 0) {
    const groups = await db().target.groupBy({
      by: ["credentialPolicyId"],
      where: { credentialPolicyId: { in: policies.map((p) => p.id) } },
      _count: { _all: true },
    });
    for (const g of groups) if (g.credentialPolicyId) counts.set(g.credentialPolicyId, g._count._all);
  }
  return policies.map((p) => toPolicyView({ ...p, _count: { targets: counts.get(p.id) ?? 0 } }));
}

/**
 * Credential policies by name, a page at a time: names are unique, so the name alone orders them and the cursor
 * seeks in its unique index. Explicit targets are counted for the page's policies only.
 */
export async function listPolicies(query: TCredentialPolicyListQuery): Promise<CredentialPolicyPage> {
  const after = query.cursor ? decodeKeysetCursor(query.cursor, 1) : null;
  if (query.cursor && !after) throw invalidCursorError();
  const rows = await db().credentialPolicy.findMany({
    where: after ? { name: { gt: after[0] } } : {},
    orderBy: { name: "asc" },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: await withTargetCounts(page),
    nextCursor: rows.length > query.limit && last ? encodeKeysetCursor([last.name]) : null,
  };
}
