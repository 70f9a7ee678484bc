import "server-only";
import {
  approvalStatus,
  REFUSAL_MESSAGES,
  refusalFor,
  validApprovals,
  type ApprovalRule,
  type DeploymentForApproval,
} from "@/lib/approvals/rules";
import { can, ROLES, roleAtLeast, type TRole } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { AppError } from "@/lib/errors";
import { archivedMark } from "@/lib/targets/live";
import {
  describeRule,
  type DeploymentApprovalView,
  type DeploymentListItem,
  type DeploymentPreview,
  type DeploymentView,
} from "../schemas";
import { mayDownloadManifests } from "../applied-manifests";
import { manifestsBytesOf, manifestsSha256 } from "../stored-manifests";
import { isTerminal, ZDeploymentState, type TDeploymentState } from "../states";
import { approvedDigest, forApproval, ruleOf, toApprovalRecord, type ApprovalRow } from "../approval-inputs";

/** Who is looking: decides `viewer.canApprove`, `canCancel` and `canRollback`. */
export interface Viewer {
  userId: string;
  email: string;
  role: TRole;
  kind: "user" | "api-token";
}

export const LIST_SELECT = {
  id: true,
  applicationId: true,
  state: true,
  sourceKind: true,
  gitUrl: true,
  gitRef: true,
  gitPath: true,
  commitSha: true,
  commitAuthorName: true,
  commitAuthorEmail: true,
  commitMessage: true,
  commitAt: true,
  manifestsDigest: true,
  objectCount: true,
  requestedById: true,
  requestedByKind: true,
  requestedByName: true,
  reason: true,
  emergency: true,
  rollbackOfId: true,
  createdAt: true,
  approvedAt: true,
  finishedAt: true,
  outageStartedAt: true,
  target: { select: { id: true, name: true, environment: true, archivedAt: true, archivedByName: true } },
} as const satisfies Prisma.DeploymentSelect;

export type ListRow = Prisma.DeploymentGetPayload<{ select: typeof LIST_SELECT }>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A list row; `live` is computed for the whole page by the list (lib/deployments/data/live-deployments.ts). */
export function toListItem(row: ListRow, live = false): DeploymentListItem {
  return {
    id: row.id,
    target: {
      id: row.target.id,
      name: row.target.name,
      environment: row.target.environment,
      archived: archivedMark(row.target),
    },
    state: ZDeploymentState.catch("failed").parse(row.state),
    // Pull revisions (sourceKind "pull-revision") show as Git: the agent's repository, branch, path and commit.
    sourceKind: row.sourceKind === "git" || row.sourceKind === "pull-revision" ? "git" : "manifests",
    git:
      (row.sourceKind === "git" || row.sourceKind === "pull-revision") && row.gitUrl
        ? {
            url: row.gitUrl,
            ref: row.gitRef ?? "",
            path: row.gitPath ?? ".",
            commitSha: row.commitSha,
            authorName: row.commitAuthorName,
            authorEmail: row.commitAuthorEmail,
            message: row.commitMessage,
            committedAt: iso(row.commitAt),
          }
        : null,
    manifestsDigest: row.manifestsDigest,
    objectCount: row.objectCount,
    requestedBy: { id: row.requestedById, kind: row.requestedByKind, name: row.requestedByName },
    reason: row.reason,
    emergency: row.emergency,
    rollbackOfId: row.rollbackOfId,
    createdAt: row.createdAt.toISOString(),
    approvedAt: iso(row.approvedAt),
    finishedAt: iso(row.finishedAt),
    outageStartedAt: iso(row.outageStartedAt),
    live,
  };
}

const sameEmail = (a: string | null, b: string | null) =>
  !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Why an approval no longer counts, in the order the rules check it. */
function invalidReason(rule: ApprovalRule, d: DeploymentForApproval, a: ApprovalRow, now: Date): string {
  if (approvedDigest(a.manifestsDigest, a.planDigest) !== d.manifestsDigest) {
    return d.manifestsDigest.startsWith(a.manifestsDigest)
      ? "Given for a different plan: a new preview shows other creates, changes or prunes."
      : "Given for different content: the manifests changed since.";
  }
  if (now.getTime() - a.createdAt.getTime() > rule.approvalTtlHours * 3_600_000)
    return `Expired: approvals count for ${rule.approvalTtlHours} h.`;
  if (rule.banRequester && a.approverId === d.requesterId) return "From the requester, who may not approve.";
  if (rule.banRequester && !!d.settingsAuthorId && a.approverId === d.settingsAuthorId)
    return "From who changed the repository settings, who may not approve.";
  if (rule.banCommitAuthor && sameEmail(a.approverEmail, d.commitAuthorEmail))
    return "From the commit's author, who may not approve.";
  if (a.approverKind === "api-token" && !rule.allowTokenApprovals)
    return "Given with an API token, which this target does not accept.";
  return "The same person's earlier decision is the one that counts.";
}

