"use client";

import Link from "next/link";
import { ResultBadge } from "@/components/applications/result-badge";
import { shortRevision } from "@/components/pull/sync-badges";
import { TargetModeBadge } from "@/components/targets/target-mode-badge";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { LoadMore } from "@/components/ui/load-more";
import { RelativeTime } from "@/components/ui/relative-time";
import { useEnvironmentMatrix } from "@/lib/applications/hooks/use-environment-matrix";
import { sameRevision } from "@/lib/applications/matrix";
import type { TMatrixEntry, TMatrixRevision } from "@/lib/applications/matrix-schemas";
import { cn } from "@/lib/utils";
import { PromoteDialog } from "./promote-dialog";

const HEALTH_TONE: Record<string, BadgeTone> = {
  Healthy: "green",
  Progressing: "blue",
  Degraded: "red",
  Suspended: "neutral",
  Missing: "yellow",
  Unknown: "neutral",
};

/** Push: the commit (else the rendered manifests' digest); pull: the applied revision id, shortened. */
function revisionText(r: TMatrixRevision): string {
  if (r.revisionId) return shortRevision(r.revisionId);
  const digest = r.manifestsDigest ? `manifests ${r.manifestsDigest.replace(/^sha256:/, "").slice(0, 8)}` : "";
  return r.commitSha ? `${r.commitSha.slice(0, 7)}${digest ? ` · ${digest}` : ""}` : digest || "—";
}

function Entry({ entry }: { entry: TMatrixEntry }) {
  return (
    <Link
      href={`/applications/${entry.applicationId}`}
      data-testid="matrix-entry"
      data-differs={entry.differsFromPrevious === true ? "true" : undefined}
      className={cn(
        "block rounded-md px-2 py-1.5 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
        entry.differsFromPrevious && "bg-amber-50 ring-1 ring-inset ring-amber-300 hover:bg-amber-100",
      )}
    >
      <span className="flex flex-wrap items-center gap-1.5">
        <span className="text-xs font-medium text-slate-800">{entry.target.name}</span>
        <TargetModeBadge mode={entry.mode} />
        <ResultBadge state={entry.result.state} message={entry.result.message} />
        {entry.health ? (
          <Badge tone={HEALTH_TONE[entry.health.status] ?? "neutral"} title={entry.health.message ?? undefined}>
            {entry.health.status}
          </Badge>
        ) : null}
      </span>
      <span className="mt-1 flex flex-wrap items-center gap-x-2 text-xs text-slate-600">
        {entry.revision ? (
          <>
            <span className="font-mono" title={entry.revision.revisionId ?? entry.revision.commitSha ?? undefined}>
              {revisionText(entry.revision)}
            </span>
            <RelativeTime value={entry.revision.at} never="" />
          </>
        ) : (
          <span className="text-slate-500">nothing live yet</span>
        )}
      </span>
      {entry.differsFromPrevious ? (
        <span className="mt-1 block text-xs font-medium text-amber-800">differs from the previous environment</span>
      ) : null}
    </Link>
  );
}

/** The entries of the next environment after column `i` that holds the application (promotion's destinations). */
function nextCell(byEnvironment: Map<string, TMatrixEntry[]>, environments: string[], i: number): TMatrixEntry[] {
  for (const e of environments.slice(i + 1)) {
    const cell = byEnvironment.get(e);
    if (cell?.length) return cell;
  }
  return [];
}

/**
 * Applications × environments: one row per application name, one column per environment (WHARF_ENVIRONMENT_ORDER).
 * The table scrolls sideways inside its own box with the names pinned, so it stays usable on a phone.
 */
export function EnvironmentMatrix({
  limit,
  canPromote = false,
}: {
  limit: number;
  /** Deployers and admins: cells offer to promote their live revision to the next environment's same-mode target. */
  canPromote?: boolean;
}) {
  const query = useEnvironmentMatrix(limit);
  const pages = query.data?.pages ?? [];
  // Every page names the same columns (all target environments); the newest page's list is authoritative.
  const environments = pages[pages.length - 1]?.environments ?? [];
  const rows = pages.flatMap((p) =>
    p.rows.map((r) => ({
      name: r.name,
      byEnvironment: new Map(p.environments.map((e, i) => [e, r.cells[i] ?? []])),
    })),
  );

  return (
    <Card>
      <div aria-busy={query.isFetching}>
        {query.isError ? (
          <p role="alert" className="px-5 py-6 text-sm text-red-700">
            Could not load the matrix: {query.error.message}
          </p>
        ) : rows.length === 0 && !query.isPending ? (
          <EmptyState
            title="No applications yet"
            description="Each application appears here once per environment it is delivered to, with what is live there."
            action={
              <Link href="/applications" className="text-sm font-medium text-brand-700 hover:underline">
                Go to applications
              </Link>
            }
          />
        ) : (
          <div className="overflow-x-auto" data-testid="matrix-scroll">
            <table
              aria-label="Applications by environment"
              className="min-w-full border-separate border-spacing-0 text-sm"
            >
              <thead className="bg-slate-50">
                <tr>
                  <th
                    scope="col"
                    className="sticky left-0 z-10 border-b border-r border-slate-200 bg-slate-50 px-4 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500"
                  >
                    Application
                  </th>
                  {environments.map((e) => (
                    <th
                      key={e}
                      scope="col"
                      className="min-w-[13rem] border-b border-slate-200 px-4 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500"
                    >
                      {e}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.name}>
                    <th
                      scope="row"
                      className="sticky left-0 z-10 max-w-[9rem] truncate border-b border-r border-slate-100 bg-white px-4 py-2 text-left align-top font-medium text-slate-900"
                      title={r.name}
                    >
                      {r.name}
                    </th>
                    {environments.map((e, i) => {
                      const cell = r.byEnvironment.get(e) ?? [];
                      const next = canPromote ? nextCell(r.byEnvironment, environments, i) : [];
                      return (
                        <td key={e} className="border-b border-slate-100 px-2 py-1.5 align-top">
                          {cell.length === 0 ? (
                            <span className="px-2 text-slate-300" aria-label={`${r.name} is not in ${e}`}>
                              —
                            </span>
                          ) : (
                            <div className="flex flex-col gap-1">
                              {cell.map((entry) => (
                                <div key={entry.applicationId}>
                                  <Entry entry={entry} />
                                  {entry.revision
                                    ? next
                                        .filter(
                                          (to) =>
                                            // Push to push (a deployment request), pull to pull (a pinned revision).
                                            to.mode === entry.mode &&
                                            (!to.revision || sameRevision(entry.revision!, to.revision) !== true),
                                        )
                                        .map((to) => (
                                          <PromoteDialog
                                            key={to.applicationId}
                                            name={r.name}
                                            from={entry}
                                            to={to}
                                            fromText={revisionText(entry.revision!)}
                                            toText={to.revision ? revisionText(to.revision) : "nothing yet"}
                                          />
                                        ))
                                    : null}
                                </div>
                              ))}
                            </div>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <LoadMore query={query} />
    </Card>
  );
}
