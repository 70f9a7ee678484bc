import type { CSSProperties, ReactNode } from "react";
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
import { ChartFigure } from "./chart-figure";
import { ChartPointer } from "./chart-pointer";
import { CHART_COLORS as C, CHART_HEIGHT } from "./chart-theme";

/**
 * The comparison charts, drawn on the server: a fixed-height frame (role="img", its name summarising the figure)
 * holding the bars as SVG paths, a legend, and a "Show data table" disclosure with the same numbers, whose cells link
 * to the rows behind them (chart-figure.tsx). The table's data is the only place a bar's numbers and links are sent,
 * once, compactly: the table is rendered in the browser when asked for, and the small pointer part
 * (chart-pointer.tsx) reads the same data for the tooltip and on click. No chart library is involved. Nothing here is
 * server-only: the live sync timeline (components/pull/sync-chart.tsx) renders the daily chart from a client component.
 */

/** A delivery figure's list; the figures charted here always have one (only push drift corrected, always 0, has none). */
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

/** While a live chart's numbers load: the same frame, empty. */
function ChartPlaceholder() {
  return <div aria-hidden className="h-full w-full rounded-sm border-b border-slate-200 bg-slate-50" />;
}

/** One stacked part of every bar (bottom first); `part` is which of the row's links a click on it follows. */
interface Layer {
  values: readonly number[];
  className: string;
  part?: number;
}

/** The smallest of 1, 2, 5 × 10ⁿ (and 4, 25) at or above `max`, so the axis reads in round numbers. */
function niceTop(max: number): number {
  if (max <= 1) return 1;
  const scale = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 4, 5, 10].find((m) => m * scale >= max) ?? 10;
  return Math.ceil(step * scale);
}

const n2 = (v: number) => Math.round(v * 100) / 100;

/**
 * Bars as SVG paths on a viewBox one unit wide per bar and 100 high, stretched to the frame (one path per layer, so
 * the markup stays small whatever the number of bars); axes and labels are HTML so text is never stretched. `ticks`
 * holds one label per bar ("" for none); the policy line sits at `policy.x` on the same axis.
 */
function BarPlot({
  layers,
  ticks,
  gap = 0.2,
  policy,
}: {
  layers: Layer[];
  ticks: readonly string[];
  gap?: number;
  policy?: { x: number; label: string } | null;
}) {
  const n = ticks.length;
  const totals = ticks.map((_, i) => layers.reduce((t, l) => t + (l.values[i] ?? 0), 0));
  const top = niceTop(Math.max(0, ...totals));
  const base = ticks.map(() => 0);
  const paths = layers.map((l) => {
    let d = "";
    l.values.forEach((v, i) => {
      if (v <= 0) return;
      const h = (v / top) * 100;
      d += `M${n2(i + gap / 2)} ${n2(100 - base[i]! - h)}h${n2(1 - gap)}v${n2(h)}h${n2(gap - 1)}z`;
      base[i]! += h;
    });
    return { ...l, d };
  });
  const yTicks = top % 2 === 0 ? [top, top / 2, 0] : [top, 0];
  return (
    <div
      className={`grid h-full grid-cols-[2rem_minmax(0,1fr)] grid-rows-[minmax(0,1fr)_1rem] pr-2 ${policy ? "pt-4" : "pt-2"}`}
    >
      <div aria-hidden className="relative text-[10px] text-slate-500 tabular-nums">
        {yTicks.map((v) => (
          <span key={v} className="absolute right-1.5 -translate-y-1/2" style={{ top: `${100 - (v / top) * 100}%` }}>
            {v}
          </span>
        ))}
      </div>
      <div className="relative">
        <ChartPointer count={n}>
          <svg
            aria-hidden
            viewBox={`0 0 ${n} 100`}
            preserveAspectRatio="none"
            className="relative block h-full w-full overflow-visible"
          >
            <path
              d={yTicks.map((v) => `M0 ${100 - (v / top) * 100}H${n}`).join("")}
              className="fill-none stroke-slate-200"
              vectorEffect="non-scaling-stroke"
            />
            {paths.map((p) =>
              p.d ? <path key={p.className} d={p.d} className={p.className} data-part={p.part} /> : null,
            )}
            {policy ? (
              <path
                d={`M${n2(policy.x)} 0V100`}
                className={`fill-none ${C.policy.plot}`}
                strokeWidth={1.5}
                strokeDasharray="4 3"
                vectorEffect="non-scaling-stroke"
              />
            ) : null}
          </svg>
        </ChartPointer>
        {policy ? (
          <span
            aria-hidden
            className="pointer-events-none absolute -top-4 -translate-x-1/2 text-[10px] whitespace-nowrap text-red-600"
            style={{ left: `${(policy.x / n) * 100}%` }}
          >
            {policy.label}
          </span>
        ) : null}
      </div>
      <div />
      <div aria-hidden className="relative overflow-hidden text-[10px] whitespace-nowrap text-slate-500">
        {ticks.map((t, i) =>
          t ? (
            <span key={i} className={`absolute top-0.5 ${tickPlace(i, n).className}`} style={tickPlace(i, n).style}>
              {t}
            </span>
          ) : null,
        )}
      </div>
    </div>
  );
}

