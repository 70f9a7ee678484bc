import "server-only";
import type { Principal } from "@/lib/api/with-auth";
import { specDigestOfRevision } from "@/lib/agent/protocol";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { ZPinRepo, type PinResult, type TPinRepoInput } from "../schemas";
import { getRepo } from "./list-repos";
import { parseSpec } from "./repo-specs";
import { cancelOpenPins, requestPinInTx } from "./request-pin";

/**
 * Rollback for pull targets: pins a repository to an earlier revision (one its agent has reported before, so the
 * commit and its author are known), or unpins it (`revision: null`) so it follows its branch again.
 * - Target without approvals: the pin takes effect now (`repo.pinned`) and the agents are woken.
 * - Target requiring approvals: a `pull-revision` deployment request is created, requested by the caller, with the
 *   commit's author recorded; approvers decide it in the deployments UI under the same rule (requester and commit
 *   author banned). Once approved, the next assignments read puts the pin in force.
 * Unpinning never needs approval (new revisions of the branch still do); it cancels pin requests still open.
 */
export async function pinRepo(opts: {
  repoId: string;
  input: TPinRepoInput;
  principal: Principal;
  actor: Actor;
  request: RequestContext;
}): Promise<PinResult> {
  const input = ZPinRepo.parse(opts.input);
  const result = await db().$transaction(
    async (tx): Promise<{ outcome: PinResult["outcome"]; deploymentId: string | null; targetId: string }> => {
      const repo = await tx.pullRepo.findUnique({
        where: { id: opts.repoId },
        include: { target: { select: { id: true, name: true, requiredApprovals: true } } },
      });
      if (!repo) throw new AppError("NOT_FOUND", "There is no registered repository with this id.");

      if (input.revision === null) {
        await cancelOpenPins(tx, {
          repoId: repo.id,
          why: "The repository was unpinned.",
          actor: opts.actor,
          request: opts.request,
        });
        await tx.pullRepo.update({ where: { id: repo.id }, data: { pinnedRevision: null } });
        await recordAuditEvent(tx, {
          actor: opts.actor,
          action: "repo.unpinned",
          subjectType: "pull-repo",
          subjectId: repo.id,
          targetId: repo.targetId,
          details: { previous: repo.pinnedRevision, ...(input.reason ? { reason: input.reason } : {}) },
          request: opts.request,
        });
        return { outcome: "unpinned", deploymentId: null, targetId: repo.targetId };
      }

      const seen = await tx.syncEvent.findFirst({
        where: { repoId: repo.id, OR: [{ revisionId: input.revision }, { revisionSha: input.revision }] },
        orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
      });
      if (!seen) {
        throw new AppError(
          "VALIDATION_FAILED",
          "This repository's agent has never reported that revision; choose one from its sync history.",
          {
            fields: { revision: ["Choose a revision from the sync history."] },
          },
        );
      }
      const revision = input.revision;
      // The request shows where the pinned revision came from: the spec it was made with, when recorded.
      const digest = specDigestOfRevision(revision);
      const stored = digest
        ? await tx.pullRepoSpec.findUnique({
            where: { repoId_digest: { repoId: repo.id, digest } },
            select: { spec: true },
          })
        : null;
      const source = (stored ? parseSpec(stored.spec) : null) ?? repo;
      const pinned = await requestPinInTx(tx, {
        repo,
        revision,
        source,
        commit: {
          sha: seen.revisionSha,
          authorEmail: seen.revisionAuthorEmail,
          authorName: seen.revisionAuthorName,
          message: seen.revisionMessage,
        },
        reason: input.reason || `Roll back ${repo.url} (${repo.branch}) to ${revision}.`,
        principal: opts.principal,
        actor: opts.actor,
        request: opts.request,
        details:
          repo.target.requiredApprovals === 0 ? (input.reason ? { reason: input.reason } : {}) : { rollbackPin: true },
        withoutApprovals: "pin",
      });
      return {
        outcome: pinned.outcome === "pinned" ? "pinned" : "pending-approval",
        deploymentId: pinned.deploymentId,
        targetId: repo.targetId,
      };
    },
  );
  await wakeAgentsOfTarget(result.targetId);
  return { repo: await getRepo({ repoId: opts.repoId }), outcome: result.outcome, deploymentId: result.deploymentId };
}
