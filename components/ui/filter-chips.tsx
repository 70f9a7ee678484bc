"use client";

export interface FilterChip {
  /** Stable key, also the chip's test id suffix. */
  key: string;
  /** What the chip says, e.g. "range: finished 2026-01-01 → before 2026-01-31 (UTC)". */
  label: string;
  onClear: () => void;
}

/**
 * The filters a list is narrowed by, each with a × that clears it, and "Clear all". A list reached from a link (the
 * comparison's figures) shows here why it holds only some rows, including filters its form has no control for.
 */
export function FilterChips({
  chips,
  onClearAll,
  label = "Active filters",
}: {
  chips: FilterChip[];
  onClearAll?: () => void;
  label?: string;
}) {
  if (chips.length === 0) return null;
  return (
    <div
      role="group"
      aria-label={label}
      className="flex flex-wrap items-center gap-2 text-xs"
      data-testid="filter-chips"
    >
      {chips.map((c) => (
        <span
          key={c.key}
          data-testid={`filter-chip-${c.key}`}
          className="inline-flex items-center gap-1 rounded-full bg-brand-50 py-0.5 pl-2.5 pr-1 text-brand-700 ring-1 ring-inset ring-brand-100"
        >
          {c.label}
          <button
            type="button"
            onClick={c.onClear}
            aria-label={`Clear ${c.label}`}
            className="rounded-full px-1.5 leading-5 hover:bg-brand-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
          >
            ×
          </button>
        </span>
      ))}
      {onClearAll && chips.length > 1 ? (
        <button
          type="button"
          onClick={onClearAll}
          className="rounded px-1.5 text-slate-600 underline hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
        >
          Clear all
        </button>
      ) : null}
    </div>
  );
}
