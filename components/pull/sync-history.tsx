"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterChips, type FilterChip } from "@/components/ui/filter-chips";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { LoadMore } from "@/components/ui/load-more";
import { SYNC_RESULTS, SYNC_TRIGGERS } from "@/lib/agent/protocol";
import { usePinRepo } from "@/lib/repos/hooks/use-repo-mutations";
import { useSyncEvents } from "@/lib/sync/hooks/use-sync-events";
import { useSyncLive } from "@/lib/sync/hooks/use-sync-live";
import { normalizeSyncFilter } from "@/lib/sync/query";
import type { SyncEventView, TSyncEventFilter } from "@/lib/sync/schemas";
import { formatDuration } from "@/lib/format/duration";
import { PinDialog } from "./pin-dialog";
import { shortRevision, SyncResultBadge } from "./sync-badges";

function Counts({ e }: { e: SyncEventView }) {
  const { created, changed, pruned } = e.counts;
  if (created + changed + pruned + e.counts.unchanged === 0) return <span className="text-slate-500">—</span>;
  return (
    <span className="text-xs">
      +{created} ~{changed} −{pruned}
    </span>
  );
}

function EventRow({
  e,
  canRollback,
  onRollback,
  pending,
  error,
}: {
  e: SyncEventView;
  canRollback: boolean;
  onRollback: (e: SyncEventView, done: () => void) => void;
  pending: boolean;
  error: string | null;
}) {
  const hasMore = e.problems.length > 0 || e.drift.length > 0 || e.image !== null;
  return (
    <tr className="align-top" data-testid="sync-event-row">
      <Td>
        {/* The event's page: its record of what was applied (digest, download, who approved). */}
        <Link className="text-brand-700 hover:underline" href={`/sync/${e.id}`} data-testid="sync-event-link">
          <DateTime value={e.occurredAt} precision="minute" />
        </Link>
      </Td>
      <Td className="whitespace-normal">
        {e.target.name ? (
          <Link className="text-brand-700 hover:underline" href={`/targets/${e.target.id}`}>
            {e.target.name}
          </Link>
        ) : (
          <span className="font-mono text-xs">{e.target.id}</span>
        )}
        {e.spec ? (
          // The settings this revision was synced with, not the repository's current ones: three registrations of
          // one repository (or one registration before and after a change of path) read apart.
          <div className="max-w-48 font-mono text-xs text-slate-500" data-testid="sync-event-spec">
            <div className="truncate" title={e.spec.url}>
              {`${e.spec.url.replace(/^[a-z]+:\/\//, "")} @ ${e.spec.branch}`}
            </div>
            <div className="truncate" title={e.spec.path}>
              {e.spec.path === "." ? "/" : e.spec.path}
              {e.spec.render !== "auto" ? ` · ${e.spec.render}` : ""}
            </div>
          </div>
        ) : (
          <div className="max-w-48 truncate font-mono text-xs text-slate-500" title={e.repo?.url}>
            {e.repo ? `${e.repo.url.replace(/^[a-z]+:\/\//, "")} @ ${e.repo.branch}` : "removed repository"}
          </div>
        )}
      </Td>
      <Td className="whitespace-normal">
        {e.revision ? (
          <>
            <span className="font-mono text-xs" title={e.revision.id ?? e.revision.sha}>
              {shortRevision(e.revision.id ?? e.revision.sha)}
            </span>
            <div className="max-w-48 truncate text-xs text-slate-600" title={e.revision.message ?? undefined}>
              {e.revision.message}
            </div>
            <div className="text-xs text-slate-500">{e.revision.authorName}</div>
          </>
        ) : (
          "—"
        )}
      </Td>
      <Td>{e.trigger}</Td>
      <Td>
        <SyncResultBadge result={e.result} />
      </Td>
      <Td>
        <Counts e={e} />
      </Td>
      <Td className="text-xs">{formatDuration(e.durationMs)}</Td>
      <Td className="whitespace-normal text-xs">
        <div className="max-w-80">
          {e.image ? `image updated ${e.image.from ?? "(none)"} → ${e.image.to}` : e.message}
        </div>
        {e.pinRequestId ? (
          // A dry run of someone's pin request: the commit it names is what they asked for, not what runs.
          <Link className="text-blue-700 underline" href={`/deployments/${e.pinRequestId}`}>
            Dry run of a pin request awaiting approval
          </Link>
        ) : null}
        {hasMore ? (
          <details className="mt-1">
            <summary className="cursor-pointer text-slate-500">details</summary>
            <ul className="mt-1 space-y-0.5">
              {e.problems.map((p, i) => (
                <li key={`p${i}`} className="text-red-700">
                  {p.file}
                  {p.document !== undefined ? ` (document ${p.document + 1}` : ""}
                  {p.line !== undefined ? `${p.document !== undefined ? ", " : " ("}line ${p.line}` : ""}
                  {p.document !== undefined || p.line !== undefined ? ")" : ""}: {p.message}
                </li>
              ))}
              {e.drift.map((d, i) => (
                <li key={`d${i}`}>
                  {d.ref.kind} {d.ref.namespace ? `${d.ref.namespace}/` : ""}
                  {d.ref.name}: {d.fields.join(", ")}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </Td>
      <Td>
        {/* Never on the revision running now: "rolling back" to it would only stop the agent following the branch. */}
        {canRollback && e.repo && e.revision && !e.live && (e.result === "synced" || e.result === "drift-corrected") ? (
          <PinDialog
            repoId={e.repo.id}
            revision={e.revision.id ?? e.revision.sha}
            pending={pending}
            error={error}
            onConfirm={(done) => onRollback(e, done)}
            trigger={
              <Button variant="ghost" size="sm" disabled={pending}>
                Roll back to this
              </Button>
            }
          />
        ) : e.live ? (
          <span className="text-xs text-slate-500">running now</span>
        ) : null}
      </Td>
    </tr>
  );
}

/** Sync history with filters in the URL, cursor pages ("Load more"), refreshed live. */
export function SyncHistory({
  initialFilter,
  targets,
  canRollback,
}: {
  initialFilter: TSyncEventFilter;
  targets: { id: string; name: string }[];
  canRollback: boolean;
}) {
  const id = useId();
  const router = useRouter();
  const pathname = usePathname();
  const [filter, setFilter] = useState<TSyncEventFilter>(initialFilter);
  const [draft, setDraft] = useState<TSyncEventFilter>(initialFilter);
  // A link from this page to itself (a day of the sync chart) keeps this component mounted with a new filter.
  const [fromUrl, setFromUrl] = useState(initialFilter);
  if (JSON.stringify(normalizeSyncFilter(initialFilter)) !== JSON.stringify(normalizeSyncFilter(fromUrl))) {
    setFromUrl(initialFilter);
    setFilter(initialFilter);
    setDraft(initialFilter);
  }
  const query = useSyncEvents(filter);
  useSyncLive();
  const pin = usePinRepo(filter.targetId ?? "");
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  const applyFilter = (f: TSyncEventFilter) => {
    const next = normalizeSyncFilter(f);
    setDraft(next);
    setFilter(next);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(next))
      if (k !== "limit") params.set(k, Array.isArray(v) ? v.join(",") : String(v));
    router.replace(`${pathname}${params.size ? `?${params.toString()}` : ""}`, { scroll: false });
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    applyFilter(draft);
  };
  // Filters a comparison link can set that the form has no control for (or shows only as dates) are chips.
  const chips: FilterChip[] = [];
  if (filter.from || filter.to) {
    const day = (iso: string) => iso.replace("T", " ").replace(/( 00:00:00(\.000)?)?Z$/, "");
    const label =
      filter.from && filter.to
        ? `${day(filter.from)} → before ${day(filter.to)}`
        : filter.from
          ? `from ${day(filter.from)}`
          : `before ${day(filter.to ?? "")}`;
    chips.push({
      key: "range",
      label: `range: ${label} (UTC)`,
      onClear: () => applyFilter({ ...filter, from: undefined, to: undefined }),
    });
  }
  if (filter.environment)
    chips.push({
      key: "environment",
      label: `environment: ${filter.environment}`,
      onClear: () => applyFilter({ ...filter, environment: undefined }),
    });
  if (filter.result && filter.result.length > 1)
    chips.push({
      key: "result",
      label: `result: ${filter.result.join(" or ")}`,
      onClear: () => applyFilter({ ...filter, result: undefined }),
    });
  if (filter.recovery)
    chips.push({
      key: "recovery",
      label: "ended a run of failures",
      onClear: () => applyFilter({ ...filter, recovery: undefined }),
    });
  if (filter.withCommitTime)
    chips.push({
      key: "commit-time",
      label: "commit time known",
      onClear: () => applyFilter({ ...filter, withCommitTime: undefined }),
    });
  const filtered = Object.keys(filter).some((k) => k !== "limit");
  const set = (patch: Partial<TSyncEventFilter>) => setDraft((d) => ({ ...d, ...patch }));
  const rollback = (e: SyncEventView, done: () => void) => {
    if (!e.repo || !e.revision) return;
    pin.mutate(
      {
        repoId: e.repo.id,
        revision: e.revision.id ?? e.revision.sha,
        reason: `Roll back to ${shortRevision(e.revision.id ?? e.revision.sha)} from the sync history.`,
      },
      { onSuccess: done },
    );
  };

  return (
    <Card>
      <CardBody className="space-y-4">
        <form onSubmit={apply} className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Filter sync history">
          <Field htmlFor={`${id}-target`} label="Target">
            <Select
              id={`${id}-target`}
              value={draft.targetId ?? ""}
              onChange={(e) => set({ targetId: e.target.value || undefined, repoId: undefined })}
            >
              <option value="">All pull targets</option>
              {targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field htmlFor={`${id}-result`} label="Result">
            <Select
              id={`${id}-result`}
              value={draft.result?.join(",") ?? ""}
              onChange={(e) =>
                set({ result: e.target.value ? (e.target.value.split(",") as TSyncEventFilter["result"]) : undefined })
              }
            >
              <option value="">Any result</option>
              {draft.result && draft.result.length > 1 ? (
                <option value={draft.result.join(",")}>{draft.result.join(" or ")}</option>
              ) : null}
              {SYNC_RESULTS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </Select>
          </Field>
          <Field htmlFor={`${id}-trigger`} label="Trigger">
            <Select
              id={`${id}-trigger`}
              value={draft.trigger ?? ""}
              onChange={(e) => set({ trigger: (e.target.value || undefined) as TSyncEventFilter["trigger"] })}
            >
              <option value="">Any trigger</option>
              {SYNC_TRIGGERS.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          </Field>
          <Field htmlFor={`${id}-from`} label="From (UTC)">
            <Input
              id={`${id}-from`}
              type="date"
              value={draft.from?.slice(0, 10) ?? ""}
              onChange={(e) => set({ from: e.target.value ? `${e.target.value}T00:00:00Z` : undefined })}
            />
          </Field>
          <Field htmlFor={`${id}-to`} label="Before (UTC)">
            <Input
              id={`${id}-to`}
              type="date"
              value={draft.to?.slice(0, 10) ?? ""}
              onChange={(e) => set({ to: e.target.value ? `${e.target.value}T00:00:00Z` : undefined })}
            />
          </Field>
          <div className="flex items-end gap-2">
            <Button type="submit">Apply</Button>
            {filter.repoId ? (
              <Button
                type="button"
                variant="ghost"
                onClick={() => {
                  const next = { ...filter, repoId: undefined };
                  setDraft(next);
                  setFilter(next);
                }}
              >
                All repositories
              </Button>
            ) : null}
          </div>
        </form>
        <FilterChips chips={chips} label="Sync history is filtered by" />
        {pin.error ? (
          <p role="alert" className="text-sm text-red-700">
            {pin.error.message}
          </p>
        ) : null}
        {pin.data ? (
          <p role="status" className="text-sm text-slate-700">
            {pin.data.outcome === "pending-approval" && pin.data.deploymentId ? (
              <>
                Rollback requested; it takes effect once approved:{" "}
                <Link className="underline" href={`/deployments/${pin.data.deploymentId}`}>
                  approval request
                </Link>
                .
              </>
            ) : (
              <>
                Pinned {pin.data.repo.url} to {shortRevision(pin.data.repo.pinnedRevision)}; the agent applies it within
                seconds.
              </>
            )}
          </p>
        ) : null}
        {query.error ? (
          <p role="alert" className="text-sm text-red-700">
            Could not load the sync history: {query.error.message}
          </p>
        ) : null}
        {items.length === 0 && !query.isLoading ? (
          filtered ? (
            <EmptyState
              title="No syncs match these filters"
              description="The filter matched nothing. Change or clear it to see more."
            />
          ) : (
            <EmptyState
              title="No syncs yet"
              description="Register a repository on a pull target and install its agent; every sync attempt shows up here."
            />
          )
        ) : (
          <Table label="Sync history">
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Target · repository</Th>
                <Th>Revision</Th>
                <Th>Trigger</Th>
                <Th>Result</Th>
                <Th>Objects</Th>
                <Th>Duration</Th>
                <Th>Message</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <EventRow
                  key={e.id}
                  e={e}
                  canRollback={canRollback}
                  onRollback={rollback}
                  pending={pin.isPending}
                  error={pin.error?.message ?? null}
                />
              ))}
            </tbody>
          </Table>
        )}
        <LoadMore query={query} className="justify-start border-0 px-0 py-0" />
      </CardBody>
    </Card>
  );
}
