import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { PullRepoView } from "../schemas";
import { pinViews } from "./pin-state";
import { REPO_INCLUDE, toRepoView } from "./to-repo-view";

/** Rollback pins still waiting for approval, by repository. */
async function pendingPins(repoIds: string[]): Promise<Map<string, { deploymentId: string; revision: string }>> {
  if (repoIds.length === 0) return new Map();
  const rows = await db().deployment.findMany({
    where: {
      sourceKind: "pull-revision",
      requestedByKind: { not: "agent" },
      state: "pending-approval",
      pullRepoId: { in: repoIds },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, pullRepoId: true, revision: true },
  });
  const out = new Map<string, { deploymentId: string; revision: string }>();
  for (const r of rows)
    if (r.pullRepoId && r.revision && !out.has(r.pullRepoId))
      out.set(r.pullRepoId, { deploymentId: r.id, revision: r.revision });
  return out;
}

/** The repositories registered on a target, oldest first, with their last reported status. 404 for an unknown target. */
export async function listRepos(opts: { targetId: string }): Promise<PullRepoView[]> {
  const target = await db().target.findUnique({ where: { id: opts.targetId }, select: { id: true } });
  if (!target) throw new AppError("NOT_FOUND", "No target with this id exists.");
  const rows = await db().pullRepo.findMany({
    where: { targetId: opts.targetId },
    include: REPO_INCLUDE,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const [pins, positions] = await Promise.all([pendingPins(rows.map((r) => r.id)), pinViews(rows)]);
  return rows.map((r) => toRepoView(r, pins.get(r.id) ?? null, positions.get(r.id) ?? null));
}

/** One repository; 404 when unknown. */
export async function getRepo(opts: { repoId: string }): Promise<PullRepoView> {
  const row = await db().pullRepo.findUnique({ where: { id: opts.repoId }, include: REPO_INCLUDE });
  if (!row) throw new AppError("NOT_FOUND", "There is no registered repository with this id.");
  const [pins, positions] = await Promise.all([pendingPins([row.id]), pinViews([row])]);
  return toRepoView(row, pins.get(row.id) ?? null, positions.get(row.id) ?? null);
}
