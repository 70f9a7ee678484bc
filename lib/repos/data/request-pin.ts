import "server-only";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import type { Tx } from "@/lib/db";
import { approveAndQueue } from "@/lib/deployments/data/queue-deployment";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import { pullRevisionRow } from "@/lib/deployments/pull-revision-row";
import { notifyAwaitingApproval, type PromotionNotice } from "@/lib/notifications/data/notify-awaiting-approval";

/** The repository a pin is for, with the approval rule of its target. */
export interface PinRepoRow {
  id: string;
  targetId: string;
  applicationId: string | null;
  url: string;
  branch: string;
  pinnedRevision: string | null;
  target: { requiredApprovals: number };
}

/** The commit a pinned revision applies, as an agent reported it (its author may not approve the request). */
export interface PinCommit {
  sha: string | null;
  authorEmail: string | null;
  authorName: string | null;
  message: string | null;
}

export interface RequestPinOptions {
  repo: PinRepoRow;
  /** The revision id the agent is to apply (`<sha>[+images]@<spec digest>`). */
  revision: string;
  /** The settings the revision is made with (repository, branch, folder), shown on the request. */
  source: { url: string; branch: string; path: string };
  commit: PinCommit;
  reason: string;
  principal: { userId: string; kind: string };
  actor: Actor;
  request: RequestContext;
  /** What the pin is for, added to the `deployment.requested` (or `repo.pinned`) audit row: rollbackPin, promotion… */
  details: Record<string, unknown>;
  /**
   * On a target that needs no approval: `pin` puts the pin in force now, with no request (a rollback pin, as before
   * requests existed); `request` still records the request (a promotion's history shows it) and approves it through
   * approveAndQueue, so the agent's next assignments read pins it exactly as an approved one.
   */
  withoutApprovals: "pin" | "request";
  /** The awaiting-approval notice says it is a promotion (from where to where) and links the application. */
  promotion?: PromotionNotice;
}

export interface PinRequestOutcome {
  outcome: "pinned" | "pending-approval" | "approved";
  deploymentId: string | null;
}

/**
 * Cancels a repository's pin requests that are still open (a person's; a newer pin or an unpin replaces them), or
 * with `agentRequests` its agent's revision requests too (the repository is removed). Inside the caller's
 * transaction; returns how many were cancelled.
 */
export async function cancelOpenPins(
  tx: Tx,
  opts: { repoId: string; why: string; actor: Actor; request: RequestContext; agentRequests?: boolean },
): Promise<number> {
  const open = await tx.deployment.findMany({
    where: {
      sourceKind: "pull-revision",
      pullRepoId: opts.repoId,
      ...(opts.agentRequests ? {} : { requestedByKind: { not: "agent" } }),
      state: { in: ["pending-approval", "approved", "queued"] },
    },
    select: { id: true },
  });
  for (const d of open) {
    await transitionDeployment(tx, {
      deploymentId: d.id,
      to: "cancelled",
      actor: opts.actor,
      request: opts.request,
      data: { finishedAt: new Date(), resultMessage: opts.why },
    });
  }
  return open.length;
}

/**
 * The one way a person asks a pull application's agent to apply a given revision instead of following its branch
 * (rollback to any revision, promotion from the previous environment): the repository's open pin requests are
 * replaced, then on a target requiring approvals a `pull-revision` deployment request waits for them under the same
 * rule as any other (requester and commit author banned), approvers hear of it, and once approved the next
 * assignments read puts the pin in force (lib/agents/data/assignments.ts). Nothing here approves past the rule:
 * without approvals required the pin is either set now or approved by approveAndQueue, as a push request would be.
 * Runs inside the caller's transaction; the caller wakes the target's agents after the commit.
 */
export async function requestPinInTx(tx: Tx, opts: RequestPinOptions): Promise<PinRequestOutcome> {
  const { repo, revision } = opts;
  await cancelOpenPins(tx, {
    repoId: repo.id,
    why: `Replaced by a pin to ${revision}.`,
    actor: opts.actor,
    request: opts.request,
  });

  if (repo.target.requiredApprovals === 0 && opts.withoutApprovals === "pin") {
    await tx.pullRepo.update({ where: { id: repo.id }, data: { pinnedRevision: revision } });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "repo.pinned",
      subjectType: "pull-repo",
      subjectId: repo.id,
      targetId: repo.targetId,
      details: { revision, previous: repo.pinnedRevision, via: "direct", ...opts.details },
      request: opts.request,
    });
    return { outcome: "pinned", deploymentId: null };
  }

  const d = await tx.deployment.create({
    data: {
      ...pullRevisionRow(repo, opts.source, revision),
      objectCount: 0,
      commitSha: opts.commit.sha,
      commitAuthorEmail: opts.commit.authorEmail,
      commitAuthorName: opts.commit.authorName,
      commitMessage: opts.commit.message?.slice(0, 4000) ?? null,
      requestedById: opts.principal.userId,
      requestedByKind: opts.principal.kind,
      requestedByName: opts.actor.name,
      reason: opts.reason,
    },
    select: { id: true },
  });
  await recordAuditEvent(tx, {
    actor: opts.actor,
    action: "deployment.requested",
    subjectType: "deployment",
    subjectId: d.id,
    targetId: repo.targetId,
    details: {
      sourceKind: "pull-revision",
      repoId: repo.id,
      revision,
      commitSha: opts.commit.sha,
      previous: repo.pinnedRevision,
      ...opts.details,
    },
    request: opts.request,
  });
  if (repo.target.requiredApprovals === 0) {
    const outcome = await approveAndQueue(tx, {
      deploymentId: d.id,
      actor: opts.actor,
      request: opts.request,
      details: { requiredApprovals: 0 },
    });
    return { outcome: outcome === "approved" ? "approved" : "pending-approval", deploymentId: d.id };
  }
  await notifyAwaitingApproval(tx, { deploymentId: d.id, ...(opts.promotion ? { promotion: opts.promotion } : {}) });
  return { outcome: "pending-approval", deploymentId: d.id };
}
