"use client";

import { useState } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { ApiError } from "@/lib/api/client";
import { useAuditEvents } from "@/lib/audit/hooks/use-audit-events";
import { auditSearchParams, type AuditEventView, type AuditListFilter } from "@/lib/audit/query";
import type { TActorKind, TOutcome } from "@/lib/audit/schemas";
import { AuditFilterBar } from "./audit-filter-bar";
import { DateTime } from "./date-time";
import { ExportButtons } from "./export-buttons";
import { VerifyChainPanel } from "./verify-chain-panel";

const ACTOR_TONE: Record<TActorKind, BadgeTone> = { user: "blue", "api-token": "purple", agent: "yellow", system: "neutral" };
const OUTCOME_TONE: Record<TOutcome, BadgeTone> = { success: "green", denied: "red", failure: "yellow" };

function AuditRow({ event }: { event: AuditEventView }) {
  const hasDetails = Object.keys(event.details).length > 0;
  return (
    <tr className="align-top">
      <Td>
        <DateTime value={event.at} />
      </Td>
      <Td>
        <div className="flex items-center gap-2">
          <Badge tone={ACTOR_TONE[event.actorKind] ?? "neutral"}>{event.actorKind}</Badge>
          <span title={event.actorId ?? undefined} className="max-w-64 truncate">
            {event.actorName}
          </span>
        </div>
      </Td>
      <Td className="font-mono text-xs">
        {event.action}
        {event.action === "auth.signed-in" && event.details.local === true ? (
          <Badge tone="yellow" className="ml-2 font-sans" title="Signed in with a local password (break-glass), not the identity provider">
            local account
          </Badge>
        ) : event.action === "auth.signed-in" && event.details.method === "oidc" ? (
          <Badge tone="blue" className="ml-2 font-sans" title={typeof event.details.issuer === "string" ? event.details.issuer : undefined}>
            single sign-on
          </Badge>
        ) : null}
      </Td>
      <Td className="whitespace-normal">
        <span className="text-slate-500">{event.subjectType}</span> {event.subjectId ? <code className="font-mono text-xs">{event.subjectId}</code> : null}
        {hasDetails ? (
          <details className="mt-1">
            <summary className="cursor-pointer text-xs text-slate-500">details</summary>
            <pre className="mt-1 max-w-md overflow-x-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(event.details, null, 2)}</pre>
          </details>
        ) : null}
      </Td>
      <Td>
        <Badge tone={OUTCOME_TONE[event.outcome] ?? "neutral"}>{event.outcome}</Badge>
      </Td>
      <Td className="font-mono text-xs" title={event.userAgent ?? undefined}>
        {event.ip ?? "—"}
      </Td>
      <Td className="font-mono text-xs">
        <span title={event.requestId ?? undefined}>{event.requestId ? `${event.requestId.slice(0, 8)}…` : "—"}</span>
      </Td>
      <Td className="font-mono text-xs">
        <span title={`hash ${event.hash}\nprev ${event.prevHash}`}>{event.hash.slice(0, 10)}</span>
      </Td>
    </tr>
  );
}

/** The audit trail: filters (kept in the URL so a view can be shared), newest-first table, "Load more", verify. */
export function AuditLog({ initialFilter }: { initialFilter: AuditListFilter }) {
  const [filter, setFilter] = useState<AuditListFilter>(initialFilter);
  const query = useAuditEvents(filter);
  const events = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.keys(filter).length > 0;

  function apply(next: AuditListFilter) {
    setFilter(next);
    const qs = auditSearchParams(next).toString();
    window.history.replaceState(null, "", qs ? `?${qs}` : window.location.pathname);
  }

  return (
    <div className="space-y-4">
      <Card>
        <CardBody className="space-y-4">
          <AuditFilterBar value={initialFilter} onApply={apply} />
          <div className="flex flex-wrap items-start justify-between gap-3 border-t border-slate-100 pt-4">
            <VerifyChainPanel />
            <ExportButtons path="/api/audit/export" params={auditSearchParams(filter)} />
          </div>
        </CardBody>
      </Card>
      <Card>
        {query.isError ? (
          <p role="alert" className="px-5 py-4 text-sm text-red-600">
            {query.error instanceof ApiError ? query.error.message : "Audit events could not be loaded."}
          </p>
        ) : events.length === 0 ? (
          <EmptyState
            title={query.isPending ? "Loading audit events…" : filtered ? "No events match these filters" : "No audit events yet"}
            description={filtered ? "Widen the time range or clear a filter." : "Every change and every denied request will be listed here."}
          />
        ) : (
          <>
            <Table label="Audit events">
              <thead className="bg-slate-50">
                <tr>
                  <Th>Time</Th>
                  <Th>Actor</Th>
                  <Th>Action</Th>
                  <Th>Subject</Th>
                  <Th>Outcome</Th>
                  <Th>IP</Th>
                  <Th>Request</Th>
                  <Th>Hash</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {events.map((e) => (
                  <AuditRow key={e.seq} event={e} />
                ))}
              </tbody>
            </Table>
            <div className="flex items-center justify-between border-t border-slate-100 px-5 py-3 text-sm text-slate-500">
              <span>{events.length.toLocaleString("en-US")} shown</span>
              {query.hasNextPage ? (
                <Button variant="secondary" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
                  {query.isFetchingNextPage ? "Loading…" : "Load more"}
                </Button>
              ) : (
                <span>End of the trail</span>
              )}
            </div>
          </>
        )}
      </Card>
    </div>
  );
}
