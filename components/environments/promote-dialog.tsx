"use client";

import Link from "next/link";
import { RequestDialog } from "@/components/deployments/request-dialog";
import { Button } from "@/components/ui/button";
import { usePromoteApplication } from "@/lib/applications/hooks/use-promote-application";
import type { TMatrixEntry } from "@/lib/applications/matrix-schemas";

const STATE_WORDS: Record<string, string> = {
  "pending-approval": "awaiting approval",
  approved: "approved",
  queued: "queued",
};

/**
 * "Promote to <target>": requests what is live in this cell on the next environment's application. Nothing is
 * deployed by this dialog itself: the request waits for that target's approvals like any other. Push: a deployment
 * request of the same commit (or manifests), whose page shows the preview. Pull: a pinned-revision request; once
 * approved, the destination's agent applies that commit with its own settings and stops following its branch.
 */
export function PromoteDialog({
  name,
  from,
  to,
  fromText,
  toText,
}: {
  name: string;
  from: TMatrixEntry;
  to: TMatrixEntry;
  fromText: string;
  toText: string;
}) {
  const promote = usePromoteApplication(from.applicationId);
  const done = promote.data;
  const pull = from.mode === "pull";
  return (
    <RequestDialog
      trigger={
        <Button variant="secondary" size="sm" className="mt-1 h-7 px-2 text-xs">
          Promote to {to.target.name}
        </Button>
      }
      title={`Promote ${name} to ${to.target.name}?`}
      description={
        pull ? (
          <>
            Asks {to.target.name}&apos;s agent to apply the commit live on {from.target.name}, with {to.target.name}
            &apos;s own folder and settings, and to stay on it (pinned) instead of following its branch. The request
            goes through the approval rule of {to.target.name} first.
          </>
        ) : (
          <>
            Requests what is live on {from.target.name} on {to.target.name}. The request goes through the approval rule
            of {to.target.name}; its page shows what changes there.
          </>
        )
      }
      submitLabel="Request promotion"
      pendingLabel="Requesting…"
      pending={promote.isPending}
      error={promote.error}
      onClose={() => promote.reset()}
      onSubmit={(reason) => promote.mutate({ to: to.target.id, ...(reason.trim() ? { reason } : {}) })}
      done={
        done ? (
          <>
            Promotion requested:{" "}
            <Link href={`/deployments/${done.id}`} className="font-medium text-brand-700 hover:underline">
              request on {to.target.name}
            </Link>{" "}
            is {STATE_WORDS[done.state] ?? done.state}.
          </>
        ) : undefined
      }
    >
      <dl className="grid grid-cols-[auto,1fr] gap-x-3 gap-y-1 rounded-md bg-slate-50 px-3 py-2 text-sm">
        <dt className="text-slate-500">{to.target.name} runs</dt>
        <dd className="font-mono" data-testid="promote-current">
          {toText}
        </dd>
        <dt className="text-slate-500">would run</dt>
        <dd className="font-mono" data-testid="promote-next">
          {fromText} <span className="font-sans text-slate-500">(live on {from.target.name})</span>
        </dd>
      </dl>
    </RequestDialog>
  );
}
