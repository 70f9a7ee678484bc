import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { ZUpdateRepo, type PullRepoView, type TUpdateRepoInput } from "../schemas";
import { getRepo } from "./list-repos";
import { REPO_INCLUDE } from "./to-repo-view";

/** Changes a registered repository's settings (audited with the changed fields) and wakes its agents. */
export async function updateRepo(opts: { repoId: string; input: TUpdateRepoInput; actor: Actor; request: RequestContext }): Promise<PullRepoView> {
  const patch = ZUpdateRepo.parse(opts.input);
  let targetId: string;
  try {
    targetId = await db().$transaction(async (tx) => {
      const before = await tx.pullRepo.findUnique({ where: { id: opts.repoId }, include: REPO_INCLUDE });
      if (!before) throw new AppError("NOT_FOUND", "There is no registered repository with this id.");
      const data: Record<string, unknown> = {};
      const changed: string[] = [];
      for (const key of ["url", "branch", "path", "pollIntervalSeconds", "prune", "selfHeal"] as const) {
        if (patch[key] !== undefined && patch[key] !== before[key]) {
          data[key] = patch[key];
          changed.push(key);
        }
      }
      if (patch.imagePolicies !== undefined) {
        const json = JSON.stringify(patch.imagePolicies);
        if (json !== before.imagePolicies) {
          data.imagePolicies = json;
          changed.push("imagePolicies");
        }
      }
      if (changed.length === 0) return before.targetId;
      await tx.pullRepo.update({ where: { id: before.id }, data });
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "repo.updated",
        subjectType: "pull-repo",
        subjectId: before.id,
        targetId: before.targetId,
        details: { changed, ...Object.fromEntries(changed.filter((k) => k !== "imagePolicies").map((k) => [k, data[k]])) },
        request: opts.request,
      });
      return before.targetId;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("REPO_ALREADY_REGISTERED", "This repository, branch and path are already registered on this target.");
    throw err;
  }
  await wakeAgentsOfTarget(targetId);
  return getRepo({ repoId: opts.repoId });
}
