"use client";

import { useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Rectangle,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
  type BarShapeProps,
  type TooltipContentProps,
} from "recharts";
import {
  DELIVERY_PARTS,
  type AgeChart,
  type DailyBar,
  type DailyParts,
  type DurationBar,
} from "@/lib/compare/chart-series";
import { formatDays } from "@/lib/format/duration";
import { CHART_COLORS as C } from "./chart-theme";

// Loaded lazily by lazy-charts.tsx (never server-rendered): the server sends the frame, legend and data table.

const TICK = { fontSize: 10, fill: C.axis.fill };
const MARGIN = { top: 8, right: 8, bottom: 0, left: 0 };
/** Room above the plot for the policy line's label. */
const AGE_MARGIN = { ...MARGIN, top: 16 };
const FRAME = { width: "100%", height: "100%" } as const;

function TooltipBox({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="rounded-md border border-slate-200 bg-white px-2.5 py-1.5 text-xs shadow-sm">
      <p className="font-medium text-slate-900">{title}</p>
      {children}
      <p className="mt-0.5 text-[11px] text-slate-400">click to list the rows</p>
    </div>
  );
}

/** The hovered row of a chart's data (Recharts hands the raw row over as `payload`). */
function hovered<T>(p: TooltipContentProps): T | null {
  return p.active ? ((p.payload[0]?.payload as T | undefined) ?? null) : null;
}

/**
 * The row under a click on the chart outside a bar (a short or empty day), from the hovered index Recharts keeps:
 * unknown until the pointer has moved over the chart, so clicks on bars are handled by the bars themselves.
 */
function rowAt<T>(data: readonly T[], index: unknown): T | undefined {
  const i = typeof index === "number" ? index : typeof index === "string" && index !== "" ? Number(index) : NaN;
  return Number.isInteger(i) ? data[i] : undefined;
}

/** A bar's click handler: the row it stands for, and no chart-level click after it. */
function onBar<T>(go: (row: T) => void) {
  return (item: { payload?: unknown }, _index: number, event: { stopPropagation(): void }) => {
    event.stopPropagation();
    if (item.payload) go(item.payload as T);
  };
}

/** Tells lazy-charts.tsx the chart has mounted (after Recharts' own mount effects), so the next one may start. */
function useReportMounted(onMounted: (() => void) | undefined) {
  useEffect(() => onMounted?.(), [onMounted]);
}

/** Deliveries (or syncs) per day, failures stacked in red; a click lists that day's rows (the failed ones from the red part). */
export function DailyChart({
  data,
  noun,
  parts = DELIVERY_PARTS,
  onMounted,
}: {
  data: DailyBar[];
  noun: string;
  parts?: DailyParts;
  onMounted?: () => void;
}) {
  const router = useRouter();
  useReportMounted(onMounted);
  return (
    <BarChart
      data={data}
      responsive
      style={FRAME}
      margin={MARGIN}
      barCategoryGap="20%"
      accessibilityLayer={false}
      cursor="pointer"
      onClick={(state) => {
        const d = rowAt(data, state.activeTooltipIndex);
        if (d) router.push(d.href);
      }}
    >
      <CartesianGrid vertical={false} stroke={C.grid.fill} />
      <XAxis dataKey="tick" tick={TICK} tickLine={false} axisLine={{ stroke: C.grid.fill }} minTickGap={16} />
      <YAxis allowDecimals={false} width={32} tick={TICK} tickLine={false} axisLine={false} />
      <Tooltip
        cursor={{ fill: C.cursor.fill }}
        isAnimationActive={false}
        content={(p) => {
          const d = hovered<DailyBar>(p);
          return d ? (
            <TooltipBox title={d.day}>
              <p className="text-slate-700">
                {noun}: {d.total}
              </p>
              <p className="text-emerald-700">
                {parts.succeeded}: {d.succeeded}
              </p>
              <p className={d.failed > 0 ? "text-red-700" : "text-slate-500"}>
                {parts.failed}: {d.failed}
              </p>
            </TooltipBox>
          ) : null;
        }}
      />
      <Bar
        dataKey="succeeded"
        name={parts.succeeded}
        stackId="day"
        fill={C.succeeded.fill}
        isAnimationActive={false}
        onClick={onBar<DailyBar>((d) => router.push(d.href))}
      />
      {/* The red part lists the day's failures only. */}
      <Bar
        dataKey="failed"
        name={parts.failed}
        stackId="day"
        fill={C.failed.fill}
        isAnimationActive={false}
        onClick={onBar<DailyBar>((d) => router.push(d.failedHref))}
      />
    </BarChart>
  );
}

