import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { nameKey, unknownActorMessage, unknownNameMessage, type TAuditNameKind } from "../names";

/** The name filters of the audit trail and the credential access view. */
export interface AuditNameFilter {
  target?: string;
  application?: string;
  credential?: string;
}

export interface ResolvedNameFilter {
  /** Conditions to AND into the row query; empty when no name filter was given. */
  where: Prisma.AuditEventWhereInput[];
  /** "No target named 'x' has audit events" when a filtered name is on no row: the answer is empty for that reason. */
  notice: string | null;
}

/** Every spelling of a name rows carry, matched case-insensitively on the suggestions' (kind, key) index. */
async function spellingsOf(kind: TAuditNameKind, value: string): Promise<string[]> {
  const rows = await db().auditName.findMany({
    where: { kind, key: nameKey(value) },
    select: { name: true },
    take: 20,
  });
  return rows.map((r) => r.name);
}

/**
 * Rows written before names were kept have none, so a name also matches them through the ids it has today (a live
 * target, credential or application of that name); rows written since match on their stored name, deleted or not.
 */
async function idsNamedNow(kind: "target" | "application" | "credential", names: string[]): Promise<string[]> {
  const where = { in: names };
  const rows =
    kind === "target"
      ? await db().target.findMany({ where: { name: where }, select: { id: true }, take: 50 })
      : kind === "application"
        ? await db().application.findMany({ where: { name: where }, select: { id: true }, take: 50 })
        : await db().credential.findMany({ where: { label: where }, select: { id: true }, take: 50 });
  return rows.map((r) => r.id);
}

/**
 * The row conditions of the name filters. A name no row carries (nor anything by that name today) answers with a
 * notice saying so, instead of an empty page that reads like "nobody used it".
 */
export async function resolveNameFilter(filter: AuditNameFilter): Promise<ResolvedNameFilter> {
  const where: Prisma.AuditEventWhereInput[] = [];
  for (const kind of ["target", "application", "credential"] as const) {
    const value = filter[kind];
    if (!value) continue;
    const names = await spellingsOf(kind, value);
    const ids = await idsNamedNow(kind, names.length > 0 ? names : [value]);
    if (names.length === 0 && ids.length === 0) {
      return { where: [{ seq: -1 }], notice: unknownNameMessage(kind, value) };
    }
    const byName: Prisma.AuditEventWhereInput =
      kind === "target"
        ? { targetName: { in: names } }
        : kind === "credential"
          ? { credentialLabel: { in: names } }
          : { applicationName: { in: names } };
    const byId: Prisma.AuditEventWhereInput =
      kind === "target"
        ? { targetName: null, targetId: { in: ids } }
        : kind === "credential"
          ? { credentialLabel: null, credentialId: { in: ids } }
          : { applicationName: null, subjectType: "application", subjectId: { in: ids } };
    where.push(ids.length > 0 ? { OR: [byName, byId] } : byName);
  }
  return { where, notice: null };
}

/**
 * The notice of an actor filter that matches no row at all, asked only once a first page came back empty: the actor
 * filter is a substring of the actor's name (or its exact id), which no index serves, so the check must not run on
 * every filtered request. An actor who exists but did nothing in the other filters' range gets an ordinary empty page.
 */
export async function unknownActorNotice(actor: string): Promise<string | null> {
  const any = await db().auditEvent.findFirst({
    where: { OR: [{ actorId: actor }, { actorName: { contains: actor } }] },
    select: { seq: true },
  });
  return any ? null : unknownActorMessage(actor);
}
