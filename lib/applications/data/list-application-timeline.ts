import "server-only";
import { AUDIT_ACTION_PHRASES } from "@/lib/audit/phrases";
import { parseAuditDetails } from "@/lib/audit/views";
import { db } from "@/lib/db";
import { liveDeploymentIds } from "@/lib/deployments/data/live-deployments";
import { AppError } from "@/lib/errors";
import { decodeKeysetCursor, encodeKeysetCursor, invalidCursorError } from "@/lib/keyset-cursor";
import { parsePushDriftDetails, pushDriftManagers } from "../push-drift";
import { ZTimelineQuery, type TimelineEntry, type TimelinePage, type TimelineRollback } from "../timeline-schemas";

/**
 * The timeline merges five sources, each read with its own keyset query. The sort key is (instant, source, row id),
 * newest first; the source letter breaks ties between rows of different sources at the same instant, so the order is
 * total and a cursor names one position in it.
 */
const SOURCES = ["a", "d", "p", "r", "s"] as const; // approvals, deployments, pins (audit rows), push drift, syncs
type Source = (typeof SOURCES)[number];

interface Cursor {
  at: Date;
  source: Source;
  id: string;
}

function decodeTimelineCursor(cursor: string): Cursor | null {
  const key = decodeKeysetCursor(cursor, 3);
  if (!key) return null;
  const at = new Date(key[0]!);
  const source = key[1] as Source;
  if (Number.isNaN(at.getTime()) || !SOURCES.includes(source) || !key[2]) return null;
  return { at, source, id: key[2] };
}

/**
 * The rows of `source` strictly after the cursor in (instant desc, source desc, id desc) order: a source that sorts
 * before the cursor's may share its instant, one after may not, and the cursor's own source continues by id. The
 * redundant `lte` lets the (…, instant) index seek to the cursor instead of filtering every newer row.
 */
function after(field: string, source: Source, c: Cursor | null): Record<string, unknown> {
  if (!c) return {};
  if (source < c.source) return { [field]: { lte: c.at } };
  if (source > c.source) return { [field]: { lt: c.at } };
  return {
    AND: [{ [field]: { lte: c.at } }, { OR: [{ [field]: { lt: c.at } }, { [field]: c.at, id: { lt: c.id } }] }],
  };
}

const SYNC_TITLES: Record<string, string> = {
  synced: "Synced",
  failed: "Sync failed",
  "drift-detected": "Drift detected",
  "drift-corrected": "Drift corrected",
  "pending-approval": "New revision awaits approval",
};

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : null);

interface Candidate {
  at: Date;
  source: Source;
  /** Position in its source's page: rows of one source keep the database's order (ids compare by its collation). */
  index: number;
  rowId: string;
  entry: TimelineEntry;
}

/**
 * One page of an application's timeline: its deployments (push) and pull revision requests, rollbacks, approval
 * decisions, its repository's syncs and drift events, the drift its push status reads found (PushDriftEvent: the
 * fields with their applied → live values and the field manager that changed them), and rollback pins, newest first. Each source is one keyset query
 * of at most `limit + 1` rows on its own index (no query per entry), merged here; no cap beyond the page size.
 * An entry offers a rollback when it is an earlier succeeded deployment or synced revision that is not the live one.
 */
