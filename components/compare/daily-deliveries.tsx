"use client";

import { dailyBars, type CompactDailySeries } from "@/lib/compare/chart-series";
import type { TMode } from "@/lib/compare/figures";
import { dayScope, deliveryFigureHref, type FigureScope } from "@/lib/compare/links";
import { DailyBarsFigure } from "./charts";

const DAY_MS = 86_400_000;

/**
 * Deliveries per day, failures stacked on successes; each day and its failed part link to their rows. Takes the
 * compact series (compactDailySeries) and builds the chart's rows, its accessible table and every day's two links
 * here, so the page's RSC payload carries the counts once instead of 60 link-carrying rows plus a server-rendered
 * copy of the table (the table is still server-rendered into the HTML, from this same prop).
 */
export function DailyDeliveriesFigure({
  series,
  mode,
  scope,
  label,
  noun,
  testId,
}: {
  series: CompactDailySeries;
  mode: TMode;
  scope: FigureScope;
  label: string;
  noun: string;
  testId?: string;
}) {
  const start = Date.parse(`${series.firstDay}T00:00:00Z`);
  const points = series.deliveries.map((deployments, i) => ({
    day: new Date(start + i * DAY_MS).toISOString().slice(0, 10),
    deployments,
    failures: series.failures[i] ?? 0,
  }));
  const bars = dailyBars(
    points,
    (day, failed) =>
      deliveryFigureHref(mode, failed ? "failures" : "deliveries", dayScope(scope, day)) ??
      (mode === "push" ? "/deployments" : "/sync"),
  );
  return <DailyBarsFigure bars={bars} label={label} noun={noun} testId={testId} />;
}
