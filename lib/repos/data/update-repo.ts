import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { ZCheckedImagePolicies } from "@/lib/agent/tag-pattern";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { ZUpdateRepo, type PullRepoView, type TUpdateRepoInput } from "../schemas";
import { repoKey } from "../url";
import { getRepo } from "./list-repos";
import { currentSpecDigest, recordRepoSpec, specOfRow } from "./repo-specs";
import { REPO_INCLUDE } from "./to-repo-view";

/** ZUpdateRepo with every tag pattern checked against RE2 (server-side: the form's copy of ZUpdateRepo carries no re2js). */
const ZUpdateRepoChecked = ZUpdateRepo.extend({ imagePolicies: ZCheckedImagePolicies.optional() });

/**
 * Changes a registered repository's settings (audited with the changed fields) and wakes its agents. A change to
 * what the agent would apply (URL, branch, path, prune, image policies: the spec) is a new desired revision: the new
 * spec is recorded by digest, and the repository reads out-of-sync until the agent applies a revision made with it.
 * On a target that requires approvals that revision waits for approval like a new commit, and the agent keeps the
 * last approved revision with the spec it was approved with (lib/agents/data/assignments.ts serves that spec).
 */
export async function updateRepo(opts: {
  repoId: string;
  input: TUpdateRepoInput;
  /** The user making the change (an API token's owner): the author of a new spec, banned from approving it. */
  changedById: string;
  actor: Actor;
  request: RequestContext;
}): Promise<PullRepoView> {
  const patch = ZUpdateRepoChecked.parse(opts.input);
  let targetId: string;
  try {
    targetId = await db().$transaction(async (tx) => {
      const before = await tx.pullRepo.findUnique({
        where: { id: opts.repoId },
        include: { ...REPO_INCLUDE, target: { select: { requiredApprovals: true } } },
      });
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
      if (patch.url !== undefined && data.url !== undefined) data.repoKey = repoKey(patch.url);
      const after = await tx.pullRepo.update({ where: { id: before.id }, data });
      const previousDigest = currentSpecDigest(before);
      const specDigest = currentSpecDigest(after);
      const specChanged = specDigest !== previousDigest;
      if (specChanged) {
        const requiresApproval = before.target.requiredApprovals > 0;
        // The spec before the change too: a repository registered before specs were recorded has no row for it yet,
        // and its revisions still name it.
        await recordRepoSpec(tx, { repoId: before.id, spec: specOfRow(before), createdById: null });
        await recordRepoSpec(tx, { repoId: before.id, spec: specOfRow(after), createdById: opts.changedById });
        await tx.repoStatus.updateMany({
          where: { repoId: before.id },
          data: {
            state: "out-of-sync",
            message: requiresApproval
              ? `Settings changed (${changed.join(", ")}): the new revision waits for approval; the approved revision stays applied.`
              : `Settings changed (${changed.join(", ")}): the agent re-syncs.`,
            updatedAt: new Date(),
          },
        });
      }
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "repo.updated",
        subjectType: "pull-repo",
        subjectId: before.id,
        targetId: before.targetId,
        details: {
          changed,
          ...Object.fromEntries(changed.filter((k) => k !== "imagePolicies").map((k) => [k, data[k]])),
          ...(specChanged ? { specDigest, previousSpecDigest: previousDigest } : {}),
        },
        request: opts.request,
      });
      return before.targetId;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError(
        "REPO_ALREADY_REGISTERED",
        "This repository, branch and path are already registered on this target.",
      );
    throw err;
  }
  await wakeAgentsOfTarget(targetId);
  return getRepo({ repoId: opts.repoId });
}
