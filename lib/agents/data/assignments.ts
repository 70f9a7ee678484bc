import "server-only";
import { createHash } from "node:crypto";
import { LONG_POLL_TIMEOUT_MS, type TAssignments, type TTargetAssignment } from "@/lib/agent/protocol";
import { recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import { db } from "@/lib/db";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import { AppError } from "@/lib/errors";
import type { RequestTiming } from "@/lib/metrics/timed-route";
import { renderOfStored, specsOfRevisions } from "@/lib/repos/data/repo-specs";
import { parseImagePolicies } from "@/lib/repos/data/to-repo-view";
import { parseAllowedNamespaces } from "@/lib/targets/data/to-target-view";
import { LIVE_TARGET } from "@/lib/targets/live";
import { longPoll } from "@/lib/wake/long-poll";
import { agentActor, type AgentPrincipal } from "../with-agent-auth";

/** Deployment states in which a pull revision counts as approved for the agent to apply. */
export const APPROVED_PULL_STATES = ["approved", "queued", "running", "succeeded"];
/**
 * Puts approved rollback pins in force: a pin request (a `pull-revision` deployment requested by a person) that the
 * approval rule has approved sets the repository's `pinnedRevision` and moves on to `queued` (handed to the agent).
 * Runs where assignments are built, so it happens whichever process recorded the approval.
 */
async function applyApprovedPins(agent: AgentPrincipal, repoIds: string[]): Promise<void> {
  if (repoIds.length === 0) return;
  const pins = await db().deployment.findMany({
    where: {
      sourceKind: "pull-revision",
      state: "approved",
      requestedByKind: { not: "agent" },
      pullRepoId: { in: repoIds },
    },
    orderBy: [{ approvedAt: "asc" }, { id: "asc" }],
    select: { id: true, pullRepoId: true, revision: true, targetId: true },
  });
  for (const pin of pins) {
    if (!pin.pullRepoId || !pin.revision) continue;
    await db().$transaction(async (tx) => {
      const moved = await transitionDeployment(tx, {
        deploymentId: pin.id,
        to: "queued",
        from: ["approved"],
        actor: agentActor(agent),
        data: { queuedAt: new Date() },
        details: { handedTo: "agent", pinnedRevision: pin.revision },
      });
      if (!moved) return;
      await tx.pullRepo.update({ where: { id: pin.pullRepoId! }, data: { pinnedRevision: pin.revision } });
      await recordAuditEvent(tx, {
        actor: agentActor(agent),
        action: "repo.pinned",
        subjectType: "pull-repo",
        subjectId: pin.pullRepoId,
        targetId: pin.targetId,
        details: { revision: pin.revision, deploymentId: pin.id, via: "approval" },
      });
    });
  }
}

/**
 * What the agent must do now: its pull targets, their repositories, approved and pinned revisions, notify
 * counters. `version` is a digest of all of it, so any change the agent must act on changes the version. Reads the
 * agent's targets afresh (a target added or removed takes effect on the next poll) and refuses a revoked agent or a
 * credential rotated away since the request was authenticated (a long poll outlives its authentication).
 */
export async function buildAssignments(agent: AgentPrincipal): Promise<Omit<TAssignments, "changed">> {
  const row = await db().agent.findUnique({
    where: { id: agent.agentId },
    select: { id: true, name: true, revokedAt: true, credentialHash: true, targets: { select: { targetId: true } } },
  });
  if (!row || row.revokedAt) throw new AppError("AGENT_UNAUTHENTICATED", "This agent has been revoked.");
  if (row.credentialHash !== agent.credentialHash)
    throw new AppError("AGENT_UNAUTHENTICATED", "This agent credential has been replaced.");
  const targetIds = row.targets.map((t) => t.targetId);
  const scoped: AgentPrincipal = { ...agent, targetIds };

  const repoIds = (await db().pullRepo.findMany({ where: { targetId: { in: targetIds } }, select: { id: true } })).map(
    (r) => r.id,
  );
  await applyApprovedPins(scoped, repoIds);

  const targets = await db().target.findMany({
    where: { id: { in: targetIds }, mode: "pull", ...LIVE_TARGET },
    orderBy: [{ name: "asc" }],
    include: {
      pullRepos: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        include: { application: { select: { inventoryKey: true, renderOptions: true } } },
      },
    },
  });
  const approved = repoIds.length
    ? await db().deployment.findMany({
        where: {
          sourceKind: "pull-revision",
          requestedByKind: "agent",
          state: { in: APPROVED_PULL_STATES },
          pullRepoId: { in: repoIds },
        },
        orderBy: [{ approvedAt: "desc" }, { id: "desc" }],
        select: { pullRepoId: true, revision: true },
      })
    : [];
  // A person's pin requests still awaiting approval: the agent dry-runs them so their pages show the diff.
  const pendingPins = repoIds.length
    ? await db().deployment.findMany({
        where: {
          sourceKind: "pull-revision",
          requestedByKind: { not: "agent" },
          state: "pending-approval",
          pullRepoId: { in: repoIds },
        },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { id: true, pullRepoId: true, revision: true },
      })
    : [];
  const pendingPinsByRepo = new Map<string, { requestId: string; revision: string }[]>();
  for (const d of pendingPins) {
    if (!d.pullRepoId || !d.revision) continue;
    const list = pendingPinsByRepo.get(d.pullRepoId) ?? [];
    // The protocol's bound; a repository has one open pin request (a new one replaces it), so this never cuts.
    if (list.length < 20) list.push({ requestId: d.id, revision: d.revision });
    pendingPinsByRepo.set(d.pullRepoId, list);
  }
  const approvedByRepo = new Map<string, string>();
  for (const d of approved)
    if (d.pullRepoId && d.revision && !approvedByRepo.has(d.pullRepoId)) approvedByRepo.set(d.pullRepoId, d.revision);

  // An approved or pinned revision goes out with the spec it was approved (or applied) with, not the current
  // settings: a changed path, branch or prune flag is a new revision that waits for approval itself.
  const specs = await specsOfRevisions(
    targets.flatMap((t) =>
      t.pullRepos.flatMap((r) => {
        const approvedRevision = t.requiredApprovals > 0 ? approvedByRepo.get(r.id) : undefined;
        return [
          ...(approvedRevision ? [{ repo: r, revision: approvedRevision }] : []),
          ...(r.pinnedRevision ? [{ repo: r, revision: r.pinnedRevision }] : []),
          ...(pendingPinsByRepo.get(r.id) ?? []).map((p) => ({ repo: r, revision: p.revision })),
        ];
      }),
    ),
  );

  const out: TTargetAssignment[] = targets.map((t) => {
    const requiresApproval = t.requiredApprovals > 0;
    return {
      targetId: t.id,
      name: t.name,
      defaultNamespace: t.defaultNamespace,
      allowedNamespaces: parseAllowedNamespaces(t.allowedNamespaces),
      allowClusterScoped: t.allowClusterScoped,
      requiresApproval,
      repos: t.pullRepos.map((r) => {
        const approvedRevision = requiresApproval ? (approvedByRepo.get(r.id) ?? null) : null;
        // Left out at the default, so an assignment (and its version) is what it was before render options existed.
        const render = renderOfStored(r.application?.renderOptions);
        const pins = pendingPinsByRepo.get(r.id);
        return {
          repoId: r.id,
          url: r.url,
          branch: r.branch,
          path: r.path,
          pollIntervalSeconds: r.pollIntervalSeconds,
          prune: r.prune,
          selfHeal: r.selfHeal,
          imagePolicies: parseImagePolicies(r.imagePolicies),
          ...(render ? { render } : {}),
          approvedRevision,
          pinnedRevision: r.pinnedRevision,
          notifySeq: r.notifySeq,
          approvedSpec: approvedRevision ? specs.get(r.id, approvedRevision) : null,
          pinnedSpec: r.pinnedRevision ? specs.get(r.id, r.pinnedRevision) : null,
          ...(r.application ? { inventoryKey: r.application.inventoryKey } : {}),
          // Left out when there are none, so the assignment (and its version) is what it was before.
          ...(pins ? { pendingPins: pins.map((p) => ({ ...p, spec: specs.get(r.id, p.revision) })) } : {}),
        };
      }),
    };
  });
  const body = { agent: { id: row.id, name: row.name }, targets: out };
  const version = createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 32);
  return { version, ...body };
}

