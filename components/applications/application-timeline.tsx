"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { DeploymentDiff } from "@/components/deployments/deployment-diff";
import { DeploymentStateBadge } from "@/components/deployments/deployment-state-badge";
import { PinDialog } from "@/components/pull/pin-dialog";
import { shortRevision, SyncResultBadge } from "@/components/pull/sync-badges";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { DialogClose, DialogContent, DialogRoot, DialogTrigger } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { LoadMore } from "@/components/ui/load-more";
import { useApplicationTimeline, useRollbackPlan } from "@/lib/applications/hooks/use-application-timeline";
import type { ApplicationView } from "@/lib/applications/schemas";
import { timelineKeys } from "@/lib/applications/timeline-query";
import type { RollbackPlan, TimelineEntry, TTimelineKind } from "@/lib/applications/timeline-schemas";
import { useRollbackDeployment } from "@/lib/deployments/hooks/use-rollback-deployment";
import { ZDeploymentState } from "@/lib/deployments/states";
import { formatDateTime } from "@/lib/format/date";
import { usePinRepo } from "@/lib/repos/hooks/use-repo-mutations";
import { ZSyncResult } from "@/lib/agent/protocol";

const KIND: Record<TTimelineKind, { label: string; tone: BadgeTone }> = {
  deployment: { label: "Deployment", tone: "blue" },
  rollback: { label: "Rollback", tone: "purple" },
  approval: { label: "Approval", tone: "neutral" },
  sync: { label: "Sync", tone: "blue" },
  drift: { label: "Drift", tone: "yellow" },
  pin: { label: "Pin", tone: "purple" },
};

/** What happened after a rollback was confirmed, said where the person is (the timeline shows the new entry too). */
interface Outcome {
  text: string;
  deploymentId: string | null;
}

function Status({ e }: { e: TimelineEntry }) {
  if (!e.status) return null;
  const state = ZDeploymentState.safeParse(e.status);
  if ((e.kind === "deployment" || e.kind === "rollback") && state.success)
    return <DeploymentStateBadge state={state.data} />;
  const result = ZSyncResult.safeParse(e.status);
  if ((e.kind === "sync" || e.kind === "drift") && result.success) return <SyncResultBadge result={result.data} />;
  if (e.kind === "approval")
    return (
      <Badge tone={e.status === "approved" ? "green" : "red"}>
        {e.status === "approved" ? "approved" : "rejected"}
      </Badge>
    );
  return <span className="text-xs text-slate-600">{e.status}</span>;
}

function Side({ s }: { s: RollbackPlan["to"] }) {
  return (
    <span className="block">
      Deployment of <DateTime value={s.createdAt} precision="minute" /> by {s.requestedBy}
      {s.commitSha ? (
        <span className="block font-mono text-xs" title={s.commitMessage ?? undefined}>
          commit {s.commitSha.slice(0, 7)}
          {s.commitMessage ? ` — ${s.commitMessage.split("\n")[0]}` : ""}
        </span>
      ) : null}
      <span className="block break-all font-mono text-xs text-slate-500">{s.digest}</span>
    </span>
  );
}

/**
 * Confirmation of a push rollback that says what will change before anything is requested: the live deployment and
 * the chosen one, their manifests compared object by object (the same diff view as a request's preview), and the
 * target's rule. Confirming requests the old deployment's manifests again (POST /api/deployments/:id/rollback), which
 * waits for approval when the target requires it.
 */
