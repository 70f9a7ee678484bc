/**
 * One place for the comparison charts' sizes and colours, read by the server part (legend, skeleton) and the client
 * charts. Colours are Tailwind's theme variables; each one also appears here as a literal class (`swatch`) so
 * Tailwind emits the variable the SVG fill points at.
 */

/** Fixed height of every chart frame (px): the skeleton and the chart take the same space, so nothing shifts. */
export const CHART_HEIGHT = 150;

export const CHART_COLORS = {
  succeeded: { fill: "var(--color-emerald-500)", swatch: "bg-emerald-500" },
  failed: { fill: "var(--color-red-500)", swatch: "bg-red-500" },
  duration: { fill: "var(--color-sky-500)", swatch: "bg-sky-500" },
  age: { fill: "var(--color-slate-500)", swatch: "bg-slate-500" },
  beyondPolicy: { fill: "var(--color-amber-500)", swatch: "bg-amber-500" },
  policy: { fill: "var(--color-red-600)", swatch: "bg-red-600" },
  axis: { fill: "var(--color-slate-500)", swatch: "bg-slate-500" },
  grid: { fill: "var(--color-slate-200)", swatch: "bg-slate-200" },
  cursor: { fill: "var(--color-slate-100)", swatch: "bg-slate-100" },
} as const;
