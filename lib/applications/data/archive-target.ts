import "server-only";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { wakeAgentsEverywhere } from "@/lib/agents/data/agent-wake";
import { db } from "@/lib/db";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import { removeRepoRow } from "@/lib/repos/data/remove-repo";
import { LIVE_APPLICATION, targetArchivedError } from "@/lib/targets/live";
import { assertTargetDeletable } from "@/lib/targets/data/assert-target-deletable";
import { getTargetRow } from "@/lib/targets/data/get-target";
import { archiveApplicationRow } from "./archive-application";

export interface DeleteTargetOptions {
  id: string;
  actor: Actor;
  request: RequestContext;
}

/**
 * Deletes a target by archiving it (here, not in lib/targets: it reaches into the delivery domains built on targets), in one transaction with its audit rows: its deployments, approvals and their
 * audit links stay readable (marked deleted), while everything that could still reach its cluster goes.
 * - Its credentials (active and history) are deleted, so their ciphertext is gone: `credential.deleted` each.
 * - Its webhook bindings (and their sealed secrets) and pull repository registrations are removed, its
 *   applications archived (archiveApplicationRow), its agents no longer serve it, and requests still awaiting
 *   approval are cancelled.
 * - The row gets archivedAt/By and archivedKey = id, which frees its name for a new target.
 * Objects already in the cluster stay there, as they always did. 404 when the id is unknown, 409 TARGET_ARCHIVED when
 * it was deleted already; `assertTargetDeletable` refuses while a deployment waits to run or runs.
 */
export async function deleteTarget({ id, actor, request }: DeleteTargetOptions): Promise<void> {
  const agentIds = await db().$transaction(async (tx) => {
    const target = await getTargetRow({ id }, tx);
    if (target.archivedAt) throw targetArchivedError(target);
    await assertTargetDeletable(tx, target);
    const reason = `The target ${target.name} was deleted.`;

    const credentials = await tx.credential.findMany({
      where: { targetId: id },
      select: { id: true, fingerprint: true, kind: true, state: true, label: true },
      orderBy: { createdAt: "asc" },
    });
    await tx.credential.deleteMany({ where: { targetId: id } });
    // The rows (and the secret material in them) are gone; each one's end is still a credential event an auditor finds.
    for (const c of credentials) {
      await recordAuditEvent(tx, {
        actor,
        action: "credential.deleted",
        subjectType: "credential",
        subjectId: c.id,
        targetId: id,
        credentialId: c.id,
        details: {
          kind: c.kind,
          state: c.state,
          fingerprint: c.fingerprint,
          ...(c.label ? { label: c.label } : {}),
          targetName: target.name,
          reason: "target deleted",
        },
        request,
      });
    }

    // Pending requests can no longer be approved into a run on a deleted target.
    const pending = await tx.deployment.findMany({
      where: { targetId: id, state: "pending-approval", NOT: { sourceKind: "pull-revision" } },
      select: { id: true },
    });
    for (const d of pending) {
      await transitionDeployment(tx, {
        deploymentId: d.id,
        to: "cancelled",
        actor,
        request,
        data: { finishedAt: new Date(), resultMessage: reason },
      });
    }

    const applications = await tx.application.findMany({
      where: { targetId: id, ...LIVE_APPLICATION },
      select: { id: true },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    for (const a of applications) await archiveApplicationRow(tx, { id: a.id, actor, request, reason });
    // Bindings and repositories of no application (rows from before applications) go the same way.
    const bindings = await tx.repoBinding.findMany({
      where: { targetId: id },
      select: { id: true, repoUrl: true, branch: true, path: true },
    });
    for (const b of bindings) {
      await tx.repoBinding.delete({ where: { id: b.id } });
      await recordAuditEvent(tx, {
        actor,
        action: "repo-binding.deleted",
        subjectType: "repo-binding",
        subjectId: b.id,
        targetId: id,
        details: { repoUrl: b.repoUrl, branch: b.branch, path: b.path, reason: "target deleted" },
        request,
      });
    }
    const repos = await tx.pullRepo.findMany({ where: { targetId: id }, select: { id: true } });
    for (const r of repos) await removeRepoRow(tx, { repoId: r.id, actor, request, reason });
    const agents = await tx.agentTarget.findMany({ where: { targetId: id }, select: { agentId: true } });
    await tx.agentTarget.deleteMany({ where: { targetId: id } });

    await tx.target.update({
      where: { id },
      data: { archivedAt: new Date(), archivedById: actor.id, archivedByName: actor.name, archivedKey: id },
    });
    await recordAuditEvent(tx, {
      actor,
      action: "target.deleted",
      subjectType: "target",
      subjectId: id,
      targetId: id,
      details: {
        name: target.name,
        mode: target.mode,
        environment: target.environment,
        archived: true,
        credentialsDeleted: credentials.length,
        applicationsArchived: applications.length,
        requestsCancelled: pending.length,
        agentsUnassigned: agents.length,
      },
      request,
    });
    return agents.map((a) => a.agentId);
  });
  // Its agents drop the target from their assignments on their next poll; wake them so it is now.
  if (agentIds.length) await wakeAgentsEverywhere(agentIds);
}
