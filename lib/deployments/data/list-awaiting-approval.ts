import "server-only";
import { approvalStatus, refusalFor } from "@/lib/approvals/rules";
import { can } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import type { AwaitingApprovalItem } from "../schemas";
import type { Viewer } from "./get-deployment";
import { forApproval, ruleOf, toApprovalRecord } from "../approval-inputs";

/**
 * Deployments waiting for approval that `principal` may approve now (role, bans, not yet decided), oldest first,
 * for the home page's "Waiting for my approval" card.
 */
export async function listAwaitingMyApproval(
  principal: Viewer,
  opts: { limit?: number } = {},
): Promise<AwaitingApprovalItem[]> {
  if (!can(principal.role, "deployments.approve")) return [];
  const rows = await db().deployment.findMany({
    where: { state: "pending-approval" },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 500,
    // Only what the approval rules and the card read: the Overview renders this list on every load, and whole rows
    // (manifests up to 1.5 MB, the target's connection settings) cost more to read and map than to decide on.
    select: {
      id: true,
      requestedById: true,
      requestedByName: true,
      reason: true,
      createdAt: true,
      commitAuthorEmail: true,
      manifestsDigest: true,
      planDigest: true,
      settingsAuthorId: true,
      target: {
        select: {
          id: true,
          name: true,
          environment: true,
          requiredApprovals: true,
          approverRole: true,
          banRequester: true,
          banCommitAuthor: true,
          allowTokenApprovals: true,
          approvalTtlHours: true,
        },
      },
      approvals: true,
    },
  });
  const now = new Date();
  const out: AwaitingApprovalItem[] = [];
  for (const row of rows) {
    const rule = ruleOf(row.target);
    const d = forApproval(row);
    const records = row.approvals.map(toApprovalRecord);
    if (refusalFor(rule, d, principal, records, now) !== null) continue;
    out.push({
      id: row.id,
      target: { id: row.target.id, name: row.target.name, environment: row.target.environment },
      requestedByName: row.requestedByName,
      reason: row.reason,
      createdAt: row.createdAt.toISOString(),
      approvedCount: approvalStatus(rule, d, records, now).approvedBy.length,
      requiredApprovals: rule.requiredApprovals,
    });
    if (out.length >= (opts.limit ?? 20)) break;
  }
  return out;
}
