import type { ApprovalRecord, ApprovalRule, DeploymentForApproval } from "@/lib/approvals/rules";
import { ZRole } from "@/lib/auth/roles";

// Deployment, target and approval rows as the inputs of lib/approvals/rules: pure, shared by the data files that
// read a deployment, list what awaits approval and decide.

/** The approval-rule columns of a target row. */
export interface TargetRuleColumns {
  requiredApprovals: number;
  approverRole: string;
  banRequester: boolean;
  banCommitAuthor: boolean;
  allowTokenApprovals: boolean;
  approvalTtlHours: number;
}

/** A target row's approval rule; a hand-edited, unknown approver role reads as the strictest (admins only). */
export function ruleOf(target: TargetRuleColumns): ApprovalRule {
  const role = ZRole.safeParse(target.approverRole);
  return {
    requiredApprovals: target.requiredApprovals,
    approverRole: role.success ? role.data : "admin",
    banRequester: target.banRequester,
    banCommitAuthor: target.banCommitAuthor,
    allowTokenApprovals: target.allowTokenApprovals,
    approvalTtlHours: target.approvalTtlHours,
  };
}

/**
 * What an approval is for: the content and, once a sound preview was stored, its plan (create/change/prune refs), so
 * an approval of the old plan does not count after a new preview shows another one. The rules compare it as the digest.
 */
export function approvedDigest(manifestsDigest: string, planDigest: string | null): string {
  return planDigest ? `${manifestsDigest} plan ${planDigest}` : manifestsDigest;
}

export function forApproval(d: {
  requestedById: string;
  commitAuthorEmail: string | null;
  manifestsDigest: string;
  planDigest: string | null;
  settingsAuthorId?: string | null;
}): DeploymentForApproval {
  return {
    requesterId: d.requestedById,
    commitAuthorEmail: d.commitAuthorEmail,
    manifestsDigest: approvedDigest(d.manifestsDigest, d.planDigest),
    settingsAuthorId: d.settingsAuthorId ?? null,
  };
}

export interface ApprovalRow {
  id: string;
  approverId: string;
  approverEmail: string;
  approverName: string;
  approverKind: string;
  decision: string;
  comment: string;
  manifestsDigest: string;
  planDigest: string | null;
  createdAt: Date;
}

export function toApprovalRecord(a: ApprovalRow): ApprovalRecord & { id: string } {
  return {
    id: a.id,
    approverId: a.approverId,
    approverEmail: a.approverEmail,
    approverKind: a.approverKind === "api-token" ? "api-token" : "user",
    decision: a.decision === "rejected" ? "rejected" : "approved",
    manifestsDigest: approvedDigest(a.manifestsDigest, a.planDigest),
    createdAt: a.createdAt,
  };
}