function PushRollbackDialog({
  app,
  entry,
  deploymentId,
  disabled,
  describedBy,
  onDone,
}: {
  app: ApplicationView;
  entry: TimelineEntry;
  deploymentId: string;
  disabled: boolean;
  describedBy: string | undefined;
  onDone: (o: Outcome) => void;
}) {
  const [open, setOpen] = useState(false);
  const plan = useRollbackPlan(app.id, open ? deploymentId : null);
  const rollback = useRollbackDeployment(deploymentId);
  const p = plan.data;
  const gated = !!p && p.target.requiredApprovals > 0;
  return (
    <DialogRoot
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) rollback.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" disabled={disabled} aria-describedby={describedBy}>
          Roll back to this
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Roll back ${app.name} to the deployment of ${formatDateTime(entry.at)}?`}
        description={`A new deployment request on ${app.target.name} with that deployment's manifests.`}
      >
        <div className="max-h-[60vh] space-y-4 overflow-y-auto text-sm text-slate-700">
          {plan.isLoading ? <p className="text-slate-500">Loading what would change…</p> : null}
          {plan.error ? (
            <p role="alert" className="text-red-600">
              {plan.error.message}
            </p>
          ) : null}
          {p ? (
            <>
              <dl className="space-y-2">
                <div>
                  <dt className="font-medium text-slate-900">From (live now)</dt>
                  <dd>{p.from ? <Side s={p.from} /> : "Nothing has succeeded since."}</dd>
                </div>
                <div>
                  <dt className="font-medium text-slate-900">To</dt>
                  <dd data-testid="rollback-to">
                    <Side s={p.to} />
                  </dd>
                </div>
              </dl>
              <div>
                <p className="mb-2 font-medium text-slate-900">What changes</p>
                <DeploymentDiff preview={p.preview} />
                <p className="mt-2 text-xs text-slate-500">
                  Compared with the live deployment&apos;s manifests. The request gets its own dry run against the
                  cluster as it is now, which approvers review.
                </p>
              </div>
              {gated ? (
                <p className="rounded border border-violet-200 bg-violet-50 p-2 text-violet-900">
                  {p.target.name} requires {p.target.requiredApprovals} approval
                  {p.target.requiredApprovals === 1 ? "" : "s"}: this creates a deployment request, and nothing changes
                  until it is approved.
                </p>
              ) : (
                <p className="rounded border border-amber-200 bg-amber-50 p-2 text-amber-900">
                  {p.target.name} needs no approval: the rollback is queued and runs at once.
                </p>
              )}
            </>
          ) : null}
          {rollback.error ? (
            <p role="alert" className="text-red-600">
              {rollback.error.message}
            </p>
          ) : null}
          <div className="flex flex-wrap justify-end gap-2">
            <DialogClose asChild>
              <Button variant="secondary">Cancel</Button>
            </DialogClose>
            <Button
              variant="danger"
              disabled={!p || rollback.isPending}
              onClick={() =>
                rollback.mutate(
                  {},
                  {
                    onSuccess: (created) => {
                      setOpen(false);
                      onDone({
                        text:
                          created.state === "pending-approval"
                            ? `Rollback requested: it waits for ${p?.target.requiredApprovals ?? 1} approval${p?.target.requiredApprovals === 1 ? "" : "s"} on ${app.target.name}.`
                            : "Rollback requested and queued: it runs now.",
                        deploymentId: created.id,
                      });
                    },
                  },
                )
              }
            >
              {rollback.isPending ? "Working…" : gated ? "Request rollback" : "Roll back"}
            </Button>
          </div>
        </div>
      </DialogContent>
    </DialogRoot>
  );
}

function PullRollback({
  app,
  repoId,
  revision,
  disabled,
  describedBy,
  onDone,
}: {
  app: ApplicationView;
  repoId: string;
  revision: string;
  disabled: boolean;
  describedBy: string | undefined;
  onDone: (o: Outcome) => void;
}) {
  // The pull rollback is the repository's pin, through the target's rule (lib/repos/data/pin-repo.ts).
  const pin = usePinRepo(app.target.id);
  return (
    <PinDialog
      repoId={repoId}
      revision={revision}
      pending={pin.isPending}
      error={pin.error?.message ?? null}
      onConfirm={(done) =>
        pin.mutate(
          { repoId, revision },
          {
            onSuccess: (r) => {
              done();
              onDone({
                text:
                  r.outcome === "pending-approval"
                    ? `Rollback to ${shortRevision(revision)} requested: it waits for approval on ${app.target.name}.`
                    : `Pinned to ${shortRevision(revision)}: the agent applies it at its next sync.`,
                deploymentId: r.deploymentId,
              });
            },
          },
        )
      }
      trigger={
        <Button variant="secondary" size="sm" disabled={disabled} aria-describedby={describedBy}>
          Roll back to this
        </Button>
      }
    />
  );
}