/** Whether `viewer` may approve now, and if not, the plain reason. */
export function viewerApproval(
  state: TDeploymentState,
  rule: ApprovalRule,
  d: DeploymentForApproval,
  records: ReturnType<typeof toApprovalRecord>[],
  viewer: Viewer,
  now: Date,
): DeploymentView["viewer"] {
  if (state !== "pending-approval")
    return {
      canApprove: false,
      reason: `This deployment is ${state}; it no longer takes approvals.`,
      approvalStartsDeployment: false,
    };
  if (!can(viewer.role, "deployments.approve"))
    return { canApprove: false, reason: REFUSAL_MESSAGES.role, approvalStartsDeployment: false };
  const refusal = refusalFor(rule, d, viewer, records, now);
  if (refusal) return { canApprove: false, reason: REFUSAL_MESSAGES[refusal], approvalStartsDeployment: false };
  // The same count decideDeployment makes after recording the approval: with the viewer's, is the rule satisfied?
  const mine = {
    approverId: viewer.userId,
    approverEmail: viewer.email,
    approverKind: viewer.kind,
    decision: "approved" as const,
    manifestsDigest: d.manifestsDigest,
    createdAt: now,
  };
  return {
    canApprove: true,
    reason: null,
    approvalStartsDeployment: approvalStatus(rule, d, [...records, mine], now).satisfied,
  };
}

function parsePreview(json: string | null): DeploymentPreview | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as DeploymentPreview;
  } catch {
    return null;
  }
}

/**
 * The newest push deployment that succeeded in `row`'s application (its target's, for rows from before
 * applications): what runs in the cluster now. Pull revisions are rolled back by pinning, so they have none.
 */
async function latestSuccess(row: {
  sourceKind: string;
  applicationId: string | null;
  targetId: string;
}): Promise<{ id: string; createdAt: Date; finishedAt: Date | null } | null> {
  if (row.sourceKind === "pull-revision") return null;
  return db().deployment.findFirst({
    where: {
      ...(row.applicationId ? { applicationId: row.applicationId } : { targetId: row.targetId, applicationId: null }),
      state: "succeeded",
      sourceKind: { not: "pull-revision" },
    },
    orderBy: [{ finishedAt: "desc" }, { id: "desc" }],
    select: { id: true, createdAt: true, finishedAt: true },
  });
}

