import "server-only";
import { commitOfRevision } from "@/lib/agent/protocol";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { branchPosition, type BranchEvent } from "../branch-position";
import { ZPinPreviewQuery, type PinPreview, type PinView, type ReportedCommit } from "../schemas";

type Reported = BranchEvent & {
  repoId: string;
  revision: string;
  message: string | null;
  authorName: string | null;
  occurredAt: Date;
};

/**
 * Every revision the agents reported for these repositories, oldest first. Only pinned repositories (or the one a
 * dialog asks about) are read, so the status of a target with many repositories does not scan their histories.
 */
async function reportedHistory(repoIds: string[]): Promise<Map<string, Reported[]>> {
  const out = new Map<string, Reported[]>();
  if (repoIds.length === 0) return out;
  const rows = await db().syncEvent.findMany({
    // A pin request's dry run names the commit someone asked to pin, not the branch's head.
    where: { repoId: { in: repoIds }, revisionSha: { not: null }, pinRequestId: null },
    orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
    select: {
      repoId: true,
      kind: true,
      trigger: true,
      result: true,
      revisionSha: true,
      revisionId: true,
      revisionMessage: true,
      revisionAuthorName: true,
      occurredAt: true,
    },
  });
  for (const r of rows) {
    const list = out.get(r.repoId) ?? [];
    list.push({
      repoId: r.repoId,
      sha: r.revisionSha ?? "",
      revision: r.revisionId ?? r.revisionSha ?? "",
      kind: r.kind,
      trigger: r.trigger,
      result: r.result,
      message: r.revisionMessage,
      authorName: r.revisionAuthorName,
      occurredAt: r.occurredAt,
    });
    out.set(r.repoId, list);
  }
  return out;
}

/** The newest report of a revision (by id, or by commit for ids without images or digest). */
function lastReport(events: Reported[], revision: string, bySha = false): ReportedCommit | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.revision === revision || e.sha === revision || (bySha && e.sha === commitOfRevision(revision)))
      return {
        revision: e.revision,
        sha: e.sha,
        message: e.message,
        authorName: e.authorName,
        reportedAt: e.occurredAt.toISOString(),
      };
  }
  return null;
}

/** Where each pinned repository's pin stands against its branch, by repository id. */
export async function pinViews(repos: { id: string; pinnedRevision: string | null }[]): Promise<Map<string, PinView>> {
  const pinned = repos.filter((r): r is { id: string; pinnedRevision: string } => r.pinnedRevision !== null);
  const history = await reportedHistory(pinned.map((r) => r.id));
  const out = new Map<string, PinView>();
  for (const r of pinned) {
    const sha = commitOfRevision(r.pinnedRevision);
    const { headSha, behind } = branchPosition(history.get(r.id) ?? [], sha);
    out.set(r.id, { revision: r.pinnedRevision, sha, branchHeadSha: headSha, behind });
  }
  return out;
}

/**
 * What pinning `revision` (or, without one, unpinning) would change, for the confirmation dialog: the live revision,
 * the one the agent would apply instead, and where both stand against the branch head.
 */
export async function previewPin(opts: { repoId: string; query: unknown }): Promise<PinPreview> {
  const q = ZPinPreviewQuery.parse(opts.query);
  const repo = await db().pullRepo.findUnique({
    where: { id: opts.repoId },
    include: { status: { select: { revision: true } }, target: { select: { requiredApprovals: true } } },
  });
  if (!repo) throw new AppError("NOT_FOUND", "There is no registered repository with this id.");
  const events = (await reportedHistory([repo.id])).get(repo.id) ?? [];
  const live = repo.status?.revision ?? null;
  const from = live ? lastReport(events, live, true) : null;
  const { headSha } = branchPosition(events, "");
  const branchHead = headSha ? lastReport(events, headSha) : null;
  let to: ReportedCommit | null;
  if (q.revision) {
    to = lastReport(events, q.revision);
    if (!to)
      throw new AppError(
        "VALIDATION_FAILED",
        "This repository's agent has never reported that revision; choose one from its sync history.",
        { fields: { revision: ["Choose a revision from the sync history."] } },
      );
  } else to = branchHead;
  const behind = (c: ReportedCommit | null) => (c ? branchPosition(events, c.sha).behind : null);
  return {
    repo: { id: repo.id, url: repo.url, branch: repo.branch, path: repo.path },
    requiredApprovals: repo.target.requiredApprovals,
    pinnedRevision: repo.pinnedRevision,
    from,
    to,
    branchHead,
    fromBehind: behind(from),
    toBehind: behind(to),
  };
}
