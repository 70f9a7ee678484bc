"use client";

import { Badge, type BadgeTone } from "@/components/ui/badge";
import { CursorPager, useCursorStack } from "@/components/ui/cursor-pager";
import { DateTime } from "@/components/ui/date-time";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, Td, Th } from "@/components/ui/table";
import { useSinkDeliveries } from "@/lib/notifications/hooks/use-sink-deliveries";
import type { TDeliveryState } from "@/lib/notifications/schemas";

const STATE_TONE: Record<TDeliveryState, BadgeTone> = { pending: "yellow", delivered: "green", failed: "red" };

/** A sink's deliveries, newest first: time, event, state, attempts, last status or error; paged by cursor. */
export function DeliveryLog({ sinkId, sinkName }: { sinkId: string; sinkName: string }) {
  const pages = useCursorStack();
  const query = useSinkDeliveries(sinkId, pages.cursor);

  if (query.isPending)
    return (
      <p className="text-sm text-slate-500" aria-busy="true">
        Loading deliveries…
      </p>
    );
  if (query.isError)
    return (
      <p role="alert" className="text-sm text-red-600">
        {query.error.message}
      </p>
    );
  if (query.data.items.length === 0 && pages.onFirstPage)
    return <p className="text-sm text-slate-500">Nothing was sent to this sink yet.</p>;
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
              <Td className="whitespace-nowrap">
                <DateTime value={d.createdAt} precision="minute" />
              </Td>
              <Td className="font-mono text-xs">{d.event}</Td>
              <Td>
                <Badge tone={STATE_TONE[d.state]}>{d.state}</Badge>
                {d.state === "pending" && d.attempts > 0 ? (
                  <span className="block text-xs text-slate-500">
                    retry <RelativeTime value={d.nextAttemptAt} never="—" />
                  </span>
                ) : null}
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
      <CursorPager
        stack={pages}
        nextCursor={query.data.nextCursor}
        labels={["Newer", "Older"]}
        className="border-t-0 px-0 pb-0"
      />
    </div>
  );
}
