"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import { useDecideDeployment } from "@/lib/deployments/hooks/use-decide-deployment";
import type { DeploymentView } from "@/lib/deployments/schemas";
import { formatDateTime } from "@/lib/format/date";

/**
 * The rule in words, who approved or rejected (and whether it still counts), who still may, and for the viewer
 * either the Approve/Reject controls or the plain reason they cannot.
 */
export function ApprovalPanel({ deployment: d }: { deployment: DeploymentView }) {
  const decide = useDecideDeployment(d.id);
  const [comment, setComment] = useState("");
  const [commentError, setCommentError] = useState<string[] | undefined>();

  function submit(decision: "approved" | "rejected") {
    if (decision === "rejected" && !comment.trim()) {
      setCommentError(["Say why you reject this deployment."]);
      return;
    }
    setCommentError(undefined);
    decide.mutate(
      { decision, comment },
      {
        onSuccess: () => setComment(""),
        onError: (err) => setCommentError(err.fields.comment),
      },
    );
  }

  return (
    <div className="space-y-4 text-sm">
      <p data-testid="approval-rule">{d.ruleDescription}.</p>
      {d.rule.requiredApprovals > 0 ? (
        <p className="text-slate-600">
          <span className="font-medium text-slate-900" data-testid="approval-count">
            {d.approvalStatus.approvedCount} of {d.approvalStatus.required}
          </span>{" "}
          valid approvals.
        </p>
      ) : null}
      {d.emergency ? (
        <p className="rounded-md bg-red-50 px-3 py-2 text-red-800">
          Emergency: approvals were skipped by an admin. Reason: {d.emergencyReason}
        </p>
      ) : null}

      {d.approvals.length ? (
        <ul className="divide-y divide-slate-100 rounded-md border border-slate-200" aria-label="Decisions">
          {d.approvals.map((a) => (
            <li key={a.id} className="px-3 py-2">
              <div className="flex flex-wrap items-center gap-2">
                <Badge tone={a.decision === "approved" ? "green" : "red"}>{a.decision}</Badge>
                <span className="font-medium">{a.approverName}</span>
                <span className="text-xs text-slate-500">{a.approverEmail}</span>
                {a.approverKind === "api-token" ? <Badge>API token</Badge> : null}
                <time className="ml-auto text-xs text-slate-500" dateTime={a.createdAt}>
                  {formatDateTime(a.createdAt)}
                </time>
              </div>
              {a.comment ? <p className="mt-1 whitespace-pre-wrap text-slate-700">“{a.comment}”</p> : null}
              {!a.valid ? <p className="mt-1 text-xs text-amber-700">Does not count: {a.invalidReason}</p> : null}
            </li>
          ))}
        </ul>
      ) : d.rule.requiredApprovals > 0 ? (
        <p className="text-slate-500">No one has decided yet.</p>
      ) : null}

      {d.state === "pending-approval" && d.eligibleApprovers.length ? (
        <p className="text-slate-600">
          Still may approve: {d.eligibleApprovers.map((u) => u.name || u.email).join(", ")}
          {d.eligibleApprovers.length === 20 ? " and others" : ""}.
        </p>
      ) : null}

      {d.viewer.canApprove ? (
        <div className="space-y-2 rounded-md border border-slate-200 p-3">
          <Field
            htmlFor="approval-comment"
            label="Comment"
            hint="Optional when approving; required when rejecting."
            errors={commentError}
          >
            <Textarea
              id="approval-comment"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              rows={2}
              aria-describedby="approval-comment-help"
              aria-invalid={commentError?.length ? true : undefined}
            />
          </Field>
          {decide.error && !decide.error.fields.comment ? (
            <p role="alert" className="text-red-700">
              {decide.error.message}
            </p>
          ) : null}
          {d.viewer.approvalStartsDeployment ? (
            <p id="approval-starts" className="text-slate-700" data-testid="approval-starts">
              Yours is the last approval needed: approving starts the deployment to {d.target.name}.
            </p>
          ) : null}
          <div className="flex gap-2">
            <Button
              onClick={() => submit("approved")}
              disabled={decide.isPending}
              aria-describedby={d.viewer.approvalStartsDeployment ? "approval-starts" : undefined}
            >
              {decide.isPending && decide.variables?.decision === "approved"
                ? "Approving…"
                : d.viewer.approvalStartsDeployment
                  ? "Approve and deploy"
                  : "Approve"}
            </Button>
            <Button variant="danger" onClick={() => submit("rejected")} disabled={decide.isPending}>
              {decide.isPending && decide.variables?.decision === "rejected" ? "Rejecting…" : "Reject"}
            </Button>
          </div>
        </div>
      ) : d.state === "pending-approval" && d.viewer.reason ? (
        <p className="rounded-md bg-slate-50 px-3 py-2 text-slate-700" data-testid="cannot-approve">
          {d.viewer.reason}
        </p>
      ) : null}
    </div>
  );
}
