"use client";

import { useState } from "react";
import { formatDate } from "@/components/credentials/status-badge";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, Td, Th } from "@/components/ui/table";
import { useSinkDeliveries } from "@/lib/notifications/hooks/use-sink-deliveries";
import type { TDeliveryState } from "@/lib/notifications/schemas";

const STATE_TONE: Record<TDeliveryState, BadgeTone> = { pending: "yellow", delivered: "green", failed: "red" };

/** A sink's deliveries, newest first: time, event, state, attempts, last status or error; paged by cursor. */
export function DeliveryLog({ sinkId, sinkName }: { sinkId: string; sinkName: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const query = useSinkDeliveries(sinkId, cursor);

  if (query.isPending) return <p className="text-sm text-slate-500" aria-busy="true">Loading deliveries…</p>;
  if (query.isError) return <p role="alert" className="text-sm text-red-600">{query.error.message}</p>;
  if (query.data.items.length === 0 && cursors.length === 0) return <p className="text-sm text-slate-500">Nothing was sent to this sink yet.</p>;
  return (
    <div>
      <Table label={`Deliveries to ${sinkName}`}>
        <thead>
          <tr>
            <Th>Time</Th>
            <Th>Event</Th>
            <Th>State</Th>
            <Th>Attempts</Th>
            <Th>Last answer</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100" aria-busy={query.isFetching}>
          {query.data.items.map((d) => (
            <tr key={d.id} data-testid="delivery-row">
              <Td className="whitespace-nowrap">{formatDate(d.createdAt)}</Td>
              <Td className="font-mono text-xs">{d.event}</Td>
              <Td>
                <Badge tone={STATE_TONE[d.state]}>{d.state}</Badge>
                {d.state === "pending" && d.attempts > 0 ? <span className="block text-xs text-slate-500">retry {formatDate(d.nextAttemptAt)}</span> : null}
              </Td>
              <Td className="tabular-nums">{d.attempts}</Td>
              <Td className="max-w-sm break-words text-xs">
                {d.lastStatus !== null ? <span className="font-medium">HTTP {d.lastStatus}</span> : null}
                {d.lastError ? <span className="block text-red-700">{d.lastError}</span> : null}
                {d.lastStatus === null && !d.lastError ? "—" : null}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {cursors.length > 0 || query.data.nextCursor ? (
        <div className="flex justify-end gap-2 pt-3">
          <Button variant="secondary" size="sm" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer
          </Button>
          <Button
            variant="secondary"
            size="sm"
            disabled={!query.data.nextCursor}
            onClick={() => {
              const next = query.data.nextCursor;
              if (next) setCursors((c) => [...c, next]);
            }}
          >
            Older
          </Button>
        </div>
      ) : null}
    </div>
  );
}
