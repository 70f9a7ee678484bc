"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { useAuditEvents } from "@/lib/audit/hooks/use-audit-events";
import { filterSearchParams, type AuditListFilter } from "@/lib/audit/query";
import type { AuditEventView } from "@/lib/audit/views";
import { AUDIT_ACTIONS, OUTCOMES } from "@/lib/audit/schemas";
import { DateTime } from "@/components/ui/date-time";
import { ExportButtons } from "./export-buttons";
import { FilterForm, type FilterField } from "./filter-form";
import { ActorCell, OutcomeBadge, RequestAndHashCells, TrailView } from "./trail-view";
import { VerifyChainPanel } from "./verify-chain-panel";

const FILTER_FIELDS: readonly FilterField<keyof AuditListFilter>[] = [
  { key: "actor", label: "Actor", kind: "name", names: "user", placeholder: "email, name or id" },
  { key: "action", label: "Action", kind: "select", any: "Any action", options: AUDIT_ACTIONS },
  { key: "outcome", label: "Outcome", kind: "select", any: "Any outcome", options: OUTCOMES },
  { key: "target", label: "Target", kind: "name", names: "target", placeholder: "target name" },
  { key: "application", label: "Application", kind: "name", names: "application", placeholder: "application name" },
  { key: "credential", label: "Credential", kind: "name", names: "credential", placeholder: "credential label" },
  { key: "from", label: "From", kind: "instant" },
  { key: "to", label: "To", kind: "instant" },
];

/** The words a row is about, as it stored them when written (ids on hover); rows from before names were kept show ids. */
function SubjectWords({ event }: { event: AuditEventView }) {
  const n = event.names;
  const idCode = event.subjectId ? <code className="font-mono text-xs">{event.subjectId}</code> : null;
  if (!n) return idCode;
  const primary =
    event.subjectType === "user"
      ? n.user?.email
      : event.subjectType === "credential"
        ? n.credential?.label
        : event.subjectType === "application" || event.subjectType === "deployment"
          ? n.application?.name
          : event.subjectType === "pull-repo" || event.subjectType === "repo-binding"
            ? n.repository?.url
            : event.subjectType === "target"
              ? n.target?.name
              : null;
  const context = [
    n.target && primary !== n.target.name
      ? `on ${n.target.name}${n.target.environment ? ` (${n.target.environment})` : ""}`
      : null,
    n.credential && primary !== n.credential.label
      ? `credential ${n.credential.label ?? n.credential.kind ?? ""}${n.credential.fingerprint ? ` fp ${n.credential.fingerprint}` : ""}`
      : null,
    n.repository && primary !== n.repository.url
      ? `${n.repository.url}${n.repository.path && n.repository.path !== "." ? ` ${n.repository.path}` : ""}`
      : null,
    n.deployment?.reason ? `“${n.deployment.reason}”` : null,
    n.deployment?.requester ? `requested by ${n.deployment.requester}` : null,
    n.deployment?.revision ? `at ${n.deployment.revision.slice(0, 12)}` : null,
  ].filter(Boolean);
  return (
    <span title={event.subjectId ?? undefined}>
      {primary ? <span className="font-medium text-slate-800">{primary}</span> : idCode}
      {context.length > 0 ? <span className="block text-xs text-slate-500">{context.join(" · ")}</span> : null}
    </span>
  );
}

function AuditRow({ event }: { event: AuditEventView }) {
  const hasDetails = Object.keys(event.details).length > 0;
  return (
    <tr className="align-top">
      <Td>
        <DateTime value={event.at} />
      </Td>
      <ActorCell kind={event.actorKind} id={event.actorId} name={event.actorName} className="max-w-64 truncate" />
      <Td className="font-mono text-xs">
        {event.action}
        {event.action === "auth.signed-in" && event.details.local === true ? (
          <Badge
            tone="yellow"
            className="ml-2 font-sans"
            title="Signed in with a local password (break-glass), not the identity provider"
          >
            local account
          </Badge>
        ) : event.action === "auth.signed-in" && event.details.method === "oidc" ? (
          <Badge
            tone="blue"
            className="ml-2 font-sans"
            title={typeof event.details.issuer === "string" ? event.details.issuer : undefined}
          >
            single sign-on
          </Badge>
        ) : null}
      </Td>
      <Td className="whitespace-normal">
        <span className="text-slate-500">{event.subjectType}</span> <SubjectWords event={event} />
        {hasDetails ? (
          <details className="mt-1">
            <summary className="cursor-pointer text-xs text-slate-500">details</summary>
            <pre tabIndex={0} className="mt-1 max-w-md overflow-x-auto rounded bg-slate-50 p-2 text-xs">
              {JSON.stringify(event.details, null, 2)}
            </pre>
          </details>
        ) : null}
      </Td>
      <Td>
        <OutcomeBadge outcome={event.outcome} />
      </Td>
      <Td className="font-mono text-xs" title={event.userAgent ?? undefined}>
        {event.ip ?? "—"}
      </Td>
      <RequestAndHashCells requestId={event.requestId} hash={event.hash} prevHash={event.prevHash} />
    </tr>
  );
}

/** The audit trail: filters (kept in the URL so a view can be shared), newest-first table, "Load more", verify. */
export function AuditLog({ initialFilter }: { initialFilter: AuditListFilter }) {
  const [filter, setFilter] = useState<AuditListFilter>(initialFilter);
  const query = useAuditEvents(filter);
  const events = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.keys(filter).length > 0;

  function apply(applied: AuditListFilter) {
    // A subject id comes from links, not from the form: it stays until Reset clears everything.
    const next =
      Object.keys(applied).length === 0 || !filter.subject ? applied : { subject: filter.subject, ...applied };
    setFilter(next);
    const qs = filterSearchParams(next).toString();
    window.history.replaceState(null, "", qs ? `?${qs}` : window.location.pathname);
  }

  return (
    <TrailView
      filters={
        <FilterForm
          fields={FILTER_FIELDS}
          value={initialFilter}
          onApply={apply}
          label="Filter audit events"
          className="xl:grid-cols-7"
        />
      }
      tools={
        <>
          <VerifyChainPanel />
          <ExportButtons path="/api/audit/export" params={filterSearchParams(filter)} />
        </>
      }
      query={query}
      shown={events.length}
      filtered={filtered}
      noun="audit events"
      emptyDescription="Every change and every denied request will be listed here."
      notice={query.data?.pages[0]?.notice}
      table={
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
      }
    />
  );
}
