"use client";

import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { DialogClose, DialogContent, DialogRoot, DialogTrigger } from "@/components/ui/dialog";
import { commitCount } from "@/lib/repos/branch-position";
import { usePinPreview } from "@/lib/repos/hooks/use-pin-preview";
import type { PinPreview, ReportedCommit } from "@/lib/repos/schemas";
import { shortRevision } from "./sync-badges";

function Commit({ c, testId }: { c: ReportedCommit | null; testId: string }) {
  if (!c) return <span className="text-slate-500">not reported by the agent yet</span>;
  return (
    <span data-testid={testId} className="block">
      <span className="font-mono text-xs break-all" title={c.revision}>
        {shortRevision(c.revision)}
      </span>
      {c.message ? <span className="block break-words text-slate-800">{c.message}</span> : null}
      {c.authorName ? <span className="block text-xs text-slate-500">by {c.authorName}</span> : null}
    </span>
  );
}

/** How far the rollback goes back from the live revision, in commits the agent reported from the branch. */
function distance(p: PinPreview): string {
  const branch = p.repo.branch;
  if (p.fromBehind === null || p.toBehind === null)
    return `How many commits back is not known: the agent did not report both commits while following ${branch}.`;
  const back = p.toBehind - p.fromBehind;
  if (back === 0) return "The same commit as now (with the images and settings it was synced with).";
  if (back < 0) return `${commitCount(-back)} newer than the running revision.`;
  return `${commitCount(back)} back (${commitCount(p.toBehind)} behind the head of ${branch} the agent last fetched).`;
}

function PinBody({ p }: { p: PinPreview }) {
  return (
    <div className="space-y-3 text-sm text-slate-700">
      <dl className="space-y-2">
        <div>
          <dt className="font-medium text-slate-900">From (running now)</dt>
          <dd>
            <Commit c={p.from} testId="pin-from" />
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-900">To</dt>
          <dd>
            <Commit c={p.to} testId="pin-to" />
            <span className="mt-1 block text-xs text-slate-600" data-testid="pin-distance">
              {distance(p)}
            </span>
          </dd>
        </div>
      </dl>
      <p>
        The agent stops following <span className="font-mono">{p.repo.branch}</span> until the repository is unpinned:
        new commits to it are not applied.
      </p>
      {p.requiredApprovals > 0 ? (
        <p className="rounded border border-violet-200 bg-violet-50 p-2 text-violet-900">
          This target requires {p.requiredApprovals} approval{p.requiredApprovals === 1 ? "" : "s"}: this creates an
          approval request, and nothing changes until it is approved.
        </p>
      ) : null}
    </div>
  );
}

function UnpinBody({ p }: { p: PinPreview }) {
  const ahead = p.fromBehind;
  return (
    <div className="space-y-3 text-sm text-slate-700">
      <dl className="space-y-2">
        <div>
          <dt className="font-medium text-slate-900">Pinned at (running now)</dt>
          <dd>
            <Commit c={p.from} testId="pin-from" />
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-900">Moves to the head of {p.repo.branch}</dt>
          <dd>
            <Commit c={p.to} testId="pin-to" />
            <span className="mt-1 block text-xs text-slate-600" data-testid="pin-distance">
              {ahead !== null && ahead > 0 ? `${commitCount(ahead)} ahead of the pinned one. ` : ""}
              This is the newest commit the agent fetched before the pin; anything pushed since is applied too.
            </span>
          </dd>
        </div>
      </dl>
      {p.requiredApprovals > 0 ? (
        <p className="rounded border border-violet-200 bg-violet-50 p-2 text-violet-900">
          This target requires approvals: the agent goes back to the last approved revision, and newer commits wait for
          approval.
        </p>
      ) : null}
    </div>
  );
}

/**
 * Confirmation of a rollback pin (`revision`) or of an unpin (`revision: null`) that says what will change: the
 * running revision, the one the agent applies instead, how far apart they are, and that a pin stops the agent
 * following the branch (or needs approval first). Radix traps focus, closes on Escape and returns focus to the
 * trigger; Cancel comes first so Enter on the opened dialog does not act.
 */
export function PinDialog(props: {
  trigger: ReactNode;
  repoId: string;
  revision: string | null;
  pending: boolean;
  error: string | null;
  onConfirm: (done: () => void) => void;
}) {
  const [open, setOpen] = useState(false);
  const preview = usePinPreview(open ? props.repoId : null, props.revision);
  const p = preview.data;
  const unpin = props.revision === null;
  const title = unpin ? "Unpin and follow the branch?" : `Roll back to ${shortRevision(props.revision)}?`;
  const confirmLabel = unpin
    ? `Unpin and follow ${p?.repo.branch ?? "the branch"}`
    : p && p.requiredApprovals > 0
      ? "Request rollback"
      : "Roll back";
  return (
    <DialogRoot open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>{props.trigger}</DialogTrigger>
      <DialogContent
        title={title}
        description={
          p ? (
            <span className="break-all font-mono text-xs">
              {p.repo.url} @ {p.repo.branch} · {p.repo.path}
            </span>
          ) : undefined
        }
      >
        <div className="space-y-4">
          {preview.isLoading ? <p className="text-sm text-slate-500">Loading what would change…</p> : null}
          {preview.error ? (
            <p role="alert" className="text-sm text-red-600">
              {preview.error.message}
            </p>
          ) : null}
          {p ? unpin ? <UnpinBody p={p} /> : <PinBody p={p} /> : null}
          {open && props.error ? (
            <p role="alert" className="text-sm text-red-600">
              {props.error}
            </p>
          ) : null}
          <div className="flex flex-wrap justify-end gap-2">
            <DialogClose asChild>
              <Button variant="secondary">Cancel</Button>
            </DialogClose>
            <Button
              variant={unpin ? "primary" : "danger"}
              disabled={!p || props.pending}
              onClick={() => props.onConfirm(() => setOpen(false))}
            >
              {props.pending ? "Working…" : confirmLabel}
            </Button>
          </div>
        </div>
      </DialogContent>
    </DialogRoot>
  );
}