/**
 * Where a bar's tick label goes: centred under the bar, except under the first and last of many narrow bars (a month
 * of days), where a centred label would be cut at the frame's edge: there it aligns with the edge.
 */
function tickPlace(i: number, n: number): { className: string; style: CSSProperties } {
  if (n > 12 && i === n - 1) return { className: "", style: { right: 0 } };
  if (n > 12 && i === 0) return { className: "", style: { left: 0 } };
  return { className: "-translate-x-1/2", style: { left: `${((i + 0.5) / n) * 100}%` } };
}

/** At most about `max` tick labels, always the last bar's (a day chart's today). */
function thinTicks(labels: readonly string[], max: number): string[] {
  const step = Math.ceil(labels.length / max);
  return labels.map((l, i) => ((labels.length - 1 - i) % step === 0 ? l : ""));
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
  const total = bars.reduce((t, b) => t + b.total, 0);
  const failed = bars.reduce((t, b) => t + b.failed, 0);
  return (
    <DailyBarsFigure
      bars={bars}
      label={label}
      summary={`${label}: ${total} ${noun} and ${failed} failed over ${formatDays(bars.length)}`}
      noun={noun}
      testId={testId}
    />
  );
}

/**
 * Any daily count with its failures stacked in red (the comparison's deliveries, the sync timeline), each day and its
 * red part linking to their rows. `bars` null is "still loading": the same frame and legend around a placeholder, so
 * nothing moves when the numbers arrive. `summary` names the chart's frame when `label` does not summarise it.
 */
export function DailyBarsFigure({
  bars,
  label,
  summary,
  noun,
  testId,
  parts = DELIVERY_PARTS,
}: {
  bars: DailyBar[] | null;
  label: string;
  summary?: string;
  noun: string;
  testId?: string | undefined;
  parts?: DailyParts;
}) {
  const table = bars && {
    caption: label,
    heads: ["Day (UTC)", noun, parts.failed],
    rows: bars.map((d) => [d.day, d.total, d.failed]),
    hrefs: bars.map((d) => [d.href, d.failedHref]),
  };
  return (
    <ChartFigure table={table}>
      <Frame label={summary ?? label} testId={testId}>
        {bars ? (
          <BarPlot
            ticks={thinTicks(
              bars.map((b) => b.tick),
              7,
            )}
            layers={[
              { values: bars.map((b) => b.succeeded), className: C.succeeded.plot },
              { values: bars.map((b) => b.failed), className: C.failed.plot, part: 1 },
            ]}
          />
        ) : (
          <ChartPlaceholder />
        )}
      </Frame>
      <Legend>
        <LegendItem swatch={<Swatch className={C.succeeded.swatch} />}>{parts.succeeded}</LegendItem>
        <LegendItem swatch={<Swatch className={C.failed.swatch} />}>{parts.failed}</LegendItem>
        <span className="text-slate-500">click a day for its {noun}</span>
      </Legend>
    </ChartFigure>
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
  const measured = bars.reduce((t, b) => t + b.count, 0);
  // No per-bar links: every bar lists the same rows, the figure's link below.
  const table = { caption, heads: ["duration", noun], rows: bars.map((b) => [b.label, b.count]) };
  return (
    <ChartFigure table={table}>
      <Frame label={`${caption}, ${measured} ${noun} measured`}>
        <BarPlot
          gap={0.15}
          ticks={thinTicks(
            bars.map((b) => b.tick),
            8,
          )}
          layers={[{ values: bars.map((b) => b.count), className: C.duration.plot }]}
        />
      </Frame>
      <Legend>
        <LegendItem swatch={<Swatch className={C.duration.swatch} />}>{noun} per bucket</LegendItem>
        <span className="tabular-nums">
          p50 {formatDuration(p50)} · p90 {formatDuration(p90)}
        </span>
      </Legend>
      <a href={link} data-chart-link className="sr-only focus:not-sr-only focus:text-xs">
        List the {noun} behind this distribution
      </a>
    </ChartFigure>
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
  const beyond = chart.bars.reduce((t, b) => t + (b.beyondPolicy ? b.count : 0), 0);
  const table = {
    caption,
    heads: ["age (days)", noun],
    rows: chart.bars.map((b) => [b.label, b.count]),
    hrefs: chart.bars.map((b) => [b.href]),
  };
  return (
    <ChartFigure table={table}>
      <Frame
        label={`${caption}: ${chart.total} ${noun}${chart.policyMaxAgeDays !== null ? `, ${beyond} past the policy` : ""}`}
      >
        <BarPlot
          gap={0.15}
          ticks={chart.bars.map((b) => b.tick)}
          layers={[
            { values: chart.bars.map((b) => (b.beyondPolicy ? 0 : b.count)), className: C.age.plot },
            { values: chart.bars.map((b) => (b.beyondPolicy ? b.count : 0)), className: C.beyondPolicy.plot },
          ]}
          policy={
            chart.policyX !== null && chart.policyMaxAgeDays !== null
              ? { x: chart.policyX, label: `policy ${formatDays(chart.policyMaxAgeDays)}` }
              : null
          }
        />
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
    </ChartFigure>
  );
}
