"use client";

import Link from "next/link";
import { DeploymentStateBadge } from "@/components/deployments/deployment-state-badge";
import { shortRevision, SyncStateBadge } from "@/components/pull/sync-badges";
import { TargetModeBadge } from "@/components/targets/target-mode-badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { LoadMore } from "@/components/ui/load-more";
import { Table, Td, Th } from "@/components/ui/table";
import { ZRepoState } from "@/lib/agent/protocol";
import { useApplications } from "@/lib/applications/hooks/use-applications";
import type { ApplicationView, TApplicationListFilter } from "@/lib/applications/schemas";

/** Where an application's manifests come from, in one line. */
function sourceText(source: ApplicationView["source"]): string {
  if (source.kind === "manifests") return "Pasted or uploaded manifests";
  const path = source.path && source.path !== "." ? ` · ${source.path}` : "";
  return `${source.repoUrl ?? "Git"}${source.ref ? ` @ ${source.ref}` : ""}${path}`;
}

/** Push: its newest deployment; pull: what its agent last reported. */
function LastActivity({ app }: { app: ApplicationView }) {
  if (app.mode === "pull") {
    if (!app.lastSync) return <span className="text-slate-400">No sync reported yet</span>;
    const state = ZRepoState.safeParse(app.lastSync.state);
    return (
      <span className="flex flex-wrap items-center gap-2">
        {state.success ? <SyncStateBadge state={state.data} /> : app.lastSync.state}
        {app.lastSync.revision ? (
          <span className="font-mono text-xs">{shortRevision(app.lastSync.revision)}</span>
        ) : null}
        <DateTime value={app.lastSync.at} precision="minute" />
      </span>
    );
  }
  if (!app.lastDeployment) return <span className="text-slate-400">Not deployed yet</span>;
  return (
    <span className="flex flex-wrap items-center gap-2">
      <Link href={`/deployments/${app.lastDeployment.id}`} className="hover:underline">
        <DeploymentStateBadge state={app.lastDeployment.state} />
      </Link>
      <DateTime value={app.lastDeployment.finishedAt ?? app.lastDeployment.createdAt} precision="minute" />
    </span>
  );
}

/**
 * Applications by name, so one application's environments sit together; the server page prefetches the first page
 * and "Load more" follows the cursor.
 */
export function ApplicationList({
  filter,
  canCreate = false,
}: {
  filter: TApplicationListFilter;
  /** Deployers and admins: the empty list offers to create one. */
  canCreate?: boolean;
}) {
  const query = useApplications(filter);
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card>
      <div aria-busy={query.isFetching}>
        {query.isError ? (
          <p role="alert" className="px-5 py-6 text-sm text-red-700">
            Could not load applications: {query.error.message}
          </p>
        ) : items.length === 0 && !query.isPending ? (
          filter.name || filter.targetId ? (
            <EmptyState
              title="No applications match"
              description="No application has this name or target."
              action={
                <Link href="/applications" className="text-sm font-medium text-brand-700 hover:underline">
                  Show all applications
                </Link>
              }
            />
          ) : (
            <EmptyState
              title="No applications yet"
              description="An application is what Wharf delivers to one target: a Git folder (plain YAML, kustomize or a Helm chart) or manifests sent with each deployment."
              action={
                canCreate ? (
                  <Button asChild>
                    <Link href="/applications/new">Create your first application</Link>
                  </Button>
                ) : (
                  <p className="text-sm text-slate-500">Deployers and admins can create applications.</p>
                )
              }
            />
          )
        ) : (
          <Table label="Applications">
            <thead className="bg-slate-50">
              <tr>
                <Th>Name</Th>
                <Th>Target</Th>
                <Th>Environment</Th>
                <Th>Mode</Th>
                <Th>Source</Th>
                <Th>Last deployment or sync</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((a) => (
                <tr key={a.id} className="hover:bg-slate-50">
                  <Td>
                    <Link href={`/applications/${a.id}`} className="font-medium text-brand-700 hover:underline">
                      {a.name}
                    </Link>
                    {filter.name ? null : (
                      <Link
                        href={`/applications?name=${encodeURIComponent(a.name)}`}
                        className="ml-2 text-xs text-slate-500 hover:underline"
                        aria-label={`${a.name} on every target`}
                        title="This application on every target"
                      >
                        all targets
                      </Link>
                    )}
                  </Td>
                  <Td>
                    <Link href={`/targets/${a.target.id}`} className="hover:underline">
                      {a.target.name}
                    </Link>
                  </Td>
                  <Td>{a.target.environment}</Td>
                  <Td>
                    <TargetModeBadge mode={a.mode} />
                  </Td>
                  <Td className="max-w-xs truncate font-mono text-xs" title={sourceText(a.source)}>
                    {sourceText(a.source)}
                  </Td>
                  <Td>
                    <LastActivity app={a} />
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>
      <LoadMore query={query} />
    </Card>
  );
}
