import "server-only";
import { specDigestOfRevision, ZSyncEventKind, ZSyncResult, ZSyncTrigger, type TRepoSpec } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { invalidCursorError } from "@/lib/keyset-cursor";
import { currentSpecDigest, parseSpec, SPEC_INCLUDE, specOfRow } from "@/lib/repos/data/repo-specs";
import { afterSyncCursor, decodeSyncCursor, encodeSyncCursor } from "../cursor";
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

/** The settings of a spec the history shows next to a revision: where it came from and how it was rendered. */
function specView(spec: TRepoSpec | null | undefined): SyncEventView["spec"] {
  return spec ? { url: spec.url, branch: spec.branch, path: spec.path, render: spec.render?.kind ?? "auto" } : null;
}

const specKey = (repoId: string, digest: string) => `${repoId}\u0000${digest}`;

/**
 * The spec each row's revision was synced with, by the digest its revision id ends with: the repository's current
 * settings when the digest is theirs, else its recorded spec of that digest (PullRepoSpec, one query for the page).
 * Rows whose id has no digest (agents older than spec digests) get none: Wharf cannot tell which settings made them.
 */
async function specsOfRows(
  rows: Row[],
  repos: Map<string, Parameters<typeof specOfRow>[0]>,
): Promise<Map<string, TRepoSpec>> {
  const out = new Map<string, TRepoSpec>();
  const current = new Map([...repos].map(([id, r]) => [id, currentSpecDigest(r)]));
  const wanted = new Map<string, { repoId: string; digest: string }>();
  for (const row of rows) {
    const digest = row.revisionId ? specDigestOfRevision(row.revisionId) : null;
    if (!digest) continue;
    const repo = repos.get(row.repoId);
    if (repo && current.get(row.repoId) === digest) out.set(specKey(row.repoId, digest), specOfRow(repo));
    else wanted.set(specKey(row.repoId, digest), { repoId: row.repoId, digest });
  }
  if (wanted.size === 0) return out;
  const stored = await db().pullRepoSpec.findMany({
    where: {
      repoId: { in: [...new Set([...wanted.values()].map((w) => w.repoId))] },
      digest: { in: [...new Set([...wanted.values()].map((w) => w.digest))] },
    },
    select: { repoId: true, digest: true, spec: true },
  });
  for (const r of stored) {
    const spec = parseSpec(r.spec);
    // As for the agent (specsOfRevisions): a stored spec that no longer hashes to its digest is not shown as it.
    if (spec && specDigestOf(spec) === r.digest && wanted.has(specKey(r.repoId, r.digest)))
      out.set(specKey(r.repoId, r.digest), spec);
  }
  return out;
}

/**
 * The row's revision is the one its repository runs now (the agent's last applied one): rolling back to it would
 * change nothing, so the history offers no rollback there. Ids from agents older than revision ids are bare commits.
 */
function isLive(row: Row, liveRevision: string | null): boolean {
  if (!liveRevision || !row.revisionSha) return false;
  if (row.revisionId) return row.revisionId === liveRevision;
  return row.revisionSha === liveRevision;
}

function toView(
  row: Row,
  names: Map<string, string>,
  repos: Map<string, SyncEventView["repo"]>,
  specs: Map<string, TRepoSpec>,
  live: Map<string, string | null>,
): SyncEventView {
  const details = parseDetails(row.details);
  const digest = row.revisionId ? specDigestOfRevision(row.revisionId) : null;
  const drift = (details.drift as { objects?: SyncEventView["drift"] } | undefined)?.objects ?? [];
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    agentId: row.agentId,
    target: { id: row.targetId, name: names.get(row.targetId) ?? null },
    repo: repos.get(row.repoId) ?? null,
    spec: digest ? specView(specs.get(specKey(row.repoId, digest))) : null,
    kind: ZSyncEventKind.catch("sync").parse(row.kind),
    trigger: ZSyncTrigger.catch("poll").parse(row.trigger),
    result: ZSyncResult.catch("failed").parse(row.result),
    live: isLive(row, live.get(row.repoId) ?? null),
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
    manifests: row.manifestsSha256 ? { sha256: row.manifestsSha256, bytes: row.manifestsBytes } : null,
    pinRequestId: row.pinRequestId,
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
  if (cursor) and.push(...afterSyncCursor(cursor));
  const rows = await db().syncEvent.findMany({
    where: and.length ? { AND: and } : {},
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: await syncEventViews(page),
    nextCursor: rows.length > q.limit && last ? encodeSyncCursor(last.occurredAt, last.id) : null,
  };
}

/** Sync event rows as the history and an event's page show them: names, repository, spec and whether it runs now. */
export async function syncEventViews(page: Row[]): Promise<SyncEventView[]> {
  const targetIds = [...new Set(page.map((r) => r.targetId))];
  const repoIds = [...new Set(page.map((r) => r.repoId))];
  const [targets, repos] = await Promise.all([
    targetIds.length
      ? db().target.findMany({ where: { id: { in: targetIds } }, select: { id: true, name: true } })
      : [],
    repoIds.length
      ? db().pullRepo.findMany({
          where: { id: { in: repoIds } },
          select: {
            id: true,
            url: true,
            branch: true,
            path: true,
            prune: true,
            imagePolicies: true,
            status: { select: { revision: true } },
            ...SPEC_INCLUDE,
          },
        })
      : [],
  ]);
  const names = new Map(targets.map((t) => [t.id, t.name]));
  const repoMap = new Map(repos.map((r) => [r.id, { id: r.id, url: r.url, branch: r.branch, path: r.path }]));
  const specs = await specsOfRows(page, new Map(repos.map((r) => [r.id, r])));
  const live = new Map(repos.map((r) => [r.id, r.status?.revision ?? null]));
  return page.map((r) => toView(r, names, repoMap, specs, live));
}
