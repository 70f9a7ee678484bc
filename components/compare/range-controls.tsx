import type { Comparison } from "@/lib/compare/data/get-comparison";
import { formatDate } from "@/lib/format/date";
import { formatDays } from "@/lib/format/duration";

/**
 * Time range and environment as a plain GET form: the choice lives in the URL (shareable, back button works) and
 * needs no client JavaScript.
 */
export function RangeControls({
  comparison,
  action = "/",
  showEnvironment = true,
}: {
  comparison: Comparison;
  action?: string;
  showEnvironment?: boolean;
}) {
  const r = comparison.range;
  const lastDay = formatDate(new Date(r.to).getTime() - 1);
  return (
    <form method="get" action={action} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Comparison range">
      <label className="flex flex-col gap-1">
        <span className="text-xs font-medium text-slate-600">Range</span>
        <select name="range" defaultValue={r.key} className="rounded-md border border-slate-300 bg-white px-2 py-1.5">
          <option value="7">Last 7 days</option>
          <option value="30">Last 30 days</option>
          <option value="90">Last 90 days</option>
          <option value="custom">Custom…</option>
        </select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs font-medium text-slate-600">From (custom)</span>
        <input
          type="date"
          name="from"
          defaultValue={r.key === "custom" ? r.from.slice(0, 10) : ""}
          className="rounded-md border border-slate-300 px-2 py-1"
        />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs font-medium text-slate-600">To (custom)</span>
        <input
          type="date"
          name="to"
          defaultValue={r.key === "custom" ? lastDay : ""}
          className="rounded-md border border-slate-300 px-2 py-1"
        />
      </label>
      {showEnvironment ? (
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium text-slate-600">Environment</span>
          <select
            name="environment"
            defaultValue={r.environment ?? ""}
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5"
          >
            <option value="">All environments</option>
            {comparison.environments.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 font-medium text-white hover:bg-slate-700">
        Apply
      </button>
      <p className="ml-auto text-xs text-slate-500">
        {formatDate(r.from)} – {lastDay} (UTC), {formatDays(r.days)}
      </p>
    </form>
  );
}
