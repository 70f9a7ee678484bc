import "server-only";
import { approvalStatus, REFUSAL_MESSAGES, refusalFor, type RefusalReason } from "@/lib/approvals/rules";
import { auditedTransaction, recordAuditEvent } from "@/lib/audit/data/record-audit-event";
import type { Actor, RequestContext } from "@/lib/audit/schemas";
import { AppError, type ErrorCode } from "@/lib/errors";
import { wakeAgentsOfTarget } from "@/lib/agents/data/notify";
import { wakeExecutor } from "../wake";
import { ZApprovalInput, type DeploymentView, type TApprovalInput } from "../schemas";
import { getDeployment, type Viewer } from "./get-deployment";
import { approveAndQueue } from "./queue-deployment";
import { forApproval, ruleOf, toApprovalRecord } from "../approval-inputs";
import { transitionDeployment } from "./transition-deployment";

const REFUSAL_CODES: Record<RefusalReason, ErrorCode> = {
  requester: "APPROVAL_SELF_FORBIDDEN",
  "settings-author": "APPROVAL_SELF_FORBIDDEN",
  "commit-author": "APPROVAL_AUTHOR_FORBIDDEN",
  role: "APPROVAL_ROLE_FORBIDDEN",
  "api-token": "APPROVAL_TOKEN_FORBIDDEN",
  "already-decided": "APPROVAL_ALREADY_DECIDED",
};

export interface DecideOptions {
  deploymentId: string;
  input: TApprovalInput;
  approver: Viewer & { name: string };
  actor: Actor;
  request: RequestContext;
  /** For tests of the rules: when the approval is recorded (defaults to now). */
  now?: Date;
}

type Outcome =
  | { kind: "refused"; reason: RefusalReason }
  | {
      kind: "recorded";
      next: "pending" | "rejected" | "queued" | "approved" | "superseded" | "unchanged";
      targetId?: string;
    };

/**
 * Records an approval or rejection, in one transaction that starts with a conditional write on the deployment (so
 * on PostgreSQL the row is locked, on SQLite the write lock is taken): two approvers at once are serialized and
 * cannot both be counted as "the second approval" against stale reads. The rule is checked again inside (requester,
 * commit author, role, API token, already decided); a refusal is audited (`denied`) and answered 403/409. The
 * approval names the manifests digest it saw. A rejection rejects; a satisfied rule approves and queues (or
 * supersedes, when a newer request was chosen first).
 */
export async function decideDeployment(opts: DecideOptions): Promise<DeploymentView> {
  const input = ZApprovalInput.parse(opts.input);
  const outcome = await auditedTransaction(async (tx): Promise<Outcome> => {
    const now = opts.now ?? new Date();
    const { count } = await tx.deployment.updateMany({
      where: { id: opts.deploymentId, state: "pending-approval" },
      data: { updatedAt: now },
    });
    if (count === 0) {
      const existing = await tx.deployment.findUnique({ where: { id: opts.deploymentId }, select: { state: true } });
      if (!existing) throw new AppError("NOT_FOUND", "There is no deployment with this id.");
      throw new AppError(
        "DEPLOYMENT_STATE_CONFLICT",
        `This deployment is ${existing.state}; it no longer takes approvals.`,
      );
    }
    const d = await tx.deployment.findUniqueOrThrow({
      where: { id: opts.deploymentId },
      include: { target: true, approvals: true },
    });
    const rule = ruleOf(d.target);
    const forRules = forApproval(d);
    const records = d.approvals.map(toApprovalRecord);
    const refusal = refusalFor(rule, forRules, opts.approver, records, now);
    if (refusal) {
      await recordAuditEvent(tx, {
        actor: opts.actor,
        action: "deployment.approval-recorded",
        subjectType: "deployment",
        subjectId: d.id,
        targetId: d.targetId,
        outcome: "denied",
        details: { decision: input.decision, refused: refusal, digest: d.manifestsDigest },
        request: opts.request,
      });
      return { kind: "refused", reason: refusal };
    }
    const approval = await tx.deploymentApproval.create({
      data: {
        deploymentId: d.id,
        approverId: opts.approver.userId,
        approverEmail: opts.approver.email,
        approverName: opts.approver.name,
        approverKind: opts.approver.kind,
        decision: input.decision,
        comment: input.comment,
        manifestsDigest: d.manifestsDigest,
        planDigest: d.planDigest,
        createdAt: now,
      },
    });
    await recordAuditEvent(tx, {
      actor: opts.actor,
      action: "deployment.approval-recorded",
      subjectType: "deployment",
      subjectId: d.id,
      targetId: d.targetId,
      details: {
        decision: input.decision,
        digest: d.manifestsDigest,
        approvalId: approval.id,
        ...(input.comment ? { comment: input.comment } : {}),
      },
      request: opts.request,
    });
    if (input.decision === "rejected") {
      const moved = await transitionDeployment(tx, {
        deploymentId: d.id,
        to: "rejected",
        actor: opts.actor,
        request: opts.request,
        data: { finishedAt: now, resultMessage: `Rejected by ${opts.approver.name}: ${input.comment}` },
        details: { comment: input.comment },
      });
      return { kind: "recorded", next: moved ? "rejected" : "unchanged" };
    }
    const status = approvalStatus(rule, forRules, [...records, toApprovalRecord(approval)], now);
    if (!status.satisfied) return { kind: "recorded", next: "pending" };
    const next = await approveAndQueue(tx, {
      deploymentId: d.id,
      actor: opts.actor,
      request: opts.request,
      details: { approvals: status.approvedBy.map((a) => a.approverEmail), required: rule.requiredApprovals },
    });
    return { kind: "recorded", next, targetId: d.targetId };
  });

  if (outcome.kind === "refused") {
    throw new AppError(REFUSAL_CODES[outcome.reason], REFUSAL_MESSAGES[outcome.reason]);
  }
  if (outcome.next === "queued") wakeExecutor();
  // An approved pull revision is the agent's to apply: wake its long poll now rather than at the next re-check.
  if (outcome.next === "approved" && outcome.targetId) await wakeAgentsOfTarget(outcome.targetId);
  return getDeployment({ id: opts.deploymentId, viewer: opts.approver });
}
