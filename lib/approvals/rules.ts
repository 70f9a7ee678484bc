import type { TRole } from "@/lib/auth/roles";
import { roleAtLeast } from "@/lib/auth/roles";

/** A target's approval rule. The two bans hold by default and are what GitHub Environments cannot enforce. */
export interface ApprovalRule {
  requiredApprovals: number;
  approverRole: TRole;
  /** The person who requested the deployment may not approve it. */
  banRequester: boolean;
  /** When the source is Git, the commit's author (matched by email) may not approve it. */
  banCommitAuthor: boolean;
  /** Whether API tokens may approve; off by default so a pipeline cannot approve its own work. */
  allowTokenApprovals: boolean;
  approvalTtlHours: number;
}

export interface ApprovalRecord {
  approverId: string;
  approverEmail: string;
  approverKind: "user" | "api-token";
  decision: "approved" | "rejected";
  manifestsDigest: string;
  createdAt: Date;
}

export interface DeploymentForApproval {
  requesterId: string;
  commitAuthorEmail: string | null;
  manifestsDigest: string;
  /**
   * Pull revisions: who changed the repository's settings (path, branch, …) this revision is the first to apply. They
   * chose what would reach the cluster, as a requester does, and are banned with the requester (banRequester).
   */
  settingsAuthorId?: string | null;
}

export interface Approver {
  userId: string;
  email: string;
  role: TRole;
  kind: "user" | "api-token";
}

export type RefusalReason =
  "requester" | "settings-author" | "commit-author" | "role" | "api-token" | "already-decided";

export const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  requester: "You requested this deployment; someone else must approve it.",
  "settings-author": "You changed the repository settings this revision applies; someone else must approve it.",
  "commit-author": "You authored the commit being deployed; someone else must approve it.",
  role: "Your role cannot approve deployments to this target.",
  "api-token": "API tokens cannot approve deployments to this target.",
  "already-decided": "You have already approved or rejected this deployment.",
};

const sameEmail = (a: string | null, b: string | null) =>
  !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Why `who` may not approve, or null when they may. Checked again, in the same transaction, when they approve. */
export function refusalFor(
  rule: ApprovalRule,
  d: DeploymentForApproval,
  who: Approver,
  current: ApprovalRecord[],
  now: Date,
): RefusalReason | null {
  if (who.kind === "api-token" && !rule.allowTokenApprovals) return "api-token";
  if (!roleAtLeast(who.role, rule.approverRole) || who.role === "deployer" || who.role === "viewer") return "role";
  if (rule.banRequester && who.userId === d.requesterId) return "requester";
  if (rule.banRequester && !!d.settingsAuthorId && who.userId === d.settingsAuthorId) return "settings-author";
  if (rule.banCommitAuthor && sameEmail(who.email, d.commitAuthorEmail)) return "commit-author";
  if (validApprovals(rule, d, current, now).some((a) => a.approverId === who.userId)) return "already-decided";
  return null;
}

/**
 * The approvals that count: for the content as it is now (a digest change voids older ones), not expired, not from
 * a banned person, and one per person — N approvals means N distinct people.
 */
export function validApprovals(
  rule: ApprovalRule,
  d: DeploymentForApproval,
  approvals: ApprovalRecord[],
  now: Date,
): ApprovalRecord[] {
  const ttlMs = rule.approvalTtlHours * 3_600_000;
  const seen = new Set<string>();
  const out: ApprovalRecord[] = [];
  for (const a of [...approvals].sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime())) {
    if (a.manifestsDigest !== d.manifestsDigest) continue;
    if (now.getTime() - a.createdAt.getTime() > ttlMs) continue;
    if (rule.banRequester && a.approverId === d.requesterId) continue;
    if (rule.banRequester && !!d.settingsAuthorId && a.approverId === d.settingsAuthorId) continue;
    if (rule.banCommitAuthor && sameEmail(a.approverEmail, d.commitAuthorEmail)) continue;
    if (a.approverKind === "api-token" && !rule.allowTokenApprovals) continue;
    if (seen.has(a.approverId)) continue;
    seen.add(a.approverId);
    out.push(a);
  }
  return out;
}

export interface ApprovalStatus {
  required: number;
  approvedBy: ApprovalRecord[];
  rejectedBy: ApprovalRecord[];
  satisfied: boolean;
  rejected: boolean;
}

/** Where a deployment stands against its target's rule. A single valid rejection rejects it. */
export function approvalStatus(
  rule: ApprovalRule,
  d: DeploymentForApproval,
  approvals: ApprovalRecord[],
  now: Date,
): ApprovalStatus {
  const valid = validApprovals(rule, d, approvals, now);
  const approvedBy = valid.filter((a) => a.decision === "approved");
  const rejectedBy = valid.filter((a) => a.decision === "rejected");
  return {
    required: rule.requiredApprovals,
    approvedBy,
    rejectedBy,
    rejected: rejectedBy.length > 0,
    satisfied: rejectedBy.length === 0 && approvedBy.length >= rule.requiredApprovals,
  };
}
