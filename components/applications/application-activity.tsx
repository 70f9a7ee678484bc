"use client";

import Link from "next/link";
import { DeploymentStateBadge } from "@/components/deployments/deployment-state-badge";
import { shortRevision, SyncResultBadge } from "@/components/pull/sync-badges";
import { Card, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import type { ApplicationView } from "@/lib/applications/schemas";
import { useDeployments } from "@/lib/deployments/hooks/use-deployments";
import { useSyncEvents } from "@/lib/sync/hooks/use-sync-events";
import { recentDeploymentsFilter, recentSyncsFilter } from "./page-queries";

/** A push application's newest deployments, each linking to its page (preview, approvals, progress). */
function RecentDeployments({ app }: { app: ApplicationView }) {
  const filter = recentDeploymentsFilter(app.id);
  const query = useDeployments(filter);
  const items = query.data?.pages[0]?.items ?? [];
  const all = `/deployments?applicationId=${encodeURIComponent(app.id)}`;
  return (
    <Card>
      <CardHeader
        title="Recent deployments"
        actions={
          items.length ? (
            <Link href={all} className="text-sm text-brand-700 hover:underline">
              All deployments
            </Link>
          ) : undefined
        }
      />
      {query.isError ? (
        <p role="alert" className="px-5 py-4 text-sm text-red-700">
          Could not load deployments: {query.error.message}
        </p>
      ) : items.length === 0 && !query.isPending ? (
        <EmptyState
          title="Not deployed yet"
          description={
            app.source.kind === "git"
              ? "Deploy requests a deployment of the source's newest commit; approvers then see its preview."
              : "Its manifests are sent with each deployment."
          }
        />
      ) : (
        <ul aria-label="Recent deployments" className="divide-y divide-slate-100">
          {items.map((d) => (
            <li key={d.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-5 py-3 text-sm">
              <Link href={`/deployments/${d.id}`} className="inline-flex items-center gap-2 hover:underline">
                <DeploymentStateBadge state={d.state} />
                <DateTime value={d.createdAt} precision="minute" />
              </Link>
              <span className="text-slate-500">by {d.requestedBy.name}</span>
              {d.git?.commitSha ? (
                <span className="font-mono text-xs text-slate-600" title={d.git.message ?? undefined}>
                  {d.git.commitSha.slice(0, 7)}
                </span>
              ) : null}
              {d.reason ? <span className="min-w-0 basis-full truncate text-slate-600">{d.reason}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** A pull application's newest sync events from its agent. */
function RecentSyncs({ app }: { app: ApplicationView }) {
  const repoId = app.pullRepoId ?? "";
  const query = useSyncEvents(recentSyncsFilter(repoId));
  const items = query.data?.pages[0]?.items ?? [];
  return (
    <Card>
      <CardHeader
        title="Recent syncs"
        actions={
          <Link href={`/sync?repoId=${encodeURIComponent(repoId)}`} className="text-sm text-brand-700 hover:underline">
            Sync history
          </Link>
        }
      />
      {query.isError ? (
        <p role="alert" className="px-5 py-4 text-sm text-red-700">
          Could not load syncs: {query.error.message}
        </p>
      ) : items.length === 0 && !query.isPending ? (
        <EmptyState
          title="No sync reported yet"
          description="The target's agent reports here once it has fetched the repository."
        />
      ) : (
        <ul aria-label="Recent syncs" className="divide-y divide-slate-100">
          {items.map((e) => (
            <li key={e.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-5 py-3 text-sm">
              <SyncResultBadge result={e.result} />
              <DateTime value={e.occurredAt} precision="minute" />
              {e.revision ? (
                <span className="font-mono text-xs text-slate-600" title={e.revision.message ?? undefined}>
                  {shortRevision(e.revision.id ?? e.revision.sha)}
                </span>
              ) : null}
              <span className="min-w-0 basis-full truncate text-slate-600">{e.message}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** Push: the application's deployments; pull: its agent's syncs. */
export function ApplicationActivity({ app }: { app: ApplicationView }) {
  if (app.mode === "pull") {
    if (!app.pullRepoId) return null;
    return <RecentSyncs app={app} />;
  }
  return <RecentDeployments app={app} />;
}
