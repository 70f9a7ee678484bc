/**
 * One place for the comparison charts' sizes and colours: each colour is a swatch class (legend) and a fill class
 * (the server-drawn SVG bars), both literal so Tailwind emits them.
 */

/** Fixed height of every chart frame (px): the skeleton and the chart take the same space, so nothing shifts. */
export const CHART_HEIGHT = 150;

export const CHART_COLORS = {
  succeeded: { plot: "fill-emerald-500", swatch: "bg-emerald-500" },
  failed: { plot: "fill-red-500", swatch: "bg-red-500" },
  duration: { plot: "fill-sky-500", swatch: "bg-sky-500" },
  age: { plot: "fill-slate-500", swatch: "bg-slate-500" },
  beyondPolicy: { plot: "fill-amber-500", swatch: "bg-amber-500" },
  policy: { plot: "stroke-red-600", swatch: "bg-red-600" },
} as const;