export async function listApplicationTimeline(opts: { applicationId: string; query: unknown }): Promise<TimelinePage> {
  const q = ZTimelineQuery.parse(opts.query);
  const cursor = q.cursor ? decodeTimelineCursor(q.cursor) : null;
  if (q.cursor && !cursor) throw invalidCursorError();
  const app = await db().application.findUnique({
    where: { id: opts.applicationId },
    select: {
      id: true,
      mode: true,
      pullRepo: { select: { id: true, status: { select: { revision: true } } } },
    },
  });
  if (!app) throw new AppError("NOT_FOUND", "There is no application with this id.");
  const take = q.limit + 1;
  const repoId = app.pullRepo?.id ?? null;
  const liveRevision = app.pullRepo?.status?.revision ?? null;

  const [deployments, approvals, syncs, pins, livePush, pushDrift] = await Promise.all([
    db().deployment.findMany({
      where: { applicationId: app.id, ...after("createdAt", "d", cursor) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
      select: {
        id: true,
        createdAt: true,
        state: true,
        sourceKind: true,
        requestedByName: true,
        requestedByKind: true,
        reason: true,
        rollbackOfId: true,
        commitSha: true,
        commitMessage: true,
        revision: true,
        pullRepoId: true,
      },
    }),
    db().deploymentApproval.findMany({
      where: { deployment: { applicationId: app.id }, ...after("createdAt", "a", cursor) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
      select: {
        id: true,
        createdAt: true,
        decision: true,
        comment: true,
        approverName: true,
        deployment: { select: { id: true, sourceKind: true, commitSha: true, revision: true } },
      },
    }),
    repoId
      ? db().syncEvent.findMany({
          where: { repoId, ...after("occurredAt", "s", cursor) },
          orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
          take,
          select: {
            id: true,
            occurredAt: true,
            kind: true,
            result: true,
            message: true,
            revisionSha: true,
            revisionId: true,
            revisionMessage: true,
          },
        })
      : Promise.resolve([]),
    repoId
      ? db().auditEvent.findMany({
          where: {
            subjectId: repoId,
            action: { in: ["repo.pinned", "repo.unpinned"] },
            ...after("at", "p", cursor),
          },
          orderBy: [{ at: "desc" }, { id: "desc" }],
          take,
          select: { id: true, at: true, action: true, actorName: true, details: true },
        })
      : Promise.resolve([]),
    app.mode === "push" ? liveDeploymentIds([app.id]).then((live) => live.get(app.id) ?? null) : Promise.resolve(null),
    app.mode === "push"
      ? db().pushDriftEvent.findMany({
          where: { applicationId: app.id, ...after("occurredAt", "r", cursor) },
          orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
          take,
          select: { id: true, occurredAt: true, deploymentId: true, message: true, details: true },
        })
      : Promise.resolve([]),
  ]);

  const candidates: Candidate[] = [];
  const push = (source: Source, rows: { id: string; at: Date; entry: TimelineEntry }[]) =>
    rows.forEach((r, index) => candidates.push({ at: r.at, source, index, rowId: r.id, entry: r.entry }));

  push(
    "d",
    deployments.map((d) => {
      const pull = d.sourceKind === "pull-revision";
      // A person asking for a pull revision is a rollback pin; the agent asking is a new revision of the branch.
      const rollbackKind = d.rollbackOfId !== null || (pull && d.requestedByKind !== "agent");
      const live = !pull && d.id === livePush;
      const rollback: TimelineRollback | null =
        !pull && app.mode === "push" && d.state === "succeeded" && !live ? { mode: "push", deploymentId: d.id } : null;
      const what = pull ? `revision ${short(d.commitSha) ?? d.revision ?? ""}`.trim() : "deployment";
      return {
        id: d.id,
        at: d.createdAt,
        entry: {
          id: `deployment:${d.id}`,
          kind: rollbackKind ? ("rollback" as const) : ("deployment" as const),
          at: d.createdAt.toISOString(),
          title: rollbackKind
            ? pull
              ? `Rollback to ${what} requested`
              : "Rollback requested"
            : pull
              ? `Approval of ${what} requested`
              : AUDIT_ACTION_PHRASES["deployment.requested"],
          actor: d.requestedByName,
          status: d.state,
          detail: d.reason,
          revision:
            d.commitSha || d.revision ? { commit: d.commitSha, id: d.revision, message: d.commitMessage } : null,
          deploymentId: d.id,
          href: `/deployments/${d.id}`,
          live,
          rollback,
        },
      };
    }),
  );
  push(
    "a",
    approvals.map((a) => ({
      id: a.id,
      at: a.createdAt,
      entry: {
        id: `approval:${a.id}`,
        kind: "approval" as const,
        at: a.createdAt.toISOString(),
        title:
          a.decision === "approved"
            ? AUDIT_ACTION_PHRASES["deployment.approval-recorded"]
            : AUDIT_ACTION_PHRASES["deployment.rejected"],
        actor: a.approverName,
        status: a.decision,
        detail: a.comment,
        revision:
          a.deployment.commitSha || a.deployment.revision
            ? { commit: a.deployment.commitSha, id: a.deployment.revision, message: null }
            : null,
        deploymentId: a.deployment.id,
        href: `/deployments/${a.deployment.id}`,
        live: false,
        rollback: null,
      },
    })),
  );
  push(
    "s",
    syncs.map((e) => {
      const drift = e.kind === "drift" || e.result === "drift-detected" || e.result === "drift-corrected";
      const applied = e.result === "synced" || e.result === "drift-corrected";
      const revision = e.revisionId ?? e.revisionSha;
      const live = applied && !!revision && revision === liveRevision;
      return {
        id: e.id,
        at: e.occurredAt,
        entry: {
          id: `sync:${e.id}`,
          kind: drift ? ("drift" as const) : ("sync" as const),
          at: e.occurredAt.toISOString(),
          title: SYNC_TITLES[e.result] ?? e.result,
          actor: null,
          status: e.result,
          detail: e.message,
          revision: e.revisionSha ? { commit: e.revisionSha, id: e.revisionId, message: e.revisionMessage } : null,
          deploymentId: null,
          href: `/sync?repoId=${encodeURIComponent(repoId ?? "")}`,
          live,
          rollback: applied && revision && !live && repoId ? { mode: "pull" as const, repoId, revision } : null,
        },
      };
    }),
  );
  push(
    "r",
    pushDrift.map((e) => {
      // Who changed it: the field managers the read found owning the drifted values.
      const managers = pushDriftManagers(parsePushDriftDetails(e.details));
      return {
        id: e.id,
        at: e.occurredAt,
        entry: {
          id: `push-drift:${e.id}`,
          kind: "drift" as const,
          at: e.occurredAt.toISOString(),
          title: SYNC_TITLES["drift-detected"]!,
          actor: managers.length ? managers.join(", ") : null,
          status: "drift-detected",
          detail: e.message,
          revision: null,
          deploymentId: e.deploymentId,
          href: `/deployments/${e.deploymentId}`,
          live: false,
          rollback: null,
        },
      };
    }),
  );
  push(
    "p",
    pins.map((p) => {
      const details = parseAuditDetails(p.details);
      const revision = typeof details.revision === "string" ? details.revision : null;
      const reason = typeof details.reason === "string" ? details.reason : "";
      return {
        id: p.id,
        at: p.at,
        entry: {
          id: `pin:${p.id}`,
          kind: "pin" as const,
          at: p.at.toISOString(),
          title:
            p.action === "repo.pinned" ? AUDIT_ACTION_PHRASES["repo.pinned"] : AUDIT_ACTION_PHRASES["repo.unpinned"],
          actor: p.actorName,
          status: null,
          detail: reason,
          revision: revision ? { commit: null, id: revision, message: null } : null,
          deploymentId: null,
          href: repoId ? `/sync?repoId=${encodeURIComponent(repoId)}` : null,
          live: false,
          rollback: null,
        },
      };
    }),
  );

  // Newest first; at one instant, the later source letter first; within a source, the database's order.
  candidates.sort(
    (x, y) =>
      y.at.getTime() - x.at.getTime() || (x.source === y.source ? x.index - y.index : x.source < y.source ? 1 : -1),
  );
  const page = candidates.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((c) => c.entry),
    nextCursor:
      candidates.length > q.limit && last ? encodeKeysetCursor([last.at.toISOString(), last.source, last.rowId]) : null,
  };
}