/** A duration histogram over the buckets in use; a click lists the rows the distribution was computed from. */
export function DurationChart({
  data,
  href,
  noun,
  onMounted,
}: {
  data: DurationBar[];
  href: string;
  noun: string;
  onMounted?: () => void;
}) {
  const router = useRouter();
  useReportMounted(onMounted);
  return (
    <BarChart
      data={data}
      responsive
      style={FRAME}
      margin={MARGIN}
      barCategoryGap="15%"
      accessibilityLayer={false}
      cursor="pointer"
      onClick={() => router.push(href)}
    >
      <CartesianGrid vertical={false} stroke={C.grid.fill} />
      <XAxis dataKey="tick" tick={TICK} tickLine={false} axisLine={{ stroke: C.grid.fill }} minTickGap={8} />
      <YAxis allowDecimals={false} width={32} tick={TICK} tickLine={false} axisLine={false} />
      <Tooltip
        cursor={{ fill: C.cursor.fill }}
        isAnimationActive={false}
        content={(p) => {
          const d = hovered<DurationBar>(p);
          return d ? (
            <TooltipBox title={d.label}>
              <p className="text-slate-700">
                {noun}: {d.count}
              </p>
            </TooltipBox>
          ) : null;
        }}
      />
      <Bar dataKey="count" fill={C.duration.fill} isAnimationActive={false} />
    </BarChart>
  );
}

function ageBarShape(props: BarShapeProps) {
  const beyond = (props.payload as AgeChart["bars"][number] | undefined)?.beyondPolicy;
  return <Rectangle {...props} fill={beyond ? C.beyondPolicy.fill : C.age.fill} />;
}

/**
 * Credential ages as bars on a numeric axis (bar i spans [i, i + 1]) so the policy line can sit exactly where the
 * max age falls, also inside a bar; bars wholly past the policy are amber.
 */
export function AgeBarsChart({ chart, noun, onMounted }: { chart: AgeChart; noun: string; onMounted?: () => void }) {
  const router = useRouter();
  useReportMounted(onMounted);
  const ticks = chart.bars.map((b) => b.x);
  const tickOf = new Map(chart.bars.map((b) => [b.x, b.tick]));
  return (
    <BarChart
      data={chart.bars}
      responsive
      style={FRAME}
      margin={AGE_MARGIN}
      barCategoryGap="15%"
      accessibilityLayer={false}
      cursor="pointer"
      onClick={(state) => {
        const b = rowAt(chart.bars, state.activeTooltipIndex);
        if (b) router.push(b.href);
      }}
    >
      <CartesianGrid vertical={false} stroke={C.grid.fill} />
      <XAxis
        dataKey="x"
        type="number"
        domain={[0, chart.bars.length]}
        ticks={ticks}
        interval={0}
        tickFormatter={(v: number) => tickOf.get(v) ?? ""}
        tick={TICK}
        tickLine={false}
        axisLine={{ stroke: C.grid.fill }}
      />
      <YAxis allowDecimals={false} width={32} tick={TICK} tickLine={false} axisLine={false} />
      <Tooltip
        cursor={{ fill: C.cursor.fill }}
        isAnimationActive={false}
        content={(p) => {
          const b = hovered<AgeChart["bars"][number]>(p);
          return b ? (
            <TooltipBox title={b.label}>
              <p className="text-slate-700">
                {noun}: {b.count}
              </p>
              {b.beyondPolicy ? <p className="text-amber-700">past the {chart.policyMaxAgeDays}-day policy</p> : null}
            </TooltipBox>
          ) : null;
        }}
      />
      <Bar
        dataKey="count"
        isAnimationActive={false}
        shape={ageBarShape}
        onClick={onBar<AgeChart["bars"][number]>((b) => router.push(b.href))}
      />
      {chart.policyX !== null && chart.policyMaxAgeDays !== null ? (
        <ReferenceLine
          x={chart.policyX}
          stroke={C.policy.fill}
          strokeDasharray="4 3"
          ifOverflow="extendDomain"
          label={{
            value: `policy ${formatDays(chart.policyMaxAgeDays)}`,
            position: "top",
            fontSize: 10,
            fill: C.policy.fill,
          }}
        />
      ) : null}
    </BarChart>
  );
}
