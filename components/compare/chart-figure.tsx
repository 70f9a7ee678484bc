"use client";

import { createContext, useContext, useId, useState, type ReactNode } from "react";

/**
 * A chart's numbers, one row per bar in the bars' order: the only place they cross to the browser. Compact on
 * purpose — the Overview renders six charts, and a table rendered on the server travelled twice (its markup in the
 * HTML, its element tree again in the RSC payload) and cost the page ~590 hidden elements to parse, lay out and
 * hydrate on every load (issue 17, item 2).
 */
export interface ChartTableData {
  caption: string;
  /** Column heads; the first names the row heads (the bars' labels). */
  heads: string[];
  /** Per bar: its label, then one value per column after the first. */
  rows: (string | number)[][];
  /** Per bar: the link of each value (same order), when its rows can be listed; absent for a figure linked as a whole. */
  hrefs?: string[][];
}

const ChartTableContext = createContext<ChartTableData | null>(null);

/** The enclosing figure's numbers, for the chart's tooltip and click (chart-pointer.tsx). */
export function useChartTable(): ChartTableData | null {
  return useContext(ChartTableContext);
}

/**
 * A comparison chart's figure: the server-drawn plot and legend (children), then a "Show data table" disclosure
 * (the WAI-ARIA disclosure pattern, as Highcharts' and GOV.UK's charts offer): the table is rendered only once asked
 * for, from `table`, and takes focus-visible space when open, so its links never take focus out of sight.
 */
export function ChartFigure({ table, children }: { table: ChartTableData | null; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <ChartTableContext value={table}>
      <figure>
        {children}
        {table ? (
          <>
            <button
              type="button"
              aria-expanded={open}
              aria-controls={open ? id : undefined}
              // The visible words first, then which chart (several charts share the page).
              aria-label={`${open ? "Hide" : "Show"} data table: ${table.caption}`}
              onClick={() => setOpen((o) => !o)}
              className="mt-1 rounded text-[11px] text-brand-700 underline hover:text-brand-600 focus-visible:outline-2 focus-visible:outline-brand-600"
            >
              {open ? "Hide data table" : "Show data table"}
            </button>
            {open ? (
              <div id={id} className="mt-1 max-h-60 overflow-auto rounded-md border border-slate-200">
                <ChartTable table={table} />
              </div>
            ) : null}
          </>
        ) : null}
      </figure>
    </ChartTableContext>
  );
}

function ChartTable({ table }: { table: ChartTableData }) {
  return (
    <table className="w-full text-left text-xs tabular-nums [&_a]:text-brand-700 [&_a]:underline [&_td]:px-2 [&_td]:py-0.5 [&_th]:px-2 [&_th]:py-0.5 [&_th]:font-medium">
      <caption className="px-2 py-1 text-left font-medium text-slate-700">{table.caption}</caption>
      <thead>
        <tr>
          {table.heads.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map(([head, ...cells], i) => (
          <tr key={String(head)}>
            <th scope="row">{head}</th>
            {cells.map((v, j) => {
              const href = table.hrefs?.[i]?.[j];
              // Plain links: InAppLinks (components/layout/in-app-links.tsx) navigates them in the app.
              return <td key={j}>{href ? <a href={href}>{v}</a> : v}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
