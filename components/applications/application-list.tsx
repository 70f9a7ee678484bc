"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { HealthBadge } from "@/components/applications/health-badge";
import { ResultBadge } from "@/components/applications/result-badge";
import { SyncStatusBadge } from "@/components/applications/sync-status-badge";
import { shortRevision } from "@/components/pull/sync-badges";
import { TargetModeBadge } from "@/components/targets/target-mode-badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterChips, type FilterChip } from "@/components/ui/filter-chips";
import { Input, Select } from "@/components/ui/input";
import { LoadMore } from "@/components/ui/load-more";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, Td, Th } from "@/components/ui/table";
import { HEALTH_CODES } from "@/lib/agent/protocol";
import { useApplications } from "@/lib/applications/hooks/use-applications";
import { applicationListParams, hasApplicationFilters } from "@/lib/applications/query";
import {
  SYNC_STATUSES,
  type ApplicationListItem,
  type ApplicationView,
  type TApplicationListFilter,
} from "@/lib/applications/schemas";
import type { HealthStatusCode } from "@/lib/kube/health";

/** Where an application's manifests come from, in one line. */
function sourceText(source: ApplicationView["source"]): string {
  if (source.kind === "manifests") return "Pasted or uploaded manifests";
  const path = source.path && source.path !== "." ? ` · ${source.path}` : "";
  return `${source.repoUrl ?? "Git"}${source.ref ? ` @ ${source.ref}` : ""}${path}`;
}

const isHealth = (s: string): s is HealthStatusCode => (HEALTH_CODES as readonly string[]).includes(s);

/** How many images a row names before "+N more" (the rest are in its tooltip, up to the summary's bound). */
const IMAGES_SHOWN = 2;

/** What runs: the commit (or pull revision), the Helm chart and the first images. */
function LiveRevision({ app }: { app: ApplicationListItem }) {
  const live = app.live;
  if (!live)
    return <span className="text-slate-500">{app.mode === "pull" ? "Nothing synced yet" : "Nothing live"}</span>;
  const summary = live.summary;
  const images = summary?.images ?? [];
  const more = (summary?.imageCount ?? 0) - Math.min(images.length, IMAGES_SHOWN);
  const revision = live.commitSha
    ? live.commitSha.slice(0, 7)
    : live.revisionId
      ? shortRevision(live.revisionId)
      : null;
  return (
    <span className="flex max-w-xs flex-col gap-0.5 text-xs" data-testid="live-revision">
      <span className="flex flex-wrap items-center gap-x-2">
        {revision ? (
          live.deploymentId ? (
            <Link
              href={`/deployments/${live.deploymentId}`}
              className="font-mono hover:underline"
              title={live.commitSha ?? undefined}
            >
              {revision}
            </Link>
          ) : (
            <span className="font-mono" title={live.revisionId ?? live.commitSha ?? undefined}>
              {revision}
            </span>
          )
        ) : (
          <span className="text-slate-500">manifests</span>
        )}
        {summary?.chart ? (
          <span title="Helm chart">
            {summary.chart.name} {summary.chart.version}
          </span>
        ) : null}
      </span>
      {images.length ? (
        <span className="truncate font-mono text-slate-500" title={images.join("\n")}>
          {images.slice(0, IMAGES_SHOWN).join(", ")}
          {more > 0 ? ` +${more} more` : ""}
        </span>
      ) : null}
    </span>
  );
}

/** The last deployment (push) or sync (pull), its result and how long ago. */
function LastResult({ app }: { app: ApplicationListItem }) {
  const badge = <ResultBadge state={app.result.state} message={app.result.message} />;
  return (
    <span className="flex flex-wrap items-center gap-2">
      {app.mode === "push" && app.lastDeployment ? (
        <Link href={`/deployments/${app.lastDeployment.id}`} className="hover:underline">
          {badge}
        </Link>
      ) : (
        badge
      )}
      {app.result.at ? (
        <span className="text-xs text-slate-500">
          <RelativeTime value={app.result.at} />
        </span>
      ) : null}
    </span>
  );
}

type FilterKey = Exclude<keyof TApplicationListFilter, "limit">;

/**
 * Applications by name, so one application's environments sit together, with what runs, its sync and health and
 * what last happened. The filters live in the URL (a link shares them; back and forward move between them); the
 * server page prefetches the first page and "Load more" follows the cursor. The table scrolls inside its card on a
 * phone, never the page.
 */
