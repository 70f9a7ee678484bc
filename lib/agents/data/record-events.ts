import "server-only";
import {
  specDigestOfRevision,
  ZEventsRequest,
  type TDiff,
  type TEventsRequest,
  type TEventsResponse,
  type TRepoState,
  type TSyncEvent,
  type TSyncResult,
} from "@/lib/agent/protocol";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import { auditedTransaction, recordAuditEvent, recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { RequestContext } from "@/lib/audit/schemas";
import { notifyAwaitingApproval } from "@/lib/notifications/data/notify-awaiting-approval";
import { notifySyncEvent } from "@/lib/notifications/data/notify-sync-event";
import { recordDeliveryOutcome } from "@/lib/rollups/data/record-delivery-outcome";
import { leadTimeCommitAt } from "@/lib/rollups/contributions";
import { announceSyncEvents } from "@/lib/sync/live";
import { db, type Tx } from "@/lib/db";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import { pullRevisionRow } from "@/lib/deployments/pull-revision-row";
import type { DeploymentPreview } from "@/lib/deployments/schemas";
import { isUniqueViolation } from "@/lib/errors";
import {
  currentSpecDigest,
  settingsAuthorOf,
  SPEC_INCLUDE,
  stateAgainstSpec,
  type RepoSpecColumns,
} from "@/lib/repos/data/repo-specs";
import { agentActor, type AgentPrincipal } from "../with-agent-auth";
import { assertAgentScope } from "./agent-scope";

const STATE_OF_RESULT: Record<TSyncResult, TRepoState> = {
  synced: "in-sync",
  "drift-corrected": "in-sync",
  "drift-detected": "drifted",
  failed: "failed",
  "pending-approval": "pending-approval",
};

/** The revision id an event is about: the agent's `revision.id`, else the commit SHA. */
export function revisionIdOfEvent(e: TSyncEvent): string | null {
  return e.revision ? (e.revision.id ?? e.revision.sha) : null;
}

function toPreview(diff: TDiff | undefined): DeploymentPreview | null {
  if (!diff) return null;
  return {
    counts: {
      create: diff.counts.create,
      change: diff.counts.change,
      unchanged: diff.counts.unchanged,
      prune: diff.counts.prune,
      error: diff.counts.error,
    },
    objects: diff.objects.map((o) => ({
      apiVersion: o.ref.apiVersion,
      kind: o.ref.kind,
      namespace: o.ref.namespace ?? null,
      name: o.ref.name,
      action: o.action,
      changes: o.changes.map((c) => ({
        path: c.path,
        op: c.op,
        ...(c.old !== undefined ? { old: c.old } : {}),
        ...(c.new !== undefined ? { new: c.new } : {}),
      })),
      message: o.message ?? null,
    })),
  };
}

/**
 * The repository's status as of this event, unless the status already reflects something newer (a heartbeat, or a
 * later event): replayed events from the agent's buffer must not roll the status card back.
 */
async function applyStatus(tx: Tx, e: TSyncEvent, agentId: string, repo: RepoSpecColumns): Promise<void> {
  const occurredAt = new Date(e.occurredAt);
  const current = await tx.repoStatus.findUnique({
    where: { repoId: e.repoId },
    select: { updatedAt: true, revision: true },
  });
  if (current && current.updatedAt.getTime() > occurredAt.getTime()) return;
  const applied = e.result === "synced" || e.result === "drift-corrected";
  const attempt = e.kind !== "pending-approval" && e.result !== "drift-detected";
  const revision = applied ? revisionIdOfEvent(e) : (current?.revision ?? null);
  const data = {
    agentId,
    state: stateAgainstSpec(STATE_OF_RESULT[e.result], revision, repo),
    revision,
    message: e.message || null,
    updatedAt: occurredAt,
    ...(attempt ? { lastSyncAt: occurredAt } : {}),
  };
  await tx.repoStatus.upsert({ where: { repoId: e.repoId }, create: { repoId: e.repoId, ...data }, update: data });
  await recomputeApplicationStatus(tx, { repoIds: [e.repoId] });
}

/**
 * A `pending-approval` event becomes a deployment request (sourceKind `pull-revision`) that approvers decide on in
 * the same UI and under the same rule as push deployments: one per repository and revision (a replayed or repeated
 * report finds the existing one). The revision id is the digest approvals name; the commit author is recorded so
 * the author-ban holds, and so is whoever changed the repository's settings to the ones this revision is the first
 * to apply (settingsAuthorOf), banned like a requester.
 */
async function requestApproval(tx: Tx, e: TSyncEvent, agent: AgentPrincipal): Promise<void> {
  const revision = revisionIdOfEvent(e);
  if (!revision) return;
  const repo = await tx.pullRepo.findUnique({
    where: { id: e.repoId },
    include: { target: { select: { requiredApprovals: true } }, ...SPEC_INCLUDE },
  });
  if (!repo || repo.target.requiredApprovals === 0) return;
  // A revision made with settings the repository no longer has (reported before the agent saw a change) is not
  // what anyone asks for any more: the agent reports the revision of the current settings next.
  const digest = specDigestOfRevision(revision);
  if (digest !== null && digest !== currentSpecDigest(repo)) return;
  const existing = await tx.deployment.findFirst({
    where: { sourceKind: "pull-revision", pullRepoId: repo.id, revision, requestedByKind: "agent" },
    select: { id: true },
  });
  if (existing) return;
  const preview = toPreview(e.diff);
  const actor = agentActor(agent);
  const settingsAuthorId = digest === null ? null : await settingsAuthorOf(tx, { repoId: repo.id, digest });
  const d = await tx.deployment.create({
    data: {
      ...pullRevisionRow(repo, repo, revision),
      settingsAuthorId,
      objectCount: preview?.objects.length ?? 0,
      commitSha: e.revision?.sha ?? null,
      commitAuthorEmail: e.revision?.authorEmail || null,
      commitAuthorName: e.revision?.authorName || null,
      commitMessage: e.revision?.message || null,
      commitAt: e.revision?.committedAt ? new Date(e.revision.committedAt) : null,
      requestedById: agent.agentId,
      requestedByKind: "agent",
      requestedByName: actor.name,
      reason: e.message || `New revision of ${repo.url} (${repo.branch}) waits for approval.`,
      previewJson: preview ? JSON.stringify(preview) : null,
      previewedAt: new Date(e.occurredAt),
    },
    select: { id: true },
  });
  await recordAuditEvent(tx, {
    actor,
    action: "deployment.requested",
    subjectType: "deployment",
    subjectId: d.id,
    targetId: repo.targetId,
    details: {
      sourceKind: "pull-revision",
      repoId: repo.id,
      revision,
      commitSha: e.revision?.sha ?? null,
      eventId: e.id,
      ...(settingsAuthorId ? { settingsAuthorId } : {}),
    },
  });
  await notifyAwaitingApproval(tx, { deploymentId: d.id });
}

/**
 * A dry run of a person's pin request awaiting approval (ZRepoAssignment.pendingPins): its diff becomes that
 * request's preview, shown on its page as a push request's is; a dry run that failed leaves its reason as the
 * preview error. Only an open pin request of the event's repository takes it (the agent's scope is the repository),
 * and a replayed older dry run never replaces a newer one. The pin itself is untouched: it is set only once the
 * request is approved (assignments.ts applyApprovedPins). No plan digest: approvals of a pull revision name it.
 */
async function attachPinDryRun(tx: Tx, e: TSyncEvent, pinRequestId: string): Promise<void> {
  const at = new Date(e.occurredAt);
  const preview = toPreview(e.diff);
  await tx.deployment.updateMany({
    where: {
      id: pinRequestId,
      pullRepoId: e.repoId,
      sourceKind: "pull-revision",
      requestedByKind: { not: "agent" },
      state: "pending-approval",
      OR: [{ previewedAt: null }, { previewedAt: { lt: at } }],
    },
    data: {
      previewJson: preview ? JSON.stringify(preview) : null,
      previewError: preview ? null : e.message || "The agent could not dry-run this revision.",
      previewedAt: at,
      ...(preview ? { objectCount: preview.objects.length } : {}),
    },
  });
}

/**
 * The agent applied a revision: its pull requests (approved new revisions and approved pins) move through the
 * push state machine to `succeeded` (approved → queued → running → succeeded), each step audited with the agent as
 * the actor, so the deployments page shows them done.
 */
async function completeApproved(tx: Tx, e: TSyncEvent, agent: AgentPrincipal): Promise<void> {
  const revision = revisionIdOfEvent(e);
  if (!revision) return;
  const open = await tx.deployment.findMany({
    where: {
      sourceKind: "pull-revision",
      pullRepoId: e.repoId,
      revision,
      state: { in: ["approved", "queued", "running"] },
    },
    select: { id: true, state: true },
  });
  const actor = agentActor(agent);
  const at = new Date(e.occurredAt);
  for (const d of open) {
    let state = d.state;
    if (
      state === "approved" &&
      (await transitionDeployment(tx, { deploymentId: d.id, to: "queued", actor, data: { queuedAt: at } }))
    )
      state = "queued";
    if (
      state === "queued" &&
      (await transitionDeployment(tx, { deploymentId: d.id, to: "running", actor, data: { startedAt: at } }))
    )
      state = "running";
    if (state === "running") {
      await transitionDeployment(tx, {
        deploymentId: d.id,
        to: "succeeded",
        actor,
        data: {
          finishedAt: at,
          resultMessage: e.message || `Synced by ${actor.name}.`,
          appliedCount: (e.counts?.created ?? 0) + (e.counts?.changed ?? 0) + (e.counts?.unchanged ?? 0),
        },
        details: { eventId: e.id, revision },
      });
    }
  }
}

function detailsOf(e: TSyncEvent): string {
  const details: Record<string, unknown> = {};
  if (e.diff) details.diff = e.diff;
  if (e.drift) details.drift = e.drift;
  if (e.image) details.image = e.image;
  if (e.images) details.images = e.images;
  if (e.problems) details.problems = e.problems;
  if (e.revision?.committedAt) details.committedAt = e.revision.committedAt;
  return JSON.stringify(details);
}

/**
 * Stores a batch of sync events, in order, each exactly once: an id already stored counts as a duplicate and
 * changes nothing, so the agent can replay its disk buffer safely. The whole batch is refused (403, audited) when
 * any event names a target or repository outside the agent's scope. Each event is stored with its side effects
 * (repository status, approval request, completion of approved requests) in one transaction.
 */
export async function recordSyncEvents(opts: {
  agent: AgentPrincipal;
  input: TEventsRequest;
  request: RequestContext;
}): Promise<TEventsResponse> {
  const input = ZEventsRequest.parse(opts.input);
  await assertAgentScope({
    agent: opts.agent,
    claims: input.events.map((e) => ({ targetId: e.targetId, repoId: e.repoId })),
    route: "POST /api/agent/v1/events",
    request: opts.request,
  });
  const ids = input.events.map((e) => e.id);
  const known = new Set(
    ids.length
      ? (await db().syncEvent.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((r) => r.id)
      : [],
  );
  // Each event keeps its target's environment (the sync history filters on it, as the comparison counts it).
  const targetIds = [...new Set(input.events.map((e) => e.targetId))];
  const environmentOf = new Map(
    (await db().target.findMany({ where: { id: { in: targetIds } }, select: { id: true, environment: true } })).map(
      (t) => [t.id, t.environment],
    ),
  );
  // Lead time counts only commits made once a repository was registered (lib/rollups/contributions.ts).
  const repoIds = [...new Set(input.events.map((e) => e.repoId))];
  const registeredAtOf = new Map(
    (await db().pullRepo.findMany({ where: { id: { in: repoIds } }, select: { id: true, createdAt: true } })).map(
      (r) => [r.id, r.createdAt],
    ),
  );
  let accepted = 0;
  let duplicates = 0;
  for (const e of input.events) {
    if (known.has(e.id)) {
      duplicates++;
      continue;
    }
    known.add(e.id);
    try {
      // Chain lock first: the event's delivery figures lock fleet rollup rows that audited deployment transitions
      // (approving a pull revision) lock too, and the event may write audit rows itself (an approval request).
      const committedAt = leadTimeCommitAt(
        e.revision?.committedAt ? new Date(e.revision.committedAt) : null,
        registeredAtOf.get(e.repoId) ?? null,
      );
      await auditedTransaction(async (tx) => {
        await tx.syncEvent.create({
          data: {
            id: e.id,
            agentId: opts.agent.agentId,
            targetId: e.targetId,
            repoId: e.repoId,
            occurredAt: new Date(e.occurredAt),
            kind: e.kind,
            trigger: e.trigger,
            result: e.result,
            revisionSha: e.revision?.sha ?? null,
            revisionId: revisionIdOfEvent(e),
            revisionMessage: e.revision?.message || null,
            revisionAuthorName: e.revision?.authorName || null,
            revisionAuthorEmail: e.revision?.authorEmail || null,
            createdCount: e.counts?.created ?? 0,
            changedCount: e.counts?.changed ?? 0,
            unchangedCount: e.counts?.unchanged ?? 0,
            prunedCount: e.counts?.pruned ?? 0,
            durationMs: e.durationMs ?? null,
            message: e.message,
            details: detailsOf(e),
            committedAt,
            environment: environmentOf.get(e.targetId) ?? null,
            // The digest even when the text never arrives (over the cap): the record still says what was applied.
            manifestsSha256: e.manifests?.sha256 ?? null,
            manifestsBytes: e.manifests?.bytes ?? null,
            pinRequestId: e.pinRequestId ?? null,
          },
        });
        await recordDeliveryOutcome(tx, {
          kind: "sync",
          eventId: e.id,
          targetId: e.targetId,
          repoId: e.repoId,
          occurredAt: new Date(e.occurredAt),
          result: e.result,
          committedAt,
        });
        const repo = await tx.pullRepo.findUnique({
          where: { id: e.repoId },
          select: { url: true, branch: true, path: true, prune: true, imagePolicies: true, ...SPEC_INCLUDE },
        });
        if (!repo) return;
        // A pin request's dry run says nothing of what runs: it neither moves the status nor asks approval itself.
        if (e.pinRequestId) return attachPinDryRun(tx, e, e.pinRequestId);
        await applyStatus(tx, e, opts.agent.agentId, repo);
        if (e.result === "pending-approval") await requestApproval(tx, e, opts.agent);
        if (e.result === "synced" || e.result === "drift-corrected") await completeApproved(tx, e, opts.agent);
        // sync.failed / drift.detected, once per episode (see notifySyncEvent), with the event that shows it.
        await notifySyncEvent(tx, {
          id: e.id,
          repoId: e.repoId,
          targetId: e.targetId,
          occurredAt: new Date(e.occurredAt),
          result: e.result,
          revisionSha: e.revision?.sha ?? null,
          revisionId: revisionIdOfEvent(e),
          message: e.message,
          drift: e.drift ?? null,
        });
      });
      accepted++;
    } catch (err) {
      // A concurrent request stored the same event first.
      if (!isUniqueViolation(err)) throw err;
      duplicates++;
    }
  }
  // Open sync-history pages served by this process refetch now rather than on their next poll.
  if (accepted > 0) announceSyncEvents();
  if (input.dropped) {
    await recordStandaloneAuditEvent({
      actor: agentActor(opts.agent),
      action: "sync.events-dropped",
      subjectType: "agent",
      subjectId: opts.agent.agentId,
      outcome: "failure",
      details: { dropped: input.dropped },
      request: opts.request,
    });
  }
  await db().agent.update({ where: { id: opts.agent.agentId }, data: { lastSeenAt: new Date() } });
  return { accepted, duplicates };
}
