import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format/date";
import { manifestsTextOf } from "../stored-manifests";
import { ZRollbackInput, type DeploymentView, type TRollbackInput } from "../schemas";
import { createDeploymentRequest, type RequestPrincipal } from "./request-deployment";

/**
 * Rolls a target back to a past deployment that succeeded: a new request with exactly those manifests (and, for a
 * Git source, the same commit and author, so the author ban still holds), through the same approval rule. An admin
 * may declare an emergency with a reason: approvals are skipped and the reason is recorded on the deployment and in
 * the audit trail. A deployment that stopped in `plan-changed` is requested again the same way (no emergency: its
 * approvers approved another plan): the new request gets its own preview of the plan as it is now, and approvals.
 */
export async function rollbackDeployment(opts: {
  deploymentId: string;
  input: TRollbackInput;
  actor: Actor;
  principal: RequestPrincipal;
  request: RequestContext;
}): Promise<DeploymentView> {
  const input = ZRollbackInput.parse(opts.input);
  const source = await db().deployment.findUnique({ where: { id: opts.deploymentId } });
  if (!source) throw new AppError("NOT_FOUND", "There is no deployment with this id.");
  if (source.sourceKind === "pull-revision") {
    throw new AppError(
      "DEPLOYMENT_STATE_CONFLICT",
      "Pull targets roll back by pinning an earlier revision of the repository (POST /api/repos/:id/pin), which goes through the same approval rule.",
    );
  }
  const again = source.state === "plan-changed";
  if (source.state !== "succeeded" && !again) {
    throw new AppError(
      "DEPLOYMENT_STATE_CONFLICT",
      `Only a deployment that succeeded can be rolled back to; this one is ${source.state}.`,
    );
  }
  if (again && input.emergency) {
    throw new AppError(
      "DEPLOYMENT_STATE_CONFLICT",
      "A deployment whose plan changed is requested again with a fresh preview and approvals, not as an emergency.",
    );
  }
  if (input.emergency && opts.principal.role !== "admin") {
    throw new AppError("FORBIDDEN", "Only admins may declare an emergency and skip approvals.");
  }
  const git =
    source.sourceKind === "git" && source.gitUrl && source.commitSha
      ? {
          url: source.gitUrl,
          ref: source.gitRef ?? source.commitSha,
          path: source.gitPath ?? ".",
          commitSha: source.commitSha,
          authorName: source.commitAuthorName,
          authorEmail: source.commitAuthorEmail,
          message: source.commitMessage,
          committedAt: source.commitAt,
        }
      : undefined;
  return createDeploymentRequest({
    targetId: source.targetId,
    source: { kind: git ? "git" : "manifests", manifests: manifestsTextOf(source), ...(git ? { git } : {}) },
    reason:
      input.reason ||
      (again
        ? `Request again deployment ${source.id}, whose plan changed after approval`
        : `Roll back to deployment ${source.id} (${formatDateTime(source.createdAt)})`),
    ...(input.emergency ? { emergency: input.emergency } : {}),
    ...(again ? {} : { rollbackOfId: source.id }),
    // The rollback is a deployment of the same application (its ApplySet and its prune baseline).
    ...(source.applicationId ? { applicationId: source.applicationId } : {}),
    actor: opts.actor,
    principal: opts.principal,
    request: opts.request,
  });
}
