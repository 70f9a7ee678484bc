import Link from "next/link";
import type { ReactNode } from "react";
import { formatDays, formatDuration } from "@/lib/format/duration";
import {
  ageChart,
  dailyBars,
  DELIVERY_PARTS,
  durationBars,
  type DailyBar,
  type DailyParts,
} from "@/lib/compare/chart-series";
import type { AgeBars, DayPoint, TMode } from "@/lib/compare/figures";
import { dayScope, deliveryFigureHref, type FigureScope, type TDeliveryFigure } from "@/lib/compare/links";
import { CHART_COLORS as C, CHART_HEIGHT } from "./chart-theme";
import { ChartPlaceholder, LazyAgeBarsChart, LazyDailyChart, LazyDurationChart } from "./lazy-charts";

/**
 * The comparison charts, rendered on the server for the home page: a fixed-height frame (role="img") holding the
 * Recharts chart, which loads after hydration (lazy-charts.tsx), a legend, and a visually hidden table of the same
 * numbers whose cells link to the rows behind them. Every value and link is computed here and passed down as plain
 * data. Nothing here is server-only: the live sync timeline (components/pull/sync-chart.tsx) renders the daily chart
 * from a client component.
 */

/** A delivery figure's list; the figures charted here always have one (only push drift has none). */
function figureHref(mode: TMode, figure: TDeliveryFigure, scope: FigureScope): string {
  return deliveryFigureHref(mode, figure, scope) ?? (mode === "push" ? "/deployments" : "/sync");
}

function Swatch({ className }: { className: string }) {
  return <span aria-hidden className={`inline-block h-2.5 w-2.5 rounded-[2px] ${className}`} />;
}

function Legend({ children }: { children: ReactNode }) {
  return (
    <figcaption className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-0.5 text-[11px] text-slate-600">
      {children}
    </figcaption>
  );
}

function LegendItem({ swatch, children }: { swatch: ReactNode; children: ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1">
      {swatch}
      {children}
    </span>
  );
}

/** The chart's frame: fixed height so the placeholder and the chart occupy the same box (no layout shift). */
function Frame({ label, testId, children }: { label: string; testId?: string | undefined; children: ReactNode }) {
  return (
    <div role="img" aria-label={label} data-testid={testId} className="w-full" style={{ height: CHART_HEIGHT }}>
      {children}
    </div>
  );
}

/**
 * The chart's numbers as a table: visually hidden, but shown while a keyboard user is inside it, so its links never
 * take focus out of sight.
 */
function DataTable({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <div className="sr-only focus-within:not-sr-only focus-within:mt-2 focus-within:block focus-within:max-h-60 focus-within:overflow-auto focus-within:rounded-md focus-within:border focus-within:border-slate-200">
      <table className="w-full text-left text-xs tabular-nums [&_a]:text-brand-700 [&_a]:underline [&_td]:px-2 [&_td]:py-0.5 [&_th]:px-2 [&_th]:py-0.5 [&_th]:font-medium">
        <caption className="px-2 py-1 text-left font-medium text-slate-700">{caption}</caption>
        {children}
      </table>
    </div>
  );
}

/** Deliveries per day, failures stacked on successes; each day links to that day's rows. */
export function DailyDeliveries({
  series,
  mode,
  scope,
  label,
  noun,
  testId,
}: {
  series: DayPoint[];
  mode: TMode;
  scope: FigureScope;
  label: string;
  noun: string;
  testId?: string;
}) {
  const bars = dailyBars(series, (day, failed) =>
    figureHref(mode, failed ? "failures" : "deliveries", dayScope(scope, day)),
  );
  return <DailyBarsFigure bars={bars} label={label} noun={noun} testId={testId} />;
}

/**
 * Any daily count with its failures stacked in red (the comparison's deliveries, the sync timeline), each day and its
 * red part linking to their rows. `bars` null is "still loading": the same frame and legend around a placeholder, so
 * nothing moves when the numbers arrive.
 */