function Entry({
  app,
  e,
  canRollback,
  onDone,
}: {
  app: ApplicationView;
  e: TimelineEntry;
  canRollback: boolean;
  onDone: (o: Outcome) => void;
}) {
  const kind = KIND[e.kind];
  const describedBy = canRollback ? undefined : "timeline-rollback-role";
  const revision = e.revision?.commit
    ? e.revision.commit.slice(0, 7)
    : e.revision?.id
      ? shortRevision(e.revision.id)
      : null;
  return (
    <li className="flex flex-wrap items-start gap-x-3 gap-y-1 px-5 py-3 text-sm" data-kind={e.kind}>
      <div className="min-w-0 flex-1 space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone={kind.tone}>{kind.label}</Badge>
          {e.href ? (
            <Link href={e.href} className="font-medium text-slate-900 hover:underline">
              {e.title}
            </Link>
          ) : (
            <span className="font-medium text-slate-900">{e.title}</span>
          )}
          <Status e={e} />
          {e.live ? <Badge tone="green">live</Badge> : null}
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-slate-600">
          <DateTime value={e.at} precision="minute" />
          {e.actor ? <span className="break-all">by {e.actor}</span> : null}
          {revision ? (
            <span className="font-mono text-xs" title={e.revision?.message ?? e.revision?.id ?? undefined}>
              {revision}
            </span>
          ) : null}
        </div>
        {e.detail ? <p className="break-words text-slate-600">{e.detail}</p> : null}
      </div>
      {e.rollback?.mode === "push" ? (
        <PushRollbackDialog
          app={app}
          entry={e}
          deploymentId={e.rollback.deploymentId}
          disabled={!canRollback}
          describedBy={describedBy}
          onDone={onDone}
        />
      ) : e.rollback?.mode === "pull" ? (
        <PullRollback
          app={app}
          repoId={e.rollback.repoId}
          revision={e.rollback.revision}
          disabled={!canRollback}
          describedBy={describedBy}
          onDone={onDone}
        />
      ) : null}
    </li>
  );
}

/**
 * One timeline of the application: deployments, rollbacks, approval decisions, syncs, drift and pins, newest first,
 * every entry reachable through "Load more". An earlier succeeded deployment (push) or synced revision (pull) that is
 * not the live one can be rolled back to, behind a confirmation that says what changes and through the target's
 * approval rule; for those who may not request deployments the button is disabled and says why.
 */
export function ApplicationTimeline({ app, canRollback }: { app: ApplicationView; canRollback: boolean }) {
  const qc = useQueryClient();
  const query = useApplicationTimeline(app.id);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const offersRollback = items.some((e) => e.rollback);
  const onDone = (o: Outcome) => {
    setOutcome(o);
    void qc.invalidateQueries({ queryKey: timelineKeys.timeline(app.id) });
  };
  return (
    <Card>
      <CardHeader
        title="Timeline"
        actions={
          app.mode === "push" ? (
            <Link
              href={`/deployments?applicationId=${encodeURIComponent(app.id)}`}
              className="text-sm text-brand-700 hover:underline"
            >
              All deployments
            </Link>
          ) : app.pullRepoId ? (
            <Link
              href={`/sync?repoId=${encodeURIComponent(app.pullRepoId)}`}
              className="text-sm text-brand-700 hover:underline"
            >
              Sync history
            </Link>
          ) : undefined
        }
      />
      {outcome ? (
        <p role="status" className="mx-5 mt-3 rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
          {outcome.text}{" "}
          {outcome.deploymentId ? (
            <Link href={`/deployments/${outcome.deploymentId}`} className="font-medium underline">
              Open the request
            </Link>
          ) : null}
        </p>
      ) : null}
      {!canRollback && offersRollback ? (
        <p id="timeline-rollback-role" className="px-5 pt-3 text-xs text-slate-500">
          {app.archived
            ? "This application was deleted: its history stays readable, and nothing is rolled back."
            : "Rolling back requests a deployment: only deployers and admins may."}
        </p>
      ) : null}
      {query.isError ? (
        <p role="alert" className="px-5 py-4 text-sm text-red-700">
          Could not load the timeline: {query.error.message}
        </p>
      ) : items.length === 0 && !query.isPending ? (
        <EmptyState
          title={app.mode === "push" ? "Not deployed yet" : "No sync reported yet"}
          description={
            app.mode === "pull"
              ? "The target's agent reports here once it has fetched the repository; its syncs, drift, approvals and pins follow."
              : app.source.kind === "git"
                ? "Deploy requests a deployment of the source's newest commit; approvers then see its preview."
                : "Its manifests are sent with each deployment; deployments, approvals and rollbacks appear here."
          }
        />
      ) : (
        <ul aria-label="Timeline" className="divide-y divide-slate-100">
          {items.map((e) => (
            <Entry key={e.id} app={app} e={e} canRollback={canRollback} onDone={onDone} />
          ))}
        </ul>
      )}
      <LoadMore query={query} />
    </Card>
  );
}
