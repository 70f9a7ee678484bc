"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { archivedPhrase } from "@/components/targets/archived-banner";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterChips, type FilterChip } from "@/components/ui/filter-chips";
import { Input, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { LoadMore } from "@/components/ui/load-more";
import { useDeployments } from "@/lib/deployments/hooks/use-deployments";
import { deploymentListParams } from "@/lib/deployments/query";
import type { TDeploymentListFilter, TDeploymentTimeField } from "@/lib/deployments/schemas";
import { DEPLOYMENT_STATES, type TDeploymentState } from "@/lib/deployments/states";
import { formatDateTime } from "@/lib/format/date";
import { DeploymentStateBadge } from "./deployment-state-badge";

const TIME_LABEL: Record<TDeploymentTimeField, string> = {
  requested: "requested",
  finished: "finished",
  approved: "approved",
};

/** A UTC instant as short as it can be without losing anything: the date alone at midnight. */
function formatInstant(iso: string): string {
  const s = new Date(iso).toISOString();
  return s.endsWith("T00:00:00.000Z") ? s.slice(0, 10) : `${s.replace("T", " ").slice(0, 19)}`;
}

/** `YYYY-MM-DD` → that UTC midnight as the URL carries it. */
const midnight = (day: string) => (day ? `${day}T00:00:00.000Z` : undefined);

/** The date part of an instant for a date input (the chip shows the exact instant when it is not a midnight). */
const dayOf = (iso: string | undefined) => (iso ? new Date(iso).toISOString().slice(0, 10) : "");

/** The range in words: "finished 2026-01-01 → before 2026-01-31 (UTC)". */
export function describeRange(f: Pick<TDeploymentListFilter, "timeField" | "from" | "to">): string {
  const what = TIME_LABEL[f.timeField ?? "requested"];
  if (f.from && f.to) return `${what} ${formatInstant(f.from)} → before ${formatInstant(f.to)} (UTC)`;
  if (f.from) return `${what} from ${formatInstant(f.from)} (UTC)`;
  if (f.to) return `${what} before ${formatInstant(f.to)} (UTC)`;
  return `${what} (any time)`;
}

/**
 * The deployments table with its filters (target, environment, mode, state, requester, and a range on the requested,
 * finished or approved instant). The filter lives in the URL; the server page prefetches the first page, and
 * "Load more" follows the cursor. Filters the bar has no plain control for (several states, the comparison's row
 * sets) and every active filter show as chips, so a list reached from a comparison figure says why it is narrowed.
 */
export function DeploymentList(props: {
  filter: TDeploymentListFilter;
  targets: { id: string; name: string }[];
  environments: string[];
  me: { email: string };
  /** The name (and target) of the application the filter names, for its chip. */
  applicationName?: string | undefined;
  /** Why the URL's filter was not used (it did not parse), shown above the unfiltered list. */
  invalidFilter?: string | null;
}) {
  const { filter, targets, environments, me, invalidFilter } = props;
  const router = useRouter();
  const pathname = usePathname();
  const id = useId();
  const [navigating, startNavigation] = useTransition();
  const [requester, setRequester] = useState(filter.requester ?? "");
  const [range, setRange] = useState({
    timeField: filter.timeField ?? "requested",
    from: dayOf(filter.from),
    to: dayOf(filter.to),
  });
  const [rangeError, setRangeError] = useState<string | null>(null);
  // The URL changed (a chip, back/forward, a link): the drafts follow it, without remounting (focus stays put).
  const filterKey = deploymentListParams(filter).toString();
  const [draftsFor, setDraftsFor] = useState(filterKey);
  if (draftsFor !== filterKey) {
    setDraftsFor(filterKey);
    setRequester(filter.requester ?? "");
    setRange({ timeField: filter.timeField ?? "requested", from: dayOf(filter.from), to: dayOf(filter.to) });
    setRangeError(null);
  }
  const query = useDeployments(filter);
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const timeField = filter.timeField ?? "requested";

  function apply(next: Partial<TDeploymentListFilter>) {
    const qs = deploymentListParams({ ...filter, ...next }, { withLimit: false }).toString();
    startNavigation(() => router.push(qs ? `${pathname}?${qs}` : pathname));
  }

  function onRequester(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    apply({ requester: requester.trim() || undefined });
  }

  function onRange(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    // An unchanged date keeps the URL's exact instant (a comparison link may carry one that is not a midnight).
    const from = range.from === dayOf(filter.from) ? filter.from : midnight(range.from);
    const to = range.to === dayOf(filter.to) ? filter.to : midnight(range.to);
    if (from && to && Date.parse(from) >= Date.parse(to)) {
      setRangeError("“Before” must be later than “From”.");
      return;
    }
    setRangeError(null);
    apply({ timeField: range.timeField, from, to });
  }

  function clearAll() {
    setRequester("");
    setRange({ timeField: "requested", from: "", to: "" });
    apply({
      targetId: undefined,
      applicationId: undefined,
      environment: undefined,
      mode: undefined,
      state: undefined,
      requester: undefined,
      timeField: undefined,
      from: undefined,
      to: undefined,
      waitedForApproval: undefined,
      recovery: undefined,
    });
  }

  const targetName = (tid: string) => targets.find((t) => t.id === tid)?.name ?? tid;
  const chips: FilterChip[] = [];
  if (filter.from || filter.to || timeField !== "requested") {
    chips.push({
      key: "range",
      label: `range: ${describeRange(filter)}`,
      onClear: () => {
        setRange({ timeField: "requested", from: "", to: "" });
        apply({ timeField: undefined, from: undefined, to: undefined });
      },
    });
  }
  if (filter.environment)
    chips.push({
      key: "environment",
      label: `environment: ${filter.environment}`,
      onClear: () => apply({ environment: undefined }),
    });
  if (filter.mode)
    chips.push({ key: "mode", label: `mode: ${filter.mode}`, onClear: () => apply({ mode: undefined }) });
  if (filter.targetId)
    chips.push({
      key: "target",
      label: `target: ${targetName(filter.targetId)}`,
      onClear: () => apply({ targetId: undefined }),
    });
  if (filter.applicationId)
    chips.push({
      key: "application",
      label: `application: ${props.applicationName ?? filter.applicationId}`,
      onClear: () => apply({ applicationId: undefined }),
    });
  if (filter.state?.length)
    chips.push({
      key: "state",
      label: `state: ${filter.state.join(" or ")}`,
      onClear: () => apply({ state: undefined }),
    });
  if (filter.requester) {
    chips.push({
      key: "requester",
      label: `requester: ${filter.requester}`,
      onClear: () => {
        setRequester("");
        apply({ requester: undefined });
      },
    });
  }
  if (filter.waitedForApproval)
    chips.push({
      key: "waited",
      label: "waited for people's approval",
      onClear: () => apply({ waitedForApproval: undefined }),
    });
  if (filter.recovery)
    chips.push({ key: "recovery", label: "ended a run of failures", onClear: () => apply({ recovery: undefined }) });
  const filtered = chips.length > 0;
  const stateValue = filter.state?.join(",") ?? "";

  return (
    <Card>
      <div className="space-y-3 border-b border-slate-100 px-5 py-4">
        <div className="flex flex-wrap items-end gap-3">
          <div className="flex items-center gap-2">
            <label htmlFor="deployment-target" className="text-sm text-slate-600">
              Target
            </label>
            <Select
              id="deployment-target"
              value={filter.targetId ?? ""}
              onChange={(e) => apply({ targetId: e.target.value || undefined })}
              className="w-48"
            >
              <option value="">All</option>
              {targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </Select>
          </div>
          <div className="flex items-center gap-2">
            <label htmlFor="deployment-environment" className="text-sm text-slate-600">
              Environment
            </label>
            <Select
              id="deployment-environment"
              value={filter.environment ?? ""}
              onChange={(e) => apply({ environment: e.target.value || undefined })}
              className="w-40"
            >
              <option value="">All</option>
              {[...new Set([...environments, ...(filter.environment ? [filter.environment] : [])])].map((env) => (
                <option key={env} value={env}>
                  {env}
                </option>
              ))}
            </Select>
          </div>
          <div className="flex items-center gap-2">
            <label htmlFor="deployment-mode" className="text-sm text-slate-600">
              Mode
            </label>
            <Select
              id="deployment-mode"
              value={filter.mode ?? ""}
              onChange={(e) => apply({ mode: (e.target.value || undefined) as TDeploymentListFilter["mode"] })}
              className="w-28"
            >
              <option value="">All</option>
              <option value="push">push</option>
              <option value="pull">pull (approvals)</option>
            </Select>
          </div>
          <div className="flex items-center gap-2">
            <label htmlFor="deployment-state" className="text-sm text-slate-600">
              State
            </label>
            <Select
              id="deployment-state"
              value={stateValue}
              onChange={(e) =>
                apply({ state: e.target.value ? (e.target.value.split(",") as TDeploymentState[]) : undefined })
              }
              className="w-44"
            >
              <option value="">All</option>
              {filter.state && filter.state.length > 1 ? (
                <option value={stateValue}>{filter.state.join(" or ")}</option>
              ) : null}
              {DEPLOYMENT_STATES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          </div>
          <form onSubmit={onRequester} className="flex flex-wrap items-center gap-2">
            <label htmlFor="deployment-requester" className="text-sm text-slate-600">
              Requester
            </label>
            <Input
              id="deployment-requester"
              type="search"
              placeholder="email"
              value={requester}
              onChange={(e) => setRequester(e.target.value)}
              className="w-56"
            />
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
        <form onSubmit={onRange} className="flex flex-wrap items-end gap-3" aria-label="Time range">
          <div className="flex items-center gap-2">
            <label htmlFor={`${id}-time`} className="text-sm text-slate-600">
              Range on
            </label>
            <Select
              id={`${id}-time`}
              value={range.timeField}
              onChange={(e) => setRange((r) => ({ ...r, timeField: e.target.value as TDeploymentTimeField }))}
              className="w-36"
            >
              <option value="requested">requested</option>
              <option value="finished">finished</option>
              <option value="approved">approved</option>
            </Select>
          </div>
          <div className="flex items-center gap-2">
            <label htmlFor={`${id}-from`} className="text-sm text-slate-600">
              From (UTC)
            </label>
            <Input
              id={`${id}-from`}
              type="date"
              value={range.from}
              onChange={(e) => setRange((r) => ({ ...r, from: e.target.value }))}
              className="w-40"
              aria-invalid={rangeError ? true : undefined}
              aria-describedby={rangeError ? `${id}-range-error` : undefined}
            />
          </div>
          <div className="flex items-center gap-2">
            <label htmlFor={`${id}-to`} className="text-sm text-slate-600">
              Before (UTC)
            </label>
            <Input
              id={`${id}-to`}
              type="date"
              value={range.to}
              onChange={(e) => setRange((r) => ({ ...r, to: e.target.value }))}
              className="w-40"
              aria-invalid={rangeError ? true : undefined}
              aria-describedby={rangeError ? `${id}-range-error` : undefined}
            />
          </div>
          <Button type="submit" variant="secondary">
            Apply range
          </Button>
          {rangeError ? (
            <p id={`${id}-range-error`} role="alert" className="text-sm text-red-700">
              {rangeError}
            </p>
          ) : null}
        </form>
        {invalidFilter ? (
          <p role="alert" className="text-sm text-amber-800">
            The filter in the address is not valid ({invalidFilter}); showing all deployments.
          </p>
        ) : null}
        <FilterChips chips={chips} onClearAll={clearAll} label="Deployments are filtered by" />
      </div>

      <div aria-busy={navigating || query.isFetching} className={navigating ? "opacity-60" : undefined}>
        {query.isError ? (
          <p role="alert" className="px-5 py-6 text-sm text-red-700">
            Could not load deployments: {query.error.message}
          </p>
        ) : items.length === 0 && !query.isPending ? (
          filtered ? (
            <EmptyState
              title="No deployments match these filters"
              description={`The filter (${chips.map((c) => c.label).join("; ")}) matched nothing. Change or clear it to see more.`}
              action={
                <Button variant="secondary" onClick={clearAll}>
                  Clear filters
                </Button>
              }
            />
          ) : (
            <EmptyState
              title="No deployments yet"
              description="Open a push target and choose “New deployment” to request the first one."
            />
          )
        ) : (
          <Table label="Deployments">
            <thead className="bg-slate-50">
              <tr>
                <Th>{timeField === "requested" ? "Requested" : timeField === "finished" ? "Finished" : "Approved"}</Th>
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
                      {formatDateTime(
                        timeField === "requested"
                          ? d.createdAt
                          : timeField === "finished"
                            ? d.finishedAt
                            : d.approvedAt,
                      )}
                    </Link>
                  </Td>
                  <Td>
                    {d.target.name} <span className="text-xs text-slate-500">{d.target.environment}</span>
                    {d.target.archived ? (
                      <span className="block text-xs text-amber-800">{archivedPhrase(d.target.archived)}</span>
                    ) : null}
                  </Td>
                  <Td>
                    <span className="inline-flex items-center gap-1">
                      <DeploymentStateBadge state={d.state} />
                      {d.live ? (
                        <span
                          title="The newest success of its application: what runs now."
                          data-testid="deployment-live"
                        >
                          <Badge tone="green">Live</Badge>
                        </span>
                      ) : null}
                      {d.emergency ? <Badge tone="red">emergency</Badge> : null}
                      {d.rollbackOfId ? <Badge tone="neutral">rollback</Badge> : null}
                      {d.outageStartedAt ? (
                        <Badge
                          tone="green"
                          title={`Ended a run of failures that started ${formatDateTime(d.outageStartedAt)}`}
                        >
                          recovery
                        </Badge>
                      ) : null}
                    </span>
                  </Td>
                  <Td className="max-w-xs truncate text-xs">
                    {d.git ? (
                      <span className="font-mono" title={`${d.git.url}@${d.git.ref}:${d.git.path}`}>
                        {d.git.ref} · {d.git.commitSha?.slice(0, 8)}
                      </span>
                    ) : (
                      <span className="text-slate-600">
                        {d.objectCount} pasted object{d.objectCount === 1 ? "" : "s"}
                      </span>
                    )}
                  </Td>
                  <Td className="max-w-48 truncate">{d.requestedBy.name}</Td>
                  <Td className="max-w-64 truncate text-slate-600" title={d.reason}>
                    {d.reason || <span className="text-slate-500">—</span>}
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