export interface PollOptions {
  agent: AgentPrincipal;
  /** The version the agent holds; undefined answers at once. */
  since?: string | undefined;
  /** How long to hold the request when nothing changes (capped at LONG_POLL_TIMEOUT_MS). */
  waitMs?: number;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  /**
   * The route's request timer. The hold between database reads is handed to `timing.idle`, so the long poll's entry
   * in `wharf_http_request_duration_seconds` is the work it caused (the first read and each re-read), not the up to
   * 25 s the agent asked to wait: kept in, every assignments sample would sit at the poll timeout and say nothing
   * about Wharf. It keeps the same route label as any other request, so dashboards need no special case.
   */
  timing?: RequestTiming;
}

/**
 * The long poll (lib/wake/long-poll.ts, `agent` topic): answers at once with `changed: true` when the assignments'
 * version differs from `since`; otherwise waits, waking on this agent's wake-ups and re-reading the database every
 * second, and answers `changed: false` after `waitMs`.
 */
export async function pollAssignments(opts: PollOptions): Promise<TAssignments> {
  const { changed, value } = await longPoll({
    topic: "agent",
    id: opts.agent.agentId,
    read: () => buildAssignments(opts.agent),
    isNew: (current) => opts.since === undefined || current.version !== opts.since,
    waitMs: Math.min(opts.waitMs ?? LONG_POLL_TIMEOUT_MS, LONG_POLL_TIMEOUT_MS),
    signal: opts.signal,
    timing: opts.timing,
  });
  return { changed, ...value };
}
