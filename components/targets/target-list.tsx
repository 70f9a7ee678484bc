"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { LoadMore } from "@/components/ui/load-more";
import { useTargets } from "@/lib/targets/hooks/use-targets";
import { TARGET_LIST_LIMIT_DEFAULT, TARGET_MODES, type TTargetListFilter } from "@/lib/targets/schemas";
import { archivedPhrase } from "./archived-banner";
import { TargetModeBadge } from "./target-mode-badge";

/**
 * The targets table with its search and filters. The filter lives in the URL (shareable, back button works); the
 * server page prefetches the first page for it, and "Load more" follows the cursor.
 */
export function TargetList({
  filter,
  environments,
  canManage,
}: {
  filter: TTargetListFilter;
  environments: string[];
  canManage: boolean;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [navigating, startNavigation] = useTransition();
  const [q, setQ] = useState(filter.q ?? "");
  const query = useTargets(filter);
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(filter.q || filter.mode || filter.environment || filter.deleted);

  function apply(next: Partial<TTargetListFilter>) {
    const merged = { ...filter, ...next };
    const params = new URLSearchParams();
    if (merged.q) params.set("q", merged.q);
    if (merged.mode) params.set("mode", merged.mode);
    if (merged.environment) params.set("environment", merged.environment);
    if (merged.deleted) params.set("deleted", merged.deleted);
    if (merged.limit !== TARGET_LIST_LIMIT_DEFAULT) params.set("limit", String(merged.limit));
    const qs = params.toString();
    startNavigation(() => router.push(qs ? `${pathname}?${qs}` : pathname));
  }

  function onSearch(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    apply({ q: q.trim() || undefined });
  }

  return (
    <Card>
      <div className="flex flex-wrap items-end gap-3 border-b border-slate-100 px-5 py-4">
        <form role="search" onSubmit={onSearch} className="flex min-w-64 flex-1 gap-2">
          <label htmlFor="target-search" className="sr-only">
            Search targets by name or owner team
          </label>
          <Input
            id="target-search"
            type="search"
            placeholder="Search name or team…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
        <div className="flex items-center gap-2">
          <label htmlFor="target-mode" className="text-sm text-slate-600">
            Mode
          </label>
          <Select
            id="target-mode"
            value={filter.mode ?? ""}
            onChange={(e) => apply({ mode: (e.target.value || undefined) as TTargetListFilter["mode"] })}
            className="w-28"
          >
            <option value="">All</option>
            {TARGET_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </Select>
        </div>
        <div className="flex items-center gap-2">
          <label htmlFor="target-environment" className="text-sm text-slate-600">
            Environment
          </label>
          <Select
            id="target-environment"
            value={filter.environment ?? ""}
            onChange={(e) => apply({ environment: e.target.value || undefined })}
            className="w-40"
          >
            <option value="">All</option>
            {/* Keep a filter from the URL selectable even if no target uses that environment any more. */}
            {(filter.environment && !environments.includes(filter.environment)
              ? [filter.environment, ...environments]
              : environments
            ).map((env) => (
              <option key={env} value={env}>
                {env}
              </option>
            ))}
          </Select>
        </div>
        {/* Deleted targets are history: shown only on request, marked, so their pages (and deployments) are a click away. */}
        <label className="flex items-center gap-2 text-sm text-slate-600">
          <input
            type="checkbox"
            checked={filter.deleted === "include"}
            onChange={(e) => apply({ deleted: e.target.checked ? "include" : undefined })}
          />
          Include deleted
        </label>
      </div>

      <div aria-busy={navigating || query.isFetching} className={navigating ? "opacity-60" : undefined}>
        {query.isError ? (
          <p role="alert" className="px-5 py-6 text-sm text-red-700">
            Could not load targets: {query.error.message}
          </p>
        ) : items.length === 0 && !query.isPending ? (
          filtered ? (
            <EmptyState
              title="No targets match"
              description="Try another search, or clear the filters."
              action={
                <Button
                  variant="secondary"
                  onClick={() => {
                    setQ("");
                    apply({ q: undefined, mode: undefined, environment: undefined, deleted: undefined });
                  }}
                >
                  Clear filters
                </Button>
              }
            />
          ) : (
            <EmptyState
              title="No deployment targets yet"
              description={
                canManage
                  ? "Register a cluster to deploy to, or import every context of a kubeconfig at once."
                  : "An admin has not registered any clusters yet."
              }
              action={
                canManage ? (
                  <div className="flex gap-2">
                    <Button asChild>
                      <Link href="/targets/new">New target</Link>
                    </Button>
                    <Button asChild variant="secondary">
                      <Link href="/targets/import">Import from kubeconfig</Link>
                    </Button>
                  </div>
                ) : undefined
              }
            />
          )
        ) : (
          <Table label="Deployment targets">
            <thead className="bg-slate-50">
              <tr>
                <Th>Name</Th>
                <Th>Mode</Th>
                <Th>Environment</Th>
                <Th>Approvals</Th>
                <Th>Owner team</Th>
                <Th>API server</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((t) => (
                <tr key={t.id} className="hover:bg-slate-50">
                  <Td>
                    <Link href={`/targets/${t.id}`} className="font-medium text-brand-700 hover:underline">
                      {t.name}
                    </Link>
                    {t.archived ? (
                      <span className="block text-xs text-amber-800">{archivedPhrase(t.archived)}</span>
                    ) : null}
                  </Td>
                  <Td>
                    <TargetModeBadge mode={t.mode} />
                  </Td>
                  <Td>{t.environment}</Td>
                  <Td
                    title={
                      t.requiredApprovals === 0 ? "No approval needed" : `${t.requiredApprovals} approval(s) required`
                    }
                  >
                    {t.requiredApprovals === 0 ? <span className="text-slate-500">none</span> : t.requiredApprovals}
                  </Td>
                  <Td>{t.ownerTeam || <span className="text-slate-500">—</span>}</Td>
                  <Td className="max-w-xs truncate font-mono text-xs" title={t.serverUrl}>
                    {t.serverUrl}
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
