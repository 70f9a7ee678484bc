"use client";

import Link from "next/link";
import { useState } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { ApiError } from "@/lib/api/client";
import { credentialAccessSearchParams, purposeHref, type CredentialAccessListFilter, type CredentialAccessView } from "@/lib/audit/credential-access";
import { useCredentialAccess } from "@/lib/audit/hooks/use-credential-access";
import type { TActorKind, TOutcome } from "@/lib/audit/schemas";
import { CredentialAccessFilterBar } from "./credential-access-filter-bar";
import { DateTime } from "./date-time";
import { ExportButtons } from "./export-buttons";

const ACTOR_TONE: Record<TActorKind, BadgeTone> = { user: "blue", "api-token": "purple", agent: "yellow", system: "neutral" };
const OUTCOME_TONE: Record<TOutcome, BadgeTone> = { success: "green", denied: "red", failure: "yellow" };

function AccessRow({ row }: { row: CredentialAccessView }) {
  const href = purposeHref(row.purpose);
  return (
    <tr className="align-top" data-testid="credential-access-row">
      <Td>
        <DateTime value={row.at} />
      </Td>
      <Td>
        <div className="flex items-center gap-2">
          <Badge tone={ACTOR_TONE[row.actor.kind] ?? "neutral"}>{row.actor.kind}</Badge>
          <span title={row.actor.id ?? undefined} className="max-w-56 truncate">
            {row.actor.name}
          </span>
        </div>
      </Td>
      <Td className="font-mono text-xs">{row.action}</Td>
      <Td className="text-xs">
        {row.credential.id ? (
          <div>
            <code className="font-mono" title={row.credential.id}>
              {row.credential.id.slice(0, 8)}…
            </code>
            {row.credential.fingerprint ? <div className="font-mono text-slate-500">fp {row.credential.fingerprint}</div> : null}
          </div>
        ) : (
          "—"
        )}
      </Td>
      <Td>
        {row.target.id ? (
          row.target.name ? (
            <Link href={`/targets/${encodeURIComponent(row.target.id)}`} className="text-blue-700 hover:underline">
              {row.target.name}
            </Link>
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
          </span>
        ) : (
          "—"
        )}
      </Td>
      <Td>
        <Badge tone={OUTCOME_TONE[row.outcome] ?? "neutral"}>{row.outcome}</Badge>
        {row.reason ? <div className="mt-1 max-w-48 whitespace-normal text-xs text-slate-500">{row.reason}</div> : null}
      </Td>
      <Td className="font-mono text-xs" title={row.userAgent ?? undefined}>
        <div>{row.ip ?? "—"}</div>
        {row.userAgent ? <div className="max-w-40 truncate text-slate-500">{row.userAgent}</div> : null}
      </Td>
      <Td className="font-mono text-xs">
        <span title={row.requestId ?? undefined}>{row.requestId ? `${row.requestId.slice(0, 8)}…` : "—"}</span>
      </Td>
      <Td className="font-mono text-xs">
        <span title={`hash ${row.hash}\nprev ${row.prevHash}`}>{row.hash.slice(0, 10)}</span>
      </Td>
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

  function apply(next: CredentialAccessListFilter) {
    setFilter(next);
    const qs = credentialAccessSearchParams(next).toString();
    window.history.replaceState(null, "", qs ? `?${qs}` : window.location.pathname);
  }

  return (
    <div className="space-y-4">
      <Card>
        <CardBody className="space-y-4">
          <CredentialAccessFilterBar value={initialFilter} onApply={apply} />
          <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-100 pt-4">
            <p className="text-sm text-slate-500">Exports hold every row of this filter, oldest first, with fingerprints and hash links — never secret material.</p>
            <ExportButtons path="/api/credential-access/export" params={credentialAccessSearchParams(filter)} />
          </div>
        </CardBody>
      </Card>
      <Card>
        {query.isError ? (
          <p role="alert" className="px-5 py-4 text-sm text-red-600">
            {query.error instanceof ApiError ? query.error.message : "Credential access could not be loaded."}
          </p>
        ) : rows.length === 0 ? (
          <EmptyState
            title={query.isPending ? "Loading credential access…" : filtered ? "No credential events match these filters" : "No credential events yet"}
            description={filtered ? "Widen the time range or clear a filter." : "Every decrypt, store, replacement and refused attempt will be listed here."}
          />
        ) : (
          <>
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
            <div className="flex items-center justify-between border-t border-slate-100 px-5 py-3 text-sm text-slate-500">
              <span>{rows.length.toLocaleString("en-US")} shown</span>
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
