"use client";

import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { useDailySyncs } from "@/lib/sync/hooks/use-daily-syncs";
import type { SyncDailyCount } from "@/lib/sync/schemas";

const W = 720;
const H = 180;
const PAD = { top: 10, right: 8, bottom: 22, left: 30 };

/** Stacked bars per day (synced green, failed red), inline SVG; a hidden table carries the numbers for screen readers. */
export function SyncTimeline({ days }: { days: SyncDailyCount[] }) {
  const max = Math.max(1, ...days.map((d) => d.synced + d.failed));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, days.length);
  const bar = Math.max(2, slot * 0.7);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const totals = days.reduce((acc, d) => ({ synced: acc.synced + d.synced, failed: acc.failed + d.failed }), { synced: 0, failed: 0 });
  const label = `${totals.synced} syncs and ${totals.failed} failures over ${days.length} days`;
  const tickEvery = Math.ceil(days.length / 7);
  return (
    <figure className="space-y-2">
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={label} data-testid="sync-chart">
        <title>{label}</title>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="stroke-slate-300" />
        <text x={PAD.left - 4} y={y(max) + 4} textAnchor="end" className="fill-slate-500 text-[10px]">
          {max}
        </text>
        <text x={PAD.left - 4} y={y(0)} textAnchor="end" className="fill-slate-500 text-[10px]">
          0
        </text>
        {days.map((d, i) => {
          const x = PAD.left + i * slot + (slot - bar) / 2;
          return (
            <g key={d.day}>
              <title>{`${d.day}: ${d.synced} synced, ${d.failed} failed`}</title>
              {d.synced > 0 ? <rect x={x} y={y(d.synced)} width={bar} height={y(0) - y(d.synced)} className="fill-emerald-500" /> : null}
              {d.failed > 0 ? <rect x={x} y={y(d.synced + d.failed)} width={bar} height={y(d.synced) - y(d.synced + d.failed)} className="fill-red-500" /> : null}
              {i % tickEvery === 0 ? (
                <text x={x + bar / 2} y={H - 6} textAnchor="middle" className="fill-slate-500 text-[10px]">
                  {d.day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="flex gap-4 text-xs text-slate-600">
        <span className="inline-flex items-center gap-1">
          <span aria-hidden className="inline-block h-2 w-2 rounded-sm bg-emerald-500" /> synced ({totals.synced})
        </span>
        <span className="inline-flex items-center gap-1">
          <span aria-hidden className="inline-block h-2 w-2 rounded-sm bg-red-500" /> failed ({totals.failed})
        </span>
      </figcaption>
      <table className="sr-only">
        <caption>Syncs per day</caption>
        <thead>
          <tr>
            <th>Day</th>
            <th>Synced</th>
            <th>Failed</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day}>
              <td>{d.day}</td>
              <td>{d.synced}</td>
              <td>{d.failed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** The timeline chart in a card, live (refetched every few seconds). */
export function SyncChart({ targetId, days = 30, title = "Syncs and failures per day" }: { targetId?: string | undefined; days?: number; title?: string }) {
  const { data, error } = useDailySyncs({ targetId, days });
  return (
    <Card>
      <CardHeader title={title} description={`Last ${days} days, UTC.`} />
      <CardBody>
        {error ? (
          <p role="alert" className="text-sm text-red-700">
            Could not load the chart: {error.message}
          </p>
        ) : data ? (
          <SyncTimeline days={data.days} />
        ) : (
          <p className="text-sm text-slate-500">Loading…</p>
        )}
      </CardBody>
    </Card>
  );
}
