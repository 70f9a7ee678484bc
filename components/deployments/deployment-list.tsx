"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { useDeployments } from "@/lib/deployments/hooks/use-deployments";
import { DEPLOYMENT_LIST_LIMIT_DEFAULT, type TDeploymentListFilter } from "@/lib/deployments/schemas";
import { DEPLOYMENT_STATES } from "@/lib/deployments/states";
import { DeploymentStateBadge, formatWhen } from "./deployment-state-badge";

/**
 * The deployments table with its filters (target, state, requester). The filter lives in the URL; the server page
 * prefetches the first page, and "Load more" follows the cursor.
 */
export function DeploymentList(props: { filter: TDeploymentListFilter; targets: { id: string; name: string }[]; me: { email: string } }) {
  const { filter, targets, me } = props;
  const router = useRouter();
  const pathname = usePathname();
  const [navigating, startNavigation] = useTransition();
  const [requester, setRequester] = useState(filter.requester ?? "");
  const query = useDeployments(filter);
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(filter.targetId || filter.state || filter.requester);

  function apply(next: Partial<TDeploymentListFilter>) {
    const merged = { ...filter, ...next };
    const params = new URLSearchParams();
    if (merged.targetId) params.set("targetId", merged.targetId);
    if (merged.state) params.set("state", merged.state);
    if (merged.requester) params.set("requester", merged.requester);
    if (merged.limit !== DEPLOYMENT_LIST_LIMIT_DEFAULT) params.set("limit", String(merged.limit));
    const qs = params.toString();
    startNavigation(() => router.push(qs ? `${pathname}?${qs}` : pathname));
  }

  function onRequester(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    apply({ requester: requester.trim() || undefined });
  }

  return (
    <Card>
      <div className="flex flex-wrap items-end gap-3 border-b border-slate-100 px-5 py-4">
        <div className="flex items-center gap-2">
          <label htmlFor="deployment-target" className="text-sm text-slate-600">
            Target
          </label>
          <Select id="deployment-target" value={filter.targetId ?? ""} onChange={(e) => apply({ targetId: e.target.value || undefined })} className="w-48">
            <option value="">All</option>
            {targets.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="flex items-center gap-2">
          <label htmlFor="deployment-state" className="text-sm text-slate-600">
            State
          </label>
          <Select
            id="deployment-state"
            value={filter.state ?? ""}
            onChange={(e) => apply({ state: (e.target.value || undefined) as TDeploymentListFilter["state"] })}
            className="w-44"
          >
            <option value="">All</option>
            {DEPLOYMENT_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </div>
        <form onSubmit={onRequester} className="flex items-center gap-2">
          <label htmlFor="deployment-requester" className="text-sm text-slate-600">
            Requester
          </label>
          <Input id="deployment-requester" type="search" placeholder="email" value={requester} onChange={(e) => setRequester(e.target.value)} className="w-56" />
          <Button type="submit" variant="secondary">
            Filter
          </Button>
          <Button
            variant="ghost"
            onClick={() => {
              setRequester(me.email);
              apply({ requester: me.email });
            }}
          >
            Mine
          </Button>
        </form>
      </div>

      <div aria-busy={navigating || query.isFetching} className={navigating ? "opacity-60" : undefined}>
        {query.isError ? (
          <p role="alert" className="px-5 py-6 text-sm text-red-700">
            Could not load deployments: {query.error.message}
          </p>
        ) : items.length === 0 && !query.isPending ? (
          filtered ? (
            <EmptyState
              title="No deployments match"
              description="Try other filters, or clear them."
              action={
                <Button
                  variant="secondary"
                  onClick={() => {
                    setRequester("");
                    apply({ targetId: undefined, state: undefined, requester: undefined });
                  }}
                >
                  Clear filters
                </Button>
              }
            />
          ) : (
            <EmptyState title="No deployments yet" description="Open a push target and choose “New deployment” to request the first one." />
          )
        ) : (
          <Table label="Deployments">
            <thead className="bg-slate-50">
              <tr>
                <Th>Requested</Th>
                <Th>Target</Th>
                <Th>State</Th>
                <Th>Source</Th>
                <Th>Requester</Th>
                <Th>Reason</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((d) => (
                <tr key={d.id} className="hover:bg-slate-50">
                  <Td className="whitespace-nowrap">
                    <Link href={`/deployments/${d.id}`} className="font-medium text-brand-700 hover:underline">
                      {formatWhen(d.createdAt)}
                    </Link>
                  </Td>
                  <Td>
                    {d.target.name} <span className="text-xs text-slate-500">{d.target.environment}</span>
                  </Td>
                  <Td>
                    <span className="inline-flex items-center gap-1">
                      <DeploymentStateBadge state={d.state} />
                      {d.emergency ? <Badge tone="red">emergency</Badge> : null}
                      {d.rollbackOfId ? <Badge tone="neutral">rollback</Badge> : null}
                    </span>
                  </Td>
                  <Td className="max-w-xs truncate text-xs">
                    {d.git ? (
                      <span className="font-mono" title={`${d.git.url}@${d.git.ref}:${d.git.path}`}>
                        {d.git.ref} · {d.git.commitSha?.slice(0, 8)}
                      </span>
                    ) : (
                      <span className="text-slate-600">{d.objectCount} pasted object{d.objectCount === 1 ? "" : "s"}</span>
                    )}
                  </Td>
                  <Td className="max-w-48 truncate">{d.requestedBy.name}</Td>
                  <Td className="max-w-64 truncate text-slate-600" title={d.reason}>
                    {d.reason || <span className="text-slate-400">—</span>}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>

      {query.hasNextPage ? (
        <div className="flex justify-center border-t border-slate-100 px-5 py-3">
          <Button variant="secondary" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