export function ApplicationList({
  filter,
  targets,
  environments,
  canCreate = false,
}: {
  filter: TApplicationListFilter;
  /** The target filter's choices (the filtered one among them). */
  targets: { id: string; name: string }[];
  environments: string[];
  /** Deployers and admins: the empty list offers to create one. */
  canCreate?: boolean;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [navigating, startNavigation] = useTransition();
  const [search, setSearch] = useState(filter.q ?? "");
  // The URL changed (a chip, back/forward, a link): the search box follows it without remounting (focus stays put).
  const [searchFor, setSearchFor] = useState(filter.q ?? "");
  if (searchFor !== (filter.q ?? "")) {
    setSearchFor(filter.q ?? "");
    setSearch(filter.q ?? "");
  }
  const query = useApplications(filter);
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = hasApplicationFilters(filter);

  function apply(next: Partial<Record<FilterKey, string | undefined>>) {
    // Values come from the form's own options (or the URL's already-parsed filter), so they are the filter's types.
    const qs = applicationListParams({ ...filter, ...next } as Partial<TApplicationListFilter>, {
      withLimit: false,
    }).toString();
    startNavigation(() => router.push(qs ? `${pathname}?${qs}` : pathname));
  }

  function onSearch(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    apply({ q: search.trim() || undefined });
  }

  function clearAll() {
    setSearch("");
    startNavigation(() => router.push(pathname));
  }

  const targetName = (id: string) => targets.find((t) => t.id === id)?.name ?? id;
  const chips: FilterChip[] = [];
  const chip = (key: FilterKey, label: string) =>
    chips.push({ key, label, onClear: () => apply({ [key]: undefined }) });
  if (filter.q) chip("q", `name contains “${filter.q}”`);
  if (filter.name) chip("name", `name: ${filter.name}`);
  if (filter.mode) chip("mode", `mode: ${filter.mode}`);
  if (filter.environment) chip("environment", `environment: ${filter.environment}`);
  if (filter.targetId) chip("targetId", `target: ${targetName(filter.targetId)}`);
  if (filter.health) chip("health", `health: ${filter.health}`);
  if (filter.sync) chip("sync", `sync: ${filter.sync}`);

  const select = (key: FilterKey, label: string, options: { value: string; label: string }[], width: string) => (
    <div className="flex items-center gap-2">
      <label htmlFor={`application-${key}`} className="text-sm text-slate-600">
        {label}
      </label>
      <Select
        id={`application-${key}`}
        value={filter[key] ?? ""}
        onChange={(e) => apply({ [key]: e.target.value || undefined })}
        className={width}
      >
        <option value="">All</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </Select>
    </div>
  );

  return (
    <Card>
      <div className="flex flex-col gap-3 border-b border-slate-100 px-5 py-4">
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
          <form role="search" aria-label="Applications" onSubmit={onSearch} className="flex items-center gap-2">
            <label htmlFor="application-q" className="text-sm text-slate-600">
              Name
            </label>
            <Input
              id="application-q"
              type="search"
              placeholder="contains…"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              className="w-44"
            />
            <Button type="submit" variant="secondary">
              Search
            </Button>
          </form>
          {select(
            "mode",
            "Mode",
            [
              { value: "push", label: "push" },
              { value: "pull", label: "pull" },
            ],
            "w-24",
          )}
          {select(
            "environment",
            "Environment",
            [...new Set([...environments, ...(filter.environment ? [filter.environment] : [])])].map((e) => ({
              value: e,
              label: e,
            })),
            "w-36",
          )}
          {select(
            "targetId",
            "Target",
            targets.map((t) => ({ value: t.id, label: t.name })),
            "w-44",
          )}
          {select(
            "health",
            "Health",
            HEALTH_CODES.map((h) => ({ value: h, label: h })),
            "w-36",
          )}
          {select(
            "sync",
            "Sync",
            SYNC_STATUSES.map((s) => ({ value: s, label: s })),
            "w-32",
          )}
        </div>
        <FilterChips chips={chips} onClearAll={clearAll} label="Applications are filtered by" />
      </div>
      <div aria-busy={navigating || query.isFetching} className={navigating ? "opacity-60" : undefined}>
        {query.isError ? (
          <p role="alert" className="px-5 py-6 text-sm text-red-700">
            Could not load applications: {query.error.message}
          </p>
        ) : items.length === 0 && !query.isPending ? (
          filtered ? (
            <EmptyState
              title="No applications match these filters"
              description={`Nothing matches ${chips.map((c) => c.label).join("; ")}. Change or clear the filters to see more.`}
              action={
                <Link
                  href="/applications"
                  onClick={() => setSearch("")}
                  className="text-sm font-medium text-brand-700 hover:underline"
                >
                  Clear filters
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
                <Th>Environment / target</Th>
                <Th>Mode</Th>
                <Th>Sync</Th>
                <Th>Health</Th>
                <Th>Live revision</Th>
                <Th>Last deployment or sync</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((a) => (
                <tr key={a.id} className="hover:bg-slate-50" data-testid="application-row">
                  <Td>
                    <span className="flex flex-col">
                      <span>
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
                      </span>
                      <span className="max-w-56 truncate font-mono text-xs text-slate-500" title={sourceText(a.source)}>
                        {sourceText(a.source)}
                      </span>
                    </span>
                  </Td>
                  <Td>
                    <span className="flex flex-col">
                      <span>{a.target.environment}</span>
                      <Link href={`/targets/${a.target.id}`} className="text-xs text-slate-500 hover:underline">
                        {a.target.name}
                      </Link>
                    </span>
                  </Td>
                  <Td>
                    <TargetModeBadge mode={a.mode} />
                  </Td>
                  <Td>
                    <SyncStatusBadge status={a.sync} />
                  </Td>
                  <Td>
                    {a.health ? (
                      <span className="flex flex-col gap-0.5">
                        <HealthBadge
                          status={isHealth(a.health.status) ? a.health.status : "Unknown"}
                          message={a.health.message ?? undefined}
                        />
                        <span className="text-xs text-slate-500">
                          <RelativeTime value={a.health.observedAt} />
                        </span>
                      </span>
                    ) : (
                      <span className="text-xs text-slate-500">Not reported</span>
                    )}
                  </Td>
                  <Td>
                    <LiveRevision app={a} />
                  </Td>
                  <Td>
                    <LastResult app={a} />
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