export function DailyBarsFigure({
  bars,
  label,
  noun,
  testId,
  parts = DELIVERY_PARTS,
}: {
  bars: DailyBar[] | null;
  label: string;
  noun: string;
  testId?: string | undefined;
  parts?: DailyParts;
}) {
  return (
    <figure>
      <Frame label={label} testId={testId}>
        {bars ? <LazyDailyChart data={bars} noun={noun} parts={parts} /> : <ChartPlaceholder />}
      </Frame>
      <Legend>
        <LegendItem swatch={<Swatch className={C.succeeded.swatch} />}>{parts.succeeded}</LegendItem>
        <LegendItem swatch={<Swatch className={C.failed.swatch} />}>{parts.failed}</LegendItem>
        <span className="text-slate-500">click a day for its {noun}</span>
      </Legend>
      {bars ? (
        <DataTable caption={label}>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">{noun}</th>
              <th scope="col">{parts.failed}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((d) => (
              <tr key={d.day}>
                <th scope="row">{d.day}</th>
                <td>
                  <Link href={d.href} prefetch={false}>
                    {d.total}
                  </Link>
                </td>
                <td>
                  <Link href={d.failedHref} prefetch={false}>
                    {d.failed}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      ) : null}
    </figure>
  );
}

/** A duration distribution over the fixed buckets in use, with p50/p90; links to the rows it was computed from. */
export function DurationDistribution({
  buckets,
  mode,
  scope,
  label,
  noun,
  p50,
  p90,
}: {
  buckets: number[];
  mode: TMode;
  scope: FigureScope;
  label: string;
  noun: string;
  p50: number | null;
  p90: number | null;
}) {
  const bars = durationBars(buckets);
  if (bars.length === 0) return <p className="text-xs text-slate-500">No measurements in this range.</p>;
  const link = figureHref(mode, "lead-time", scope);
  const caption = `${label}: p50 ${formatDuration(p50)}, p90 ${formatDuration(p90)}`;
  return (
    <figure>
      <Frame label={caption}>
        <LazyDurationChart data={bars} href={link} noun={noun} />
      </Frame>
      <Legend>
        <LegendItem swatch={<Swatch className={C.duration.swatch} />}>{noun} per bucket</LegendItem>
        <span className="tabular-nums">
          p50 {formatDuration(p50)} · p90 {formatDuration(p90)}
        </span>
      </Legend>
      <DataTable caption={caption}>
        <thead>
          <tr>
            <th scope="col">duration</th>
            <th scope="col">{noun}</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((b) => (
            <tr key={b.bucket}>
              <th scope="row">{b.label}</th>
              <td>{b.count}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      <Link href={link} prefetch={false} className="sr-only focus:not-sr-only focus:text-xs">
        List the {noun} behind this distribution
      </Link>
    </figure>
  );
}

/**
 * Credential ages as bars with the policy's max age as a dashed line. There is no list filtered by age: bars wholly
 * past the policy link to the overdue credentials, the others to the credentials (or agents) in scope.
 */
export function CredentialAgeBars({
  ages,
  label,
  noun,
  links,
}: {
  ages: AgeBars;
  label: string;
  noun: string;
  links: { href: string; beyondPolicyHref?: string };
}) {
  const chart = ageChart(ages, links);
  if (chart.total === 0) return <p className="text-xs text-slate-500">No {noun}.</p>;
  const caption = `${label}${chart.policyMaxAgeDays !== null ? ` (policy: ${formatDays(chart.policyMaxAgeDays)})` : ""}`;
  return (
    <figure>
      <Frame label={caption}>
        <LazyAgeBarsChart chart={chart} noun={noun} />
      </Frame>
      <Legend>
        <LegendItem swatch={<Swatch className={C.age.swatch} />}>{noun}</LegendItem>
        {chart.policyMaxAgeDays !== null ? (
          <>
            <LegendItem swatch={<Swatch className={C.beyondPolicy.swatch} />}>past the policy</LegendItem>
            <LegendItem
              swatch={<span aria-hidden className="inline-block w-4 border-t-2 border-dashed border-red-600" />}
            >
              policy {formatDays(chart.policyMaxAgeDays)}
            </LegendItem>
          </>
        ) : (
          <span className="text-slate-500">no rotation policy</span>
        )}
      </Legend>
      <DataTable caption={caption}>
        <thead>
          <tr>
            <th scope="col">age (days)</th>
            <th scope="col">{noun}</th>
          </tr>
        </thead>
        <tbody>
          {chart.bars.map((b) => (
            <tr key={b.label}>
              <th scope="row">{b.label}</th>
              <td>
                <Link href={b.href} prefetch={false}>
                  {b.count}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </figure>
  );
}
