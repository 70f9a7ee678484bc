import "server-only";
import { ZSyncEventKind, ZSyncResult, ZSyncTrigger } from "@/lib/agent/protocol";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { invalidCursorError } from "@/lib/keyset-cursor";
import { decodeSyncCursor, encodeSyncCursor } from "../cursor";
import { ZSyncEventListQuery, type SyncEventPage, type SyncEventView } from "../schemas";

type Row = Prisma.SyncEventGetPayload<object>;

function parseDetails(stored: string): Record<string, unknown> {
  try {
    const v = JSON.parse(stored) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toView(row: Row, names: Map<string, string>, repos: Map<string, SyncEventView["repo"]>): SyncEventView {
  const details = parseDetails(row.details);
  const drift = (details.drift as { objects?: SyncEventView["drift"] } | undefined)?.objects ?? [];
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    agentId: row.agentId,
    target: { id: row.targetId, name: names.get(row.targetId) ?? null },
    repo: repos.get(row.repoId) ?? null,
    kind: ZSyncEventKind.catch("sync").parse(row.kind),
    trigger: ZSyncTrigger.catch("poll").parse(row.trigger),
    result: ZSyncResult.catch("failed").parse(row.result),
    revision: row.revisionSha
      ? {
          sha: row.revisionSha,
          id: row.revisionId,
          message: row.revisionMessage,
          authorName: row.revisionAuthorName,
          authorEmail: row.revisionAuthorEmail,
        }
      : null,
    counts: {
      created: row.createdCount,
      changed: row.changedCount,
      unchanged: row.unchangedCount,
      pruned: row.prunedCount,
    },
    durationMs: row.durationMs,
    message: row.message,
    image: (details.image as SyncEventView["image"]) ?? null,
    problems: ((details.problems as SyncEventView["problems"]) ?? []).slice(0, 50),
    drift: drift.slice(0, 50),
  };
}

/**
 * Sync history across targets, newest first, with keyset pagination over (occurredAt, id) so pages neither skip nor
 * repeat rows while agents keep reporting. Filters: target, its environment, repository, result(s), trigger, a half-open
 * time range [from, to) on occurredAt (the instant the comparison counts an event on), and the comparison's row sets:
 * recoveries (time to restore) and events with a known commit time (lead time).
 */
export async function listSyncEvents(query: unknown): Promise<SyncEventPage> {
  const q = ZSyncEventListQuery.parse(query);
  const cursor = q.cursor ? decodeSyncCursor(q.cursor) : null;
  if (q.cursor && !cursor) throw invalidCursorError();
  const and: Prisma.SyncEventWhereInput[] = [];
  if (q.targetId) and.push({ targetId: q.targetId });
  if (q.repoId) and.push({ repoId: q.repoId });
  if (q.result?.length) and.push(q.result.length === 1 ? { result: q.result[0] } : { result: { in: q.result } });
  if (q.trigger) and.push({ trigger: q.trigger });
  if (q.from) and.push({ occurredAt: { gte: q.from } });
  if (q.to) and.push({ occurredAt: { lt: q.to } });
  if (q.environment) and.push({ environment: q.environment });
  if (q.recovery) and.push({ outageStartedAt: { not: null } });
  if (q.withCommitTime) and.push({ committedAt: { not: null } });
  // The redundant `lte` bound lets the (occurredAt, id) index seek to the cursor; the OR alone is only a filter, so a
  // deep page would walk every newer row first (PostgreSQL: "Rows Removed by Filter").
  if (cursor)
    and.push(
      { occurredAt: { lte: cursor.occurredAt } },
      { OR: [{ occurredAt: { lt: cursor.occurredAt } }, { occurredAt: cursor.occurredAt, id: { lt: cursor.id } }] },
    );
  const rows = await db().syncEvent.findMany({
    where: and.length ? { AND: and } : {},
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const targetIds = [...new Set(page.map((r) => r.targetId))];
  const repoIds = [...new Set(page.map((r) => r.repoId))];
  const [targets, repos] = await Promise.all([
    targetIds.length
      ? db().target.findMany({ where: { id: { in: targetIds } }, select: { id: true, name: true } })
      : [],
    repoIds.length
      ? db().pullRepo.findMany({
          where: { id: { in: repoIds } },
          select: { id: true, url: true, branch: true, path: true },
        })
      : [],
  ]);
  const names = new Map(targets.map((t) => [t.id, t.name]));
  const repoMap = new Map(repos.map((r) => [r.id, r]));
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toView(r, names, repoMap)),
    nextCursor: rows.length > q.limit && last ? encodeSyncCursor(last.occurredAt, last.id) : null,
  };
}
