"use client";

import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card, CardBody } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { LoadMore, type PagedQuery } from "@/components/ui/load-more";
import { Td } from "@/components/ui/table";
import { ApiError } from "@/lib/api-fetch";
import type { TActorKind, TOutcome } from "@/lib/audit/schemas";

const ACTOR_TONE: Record<TActorKind, BadgeTone> = {
  user: "blue",
  "api-token": "purple",
  agent: "yellow",
  system: "neutral",
};
const OUTCOME_TONE: Record<TOutcome, BadgeTone> = { success: "green", denied: "red", failure: "yellow" };

/** Who acted: their kind as a badge, their name (id on hover). */
export function ActorCell({
  kind,
  id,
  name,
  className,
}: {
  kind: TActorKind;
  id: string | null;
  name: string;
  className?: string;
}) {
  return (
    <Td>
      {/* The name goes under its badge when the column is narrow, so a wide trail still fits a laptop's card. */}
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <Badge tone={ACTOR_TONE[kind] ?? "neutral"}>{kind}</Badge>
        <span title={id ?? undefined} className={className}>
          {name}
        </span>
      </div>
    </Td>
  );
}

export function OutcomeBadge({ outcome }: { outcome: TOutcome }) {
  return <Badge tone={OUTCOME_TONE[outcome] ?? "neutral"}>{outcome}</Badge>;
}

/** The request id (shortened, whole on hover) and the row's link in the hash chain. */
export function RequestAndHashCells({
  requestId,
  hash,
  prevHash,
}: {
  requestId: string | null;
  hash: string;
  prevHash: string;
}) {
  return (
    <>
      <Td className="font-mono text-xs">
        <span title={requestId ?? undefined}>{requestId ? `${requestId.slice(0, 8)}…` : "—"}</span>
      </Td>
      <Td className="font-mono text-xs">
        <span title={`hash ${hash}\nprev ${prevHash}`}>{hash.slice(0, 10)}</span>
      </Td>
    </>
  );
}

/**
 * An audit-trail page (the whole trail, or credential access): the filter card with its tools, then the rows
 * newest first with error, empty and "Load more" states. `table` renders only when there are rows.
 */
export function TrailView({
  filters,
  tools,
  query,
  shown,
  filtered,
  noun,
  emptyDescription,
  notice,
  table,
}: {
  filters: ReactNode;
  tools: ReactNode;
  query: PagedQuery & { isError: boolean; error: unknown; isPending: boolean };
  shown: number;
  filtered: boolean;
  /** What the rows are, for the states: "audit events", "credential events". */
  noun: string;
  emptyDescription: string;
  /** Why there are no rows when a name filter names nothing ("No target named 'x' has audit events"). */
  notice?: string | null;
  table: ReactNode;
}) {
  return (
    <div className="space-y-4">
      <Card>
        <CardBody className="space-y-4">
          {filters}
          <div className="flex flex-wrap items-start justify-between gap-3 border-t border-slate-100 pt-4">{tools}</div>
        </CardBody>
      </Card>
      <Card>
        {query.isError ? (
          <p role="alert" className="px-5 py-4 text-sm text-red-600">
            {query.error instanceof ApiError ? query.error.message : `The ${noun} could not be loaded.`}
          </p>
        ) : shown === 0 && notice ? (
          <EmptyState
            title={notice}
            description="Names are matched as the audit rows recorded them (deleted ones too): pick one from the suggestions."
          />
        ) : shown === 0 ? (
          <EmptyState
            title={
              query.isPending ? `Loading ${noun}…` : filtered ? `No ${noun} match these filters` : `No ${noun} yet`
            }
            description={filtered ? "Widen the time range or clear a filter." : emptyDescription}
          />
        ) : (
          <>
            {table}
            <LoadMore query={query} shown={shown} endLabel="End of the trail" />
          </>
        )}
      </Card>
    </div>
  );
}