/** One deployment with its rule, approvals, preview, progress and objects, as `viewer` may act on it. */
export async function getDeployment(opts: { id: string; viewer: Viewer }): Promise<DeploymentView> {
  const row = await db().deployment.findUnique({
    where: { id: opts.id },
    include: {
      target: true,
      application: { select: { id: true, name: true, archivedAt: true, archivedByName: true } },
      approvals: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      objects: { orderBy: { position: "asc" } },
    },
  });
  if (!row) throw new AppError("NOT_FOUND", "There is no deployment with this id.");
  const now = new Date();
  const state = ZDeploymentState.catch("failed").parse(row.state);
  const rule = ruleOf(row.target);
  const d = forApproval(row);
  const records = row.approvals.map(toApprovalRecord);
  const valid = new Set(validApprovals(rule, d, records, now).map((a) => (a as { id?: string }).id));
  const status = approvalStatus(rule, d, records, now);
  const { viewer } = opts;

  const approvals: DeploymentApprovalView[] = row.approvals.map((a) => ({
    id: a.id,
    approverId: a.approverId,
    approverName: a.approverName,
    approverEmail: a.approverEmail,
    approverKind: a.approverKind === "api-token" ? "api-token" : "user",
    decision: a.decision === "rejected" ? "rejected" : "approved",
    comment: a.comment,
    createdAt: a.createdAt.toISOString(),
    valid: valid.has(a.id),
    invalidReason: valid.has(a.id) ? null : invalidReason(rule, d, a, now),
  }));

  let eligibleApprovers: DeploymentView["eligibleApprovers"] = [];
  if (state === "pending-approval" && rule.requiredApprovals > 0) {
    const roles = ROLES.filter((r) => roleAtLeast(r, rule.approverRole) && can(r, "deployments.approve"));
    const users = await db().user.findMany({
      where: { disabled: false, role: { in: roles } },
      orderBy: [{ name: "asc" }, { id: "asc" }],
      take: 200,
      select: { id: true, name: true, email: true, role: true },
    });
    eligibleApprovers = users
      .filter(
        (u) =>
          refusalFor(rule, d, { userId: u.id, email: u.email, role: u.role as TRole, kind: "user" }, records, now) ===
          null,
      )
      .slice(0, 20)
      .map(({ id, name, email }) => ({ id, name, email }));
  }

  // Only a success (is it live?) and a failure (what to roll back to) need the application's newest success.
  const latest = state === "succeeded" || state === "failed" ? await latestSuccess(row) : null;
  const live = state === "succeeded" && latest?.id === row.id;
  // A failed run's way back: the success the cluster ran before it, unless another one has replaced it since.
  const lastSucceeded =
    state === "failed" && latest && row.finishedAt && latest.finishedAt && latest.finishedAt <= row.finishedAt
      ? { id: latest.id, createdAt: latest.createdAt.toISOString(), finishedAt: latest.finishedAt.toISOString() }
      : null;
  // A deleted target or application takes no new requests (rollbacks included): its record is history only.
  const archived = !!row.target.archivedAt || !!row.application?.archivedAt;
  const mayRequest = can(viewer.role, "deployments.request") && row.sourceKind !== "pull-revision" && !archived;

  const bytes = manifestsBytesOf(row);
  const text = bytes.toString("utf8");
  const isRequester = viewer.userId === row.requestedById;
  const mayStop = isRequester || can(viewer.role, "deployments.approve");
  return {
    ...toListItem(row),
    manifests: text,
    appliedManifests:
      row.sourceKind === "pull-revision"
        ? null
        : {
            sha256: row.manifestsSha256 ?? manifestsSha256(bytes),
            bytes: bytes.length,
            clusterName: row.appliedTargetName ?? row.target.name,
            serverUrl: row.appliedServerUrl ?? row.target.serverUrl,
            canDownload: mayDownloadManifests(viewer, row),
          },
    emergencyReason: row.emergencyReason,
    preview: parsePreview(row.previewJson),
    // Wharf holds no credential of a pull target: its agent reports the diff (lib/agents/data/record-events.ts).
    previewByAgent: row.sourceKind === "pull-revision",
    previewError: row.previewError,
    previewedAt: iso(row.previewedAt),
    approvedAt: iso(row.approvedAt),
    queuedAt: iso(row.queuedAt),
    startedAt: iso(row.startedAt),
    cancelRequested: row.cancelRequested,
    phase: row.phase,
    appliedCount: row.appliedCount,
    readyReplicas: row.readyReplicas,
    desiredReplicas: row.desiredReplicas,
    resultMessage: row.resultMessage,
    rule,
    ruleDescription: describeRule(rule),
    approvals,
    approvalStatus: {
      required: status.required,
      approvedCount: status.approvedBy.length,
      satisfied: status.satisfied,
      rejected: status.rejected,
    },
    eligibleApprovers,
    viewer: viewerApproval(state, rule, d, records, viewer, now),
    canCancel: mayStop && !isTerminal(state) && !(state === "running" && row.cancelRequested),
    // Pull targets roll back by pinning a revision (POST /api/repos/:id/pin), not by re-sending manifests. A run
    // stopped in plan-changed is requested again through the same endpoint.
    // The live deployment (the newest success) is what runs: rolling back to it would change nothing.
    canRollback:
      mayRequest &&
      ((state === "succeeded" && !live) || state === "plan-changed" || (state === "failed" && lastSucceeded !== null)),
    canEmergencyRollback:
      state === "succeeded" && !live && row.sourceKind !== "pull-revision" && viewer.role === "admin" && !archived,
    application: row.application
      ? { id: row.application.id, name: row.application.name, archived: archivedMark(row.application) }
      : null,
    live,
    lastSucceeded,
    objects: row.objects.map((o) => ({
      position: o.position,
      apiVersion: o.apiVersion,
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      action: o.action,
      message: o.message,
    })),
    updatedAt: row.updatedAt.toISOString(),
  };
}
