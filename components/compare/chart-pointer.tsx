"use client";

import { useRouter } from "next/navigation";
import { useState, type MouseEvent, type ReactNode } from "react";
import { useChartTable } from "./chart-figure";

/**
 * The pointer part of a comparison chart: the bars are server-drawn SVG and the numbers and links live once, in the
 * figure's table data (chart-figure.tsx), whether or not its table is shown. Under the pointer this reads the
 * hovered bar's row for the tooltip; a click follows that row's link (its `data-part`-th link when a bar part says
 * which, e.g. a day's failures), or the figure's own link (`a[data-chart-link]`) when rows carry none.
 */
export function ChartPointer({ count, children }: { count: number; children: ReactNode }) {
  const router = useRouter();
  const table = useChartTable();
  const [hover, setHover] = useState<{ index: number; lines: string[] } | null>(null);

  const indexAt = (e: MouseEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return Math.min(count - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * count)));
  };

  function onPointerMove(e: MouseEvent<HTMLDivElement>) {
    const index = indexAt(e);
    if (hover?.index === index) return;
    const row = table?.rows[index];
    if (!row) return setHover(null);
    const [title, ...cells] = row;
    setHover({ index, lines: [String(title), ...cells.map((v, i) => `${table.heads[i + 1] ?? ""}: ${v}`)] });
  }

  function onClick(e: MouseEvent<HTMLDivElement>) {
    const links = table?.hrefs?.[indexAt(e)];
    const part = Number((e.target as Element).closest("[data-part]")?.getAttribute("data-part") ?? 0);
    const href =
      links?.[part] ??
      links?.[0] ??
      e.currentTarget.closest("figure")?.querySelector("a[data-chart-link]")?.getAttribute("href");
    if (href) router.push(href);
  }

  const width = 100 / count;
  const left = hover ? hover.index * width : 0;
  return (
    <div
      className="relative h-full w-full cursor-pointer"
      onPointerMove={onPointerMove}
      onPointerLeave={() => setHover(null)}
      onClick={onClick}
    >
      {hover ? (
        <div className="absolute inset-y-0 bg-slate-100" style={{ left: `${left}%`, width: `${width}%` }} />
      ) : null}
      {children}
      {hover ? (
        <div
          data-testid="chart-tooltip"
          className="pointer-events-none absolute top-0 z-10 rounded-md border border-slate-200 bg-white px-2.5 py-1.5 text-xs whitespace-nowrap shadow-sm"
          style={left + width / 2 > 50 ? { right: `${100 - left}%` } : { left: `${left + width}%` }}
        >
          <p className="font-medium text-slate-900">{hover.lines[0]}</p>
          {hover.lines.slice(1).map((l) => (
            <p key={l} className="text-slate-700">
              {l}
            </p>
          ))}
          <p className="mt-0.5 text-[11px] text-slate-400">click to list the rows</p>
        </div>
      ) : null}
    </div>
  );
}
