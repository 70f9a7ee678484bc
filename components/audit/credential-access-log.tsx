"use client";

import Link from "next/link";
import { useState } from "react";
import { Breakable, Table, Td, Th } from "@/components/ui/table";
import { CREDENTIAL_ACCESS_ACTIONS } from "@/lib/audit/credential-access";
import { filterSearchParams, type CredentialAccessListFilter } from "@/lib/audit/query";
import { purposeHref, type CredentialAccessView } from "@/lib/audit/views";
import { useCredentialAccess } from "@/lib/audit/hooks/use-credential-access";
import { OUTCOMES } from "@/lib/audit/schemas";
import { DateTime } from "@/components/ui/date-time";
import { ExportButtons } from "./export-buttons";
import { FilterForm, type FilterField } from "./filter-form";
import { ActorCell, OutcomeBadge, RequestAndHashCells, TrailView } from "./trail-view";

const FILTER_FIELDS: readonly FilterField<keyof CredentialAccessListFilter>[] = [
  { key: "target", label: "Target", kind: "name", names: "target", placeholder: "target name" },
  { key: "credential", label: "Credential", kind: "name", names: "credential", placeholder: "credential label" },
  { key: "actor", label: "Actor", kind: "text", placeholder: "name, email or id" },
  { key: "action", label: "Action", kind: "select", any: "Any action", options: CREDENTIAL_ACCESS_ACTIONS },
  { key: "outcome", label: "Outcome", kind: "select", any: "Any outcome", options: OUTCOMES },
  { key: "from", label: "From", kind: "instant" },
  { key: "to", label: "To", kind: "instant" },
];

function AccessRow({ row }: { row: CredentialAccessView }) {
  const href = purposeHref(row.purpose);
  return (
    <tr className="align-top" data-testid="credential-access-row">
      <Td>
        <DateTime value={row.at} />
      </Td>
      <ActorCell kind={row.actor.kind} id={row.actor.id} name={row.actor.name} className="max-w-36 truncate" />
      <Td className="font-mono text-xs">
        <Breakable text={row.action} />
      </Td>
      <Td className="text-xs">
        {row.credential.id ? (
          <div>
            {row.credential.label ? (
              <div className="font-medium text-slate-800" title={row.credential.id}>
                {row.credential.label}
                {row.credential.kind ? <span className="ml-1 text-slate-500">({row.credential.kind})</span> : null}
              </div>
            ) : (
              <code className="font-mono" title={row.credential.id}>
                {row.credential.id.slice(0, 8)}…
              </code>
            )}
            {row.credential.fingerprint ? (
              <div className="font-mono text-slate-500">fp {row.credential.fingerprint}</div>
            ) : null}
          </div>
        ) : (
          "—"
        )}
      </Td>
      <Td>
        {row.target.id ? (
          row.target.name ? (
            <div>
              <Link href={`/targets/${encodeURIComponent(row.target.id)}`} className="text-blue-700 hover:underline">
                {row.target.name}
              </Link>
              {row.target.environment ? <div className="text-xs text-slate-500">{row.target.environment}</div> : null}
            </div>
          ) : (
            <code className="font-mono text-xs" title="This target was deleted">
              {row.target.id}
            </code>
          )
        ) : (
          "—"
        )}
      </Td>
      <Td className="text-xs">
        {row.purpose ? (
          <span>
            {row.purpose.kind}{" "}
            {href ? (
              <Link href={href} className="font-mono text-blue-700 hover:underline">
                {row.purpose.id?.slice(0, 8)}…
              </Link>
            ) : row.purpose.id ? (
              <code className="font-mono">{row.purpose.id.slice(0, 8)}…</code>
            ) : null}
            {row.application ? <div className="text-slate-700">{row.application}</div> : null}
            {row.deployment ? (
              <div className="max-w-56 whitespace-normal text-slate-500">
                {[
                  row.deployment.reason ? `“${row.deployment.reason}”` : null,
                  row.deployment.requester ? `by ${row.deployment.requester}` : null,
                  row.deployment.revision ? `at ${row.deployment.revision.slice(0, 12)}` : null,
                ]
                  .filter(Boolean)
                  .join(" ")}
              </div>
            ) : null}
          </span>
        ) : (
          "—"
        )}
      </Td>
      <Td>
        <OutcomeBadge outcome={row.outcome} />
        {row.reason ? <div className="mt-1 max-w-48 whitespace-normal text-xs text-slate-500">{row.reason}</div> : null}
      </Td>
      <Td className="font-mono text-xs" title={row.userAgent ?? undefined}>
        <div>{row.ip ?? "—"}</div>
        {row.userAgent ? <div className="max-w-32 truncate text-slate-500">{row.userAgent}</div> : null}
      </Td>
      <RequestAndHashCells requestId={row.requestId} hash={row.hash} prevHash={row.prevHash} />
    </tr>
  );
}

/**
 * Who used, replaced or was refused which credential: filters kept in the URL (shareable), newest-first table,
 * "Load more", and exports of the whole filtered view.
 */
export function CredentialAccessLog({ initialFilter }: { initialFilter: CredentialAccessListFilter }) {
  const [filter, setFilter] = useState<CredentialAccessListFilter>(initialFilter);
  const query = useCredentialAccess(filter);
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.keys(filter).length > 0;

  function apply(applied: CredentialAccessListFilter) {
    // Ids come from links (a credential's "Access" link), not from the form: they stay until Reset clears everything.
    const reset = Object.keys(applied).length === 0;
    const next = reset ? applied : { credentialId: filter.credentialId, targetId: filter.targetId, ...applied };
    for (const key of ["credentialId", "targetId"] as const) if (next[key] === undefined) delete next[key];
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
          label="Filter credential access"
          className="xl:grid-cols-8"
        />
      }
      tools={
        <>
          <p className="text-sm text-slate-500">
            Exports hold every row of this filter, oldest first, with fingerprints and hash links — never secret
            material.
            {filter.credentialId || filter.targetId ? (
              <span className="block" data-testid="id-filter">
                Also limited to {filter.credentialId ? "one credential" : "one target"} by the link that opened this
                view (<code className="font-mono text-xs">{filter.credentialId ?? filter.targetId}</code>); Reset clears
                it.
              </span>
            ) : null}
          </p>
          <ExportButtons path="/api/credential-access/export" params={filterSearchParams(filter)} />
        </>
      }
      query={query}
      shown={rows.length}
      filtered={filtered}
      noun="credential events"
      emptyDescription="Every decrypt, store, replacement and refused attempt will be listed here."
      notice={query.data?.pages[0]?.notice}
      table={
        <Table label="Credential access">
          <thead className="bg-slate-50">
            <tr>
              <Th>Time</Th>
              <Th>Actor</Th>
              <Th>Action</Th>
              <Th>Credential</Th>
              <Th>Target</Th>
              <Th>Purpose</Th>
              <Th>Outcome</Th>
              <Th>IP / agent</Th>
              <Th>Request</Th>
              <Th>Hash</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((r) => (
              <AccessRow key={r.seq} row={r} />
            ))}
          </tbody>
        </Table>
      }
    />
  );
}
