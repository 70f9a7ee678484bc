"use client";

import { DailyBarsFigure } from "@/components/compare/charts";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import type { TSyncResult } from "@/lib/agent/protocol";
import { dailyBars, type DailyBar, type DailyParts } from "@/lib/compare/chart-series";
import { dayScope, syncHref } from "@/lib/compare/links";
import { formatDays } from "@/lib/format/duration";
import { useDailySyncs } from "@/lib/sync/hooks/use-daily-syncs";
import { DAILY_FAILED_RESULTS, DAILY_SYNCED_RESULTS, type SyncDailyCount } from "@/lib/sync/schemas";

const DAY_MS = 86_400_000;
const PARTS: DailyParts = { succeeded: "synced", failed: "failed" };
/** The results a day's bar counts, so a day's link lists exactly the rows of its bar. */
const COUNTED: TSyncResult[] = [...DAILY_SYNCED_RESULTS, ...DAILY_FAILED_RESULTS];
const FAILED: TSyncResult[] = [...DAILY_FAILED_RESULTS];

/** A bar per day, each linking to that UTC day's sync events in /sync (its red part to the failed ones), on `targetId` if given. */
export function syncDayBars(days: readonly SyncDailyCount[], targetId: string | undefined): DailyBar[] {
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) return [];
  const range = {
    from: `${first.day}T00:00:00.000Z`,
    to: new Date(Date.parse(`${last.day}T00:00:00Z`) + DAY_MS).toISOString(),
    environment: null,
    targetId,
  };
  return dailyBars(
    days.map((d) => ({ day: d.day, deployments: d.synced + d.failed, failures: d.failed })),
    (day, failed) => {
      const { from, to } = dayScope(range, day);
      return syncHref({ targetId, from, to, result: failed ? FAILED : COUNTED });
    },
  );
}

function totalsOf(days: readonly SyncDailyCount[]): { synced: number; failed: number } {
  return days.reduce((t, d) => ({ synced: t.synced + d.synced, failed: t.failed + d.failed }), {
    synced: 0,
    failed: 0,
  });
}

/** Syncs per day with failures stacked in red: the comparison's daily chart, with a data table of day links on demand. */
export function SyncTimeline({ days, targetId }: { days: SyncDailyCount[]; targetId?: string | undefined }) {
  const { synced, failed } = totalsOf(days);
  return (
    <DailyBarsFigure
      bars={syncDayBars(days, targetId)}
      parts={PARTS}
      noun="syncs"
      testId="sync-chart"
      label={`${synced} synced and ${failed} failed syncs over ${formatDays(days.length)}`}
    />
  );
}

/** The timeline chart in a card, live (refetched every few seconds); the frame keeps its size while loading. */
export function SyncChart({
  targetId,
  days = 30,
  title = "Syncs and failures per day",
}: {
  targetId?: string | undefined;
  days?: number;
  title?: string;
}) {
  const { data, error } = useDailySyncs({ targetId, days });
  const totals = data ? totalsOf(data.days) : null;
  return (
    <Card>
      <CardHeader
        title={title}
        description={
          totals
            ? `Last ${formatDays(days)}, UTC: ${totals.synced} synced, ${totals.failed} failed.`
            : `Last ${formatDays(days)}, UTC.`
        }
      />
      <CardBody>
        {data ? (
          <SyncTimeline days={data.days} targetId={targetId} />
        ) : error ? null : (
          <DailyBarsFigure bars={null} parts={PARTS} noun="syncs" testId="sync-chart" label="Syncs per day, loading" />
        )}
        {/* A failed refetch keeps the last numbers on screen and says so. */}
        {error ? (
          <p role="alert" className="text-sm text-red-700">
            Could not load the chart: {error.message}
          </p>
        ) : null}
      </CardBody>
    </Card>
  );
}
