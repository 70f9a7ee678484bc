"use client";

import dynamic from "next/dynamic";
import { useEffect, useRef, useState, type ComponentProps, type ReactNode } from "react";
import type { AgeBarsChart, DailyChart, DurationChart } from "./recharts-charts";

/**
 * The Recharts charts, off the critical path: the server renders a placeholder in each chart's fixed-height frame
 * (nothing moves when the chart replaces it); in the browser the chart library arrives in its own chunk after
 * hydration, and the charts mount one at a time, each in its own task and only once near the viewport. Mounted
 * together, six charts are one long task (render plus Recharts' store updates) that delays the first click.
 */
export function ChartPlaceholder() {
  return <div aria-hidden className="h-full w-full rounded-sm border-b border-slate-200 bg-slate-50" />;
}

const Daily = dynamic(() => import("./recharts-charts").then((m) => m.DailyChart), {
  ssr: false,
  loading: ChartPlaceholder,
});
const Duration = dynamic(() => import("./recharts-charts").then((m) => m.DurationChart), {
  ssr: false,
  loading: ChartPlaceholder,
});
const AgeBars = dynamic(() => import("./recharts-charts").then((m) => m.AgeBarsChart), {
  ssr: false,
  loading: ChartPlaceholder,
});

/** Charts waiting to mount, in the order they came into view; each waits for the previous one to have mounted. */
let turns: Promise<void> = Promise.resolve();
/** A chart that never reports (its chunk failed to load) does not hold the others back longer than this. */
const TURN_TIMEOUT_MS = 3000;

/** Renders `children` once the frame is near the viewport and it is this chart's turn; `done` ends the turn. */
function Deferred({ children }: { children: (done: () => void) => ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [done, setDone] = useState<(() => void) | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let alive = true;
    let endTurn: (() => void) | null = null;
    const io = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        io.disconnect();
        turns = turns.then(
          () =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, TURN_TIMEOUT_MS);
              endTurn = () => {
                clearTimeout(timer);
                resolve();
              };
              // A macrotask, so this chart renders in a task of its own rather than right after the previous one.
              setTimeout(() => (alive ? setDone(() => endTurn!) : endTurn!()), 0);
            }),
        );
      },
      { rootMargin: "200px" },
    );
    io.observe(el);
    return () => {
      alive = false;
      io.disconnect();
      endTurn?.();
    };
  }, []);
  return (
    <div ref={ref} className="h-full w-full">
      {done ? children(done) : <ChartPlaceholder />}
    </div>
  );
}

type Props<C extends typeof DailyChart | typeof DurationChart | typeof AgeBarsChart> = Omit<
  ComponentProps<C>,
  "onMounted"
>;

export function LazyDailyChart(props: Props<typeof DailyChart>) {
  return <Deferred>{(done) => <Daily {...props} onMounted={done} />}</Deferred>;
}

export function LazyDurationChart(props: Props<typeof DurationChart>) {
  return <Deferred>{(done) => <Duration {...props} onMounted={done} />}</Deferred>;
}

export function LazyAgeBarsChart(props: Props<typeof AgeBarsChart>) {
  return <Deferred>{(done) => <AgeBars {...props} onMounted={done} />}</Deferred>;
}
