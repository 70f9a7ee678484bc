"use client";

import { useRef, type KeyboardEvent } from "react";
import { cn } from "@/lib/utils";

/** The id of tab `value`'s button and of its panel, for `aria-controls` / `aria-labelledby`. */
export function tabIds(idPrefix: string, value: string): { tab: string; panel: string } {
  return { tab: `${idPrefix}-tab-${value}`, panel: `${idPrefix}-panel-${value}` };
}

/**
 * A row of tabs following the WAI-ARIA tabs pattern: one Tab stop (the selected tab; roving tabindex), Left/Right move
 * to the previous/next tab and wrap, Home/End to the first/last, and the tab focused is the tab shown (automatic
 * activation: switching shows a panel that is already rendered, nothing is fetched). Render each panel with
 * `role="tabpanel"`, `id={tabIds(idPrefix, value).panel}` and `aria-labelledby={tabIds(idPrefix, value).tab}`.
 */
export function TabList<T extends string>({
  label,
  idPrefix,
  tabs,
  value,
  onChange,
}: {
  label: string;
  idPrefix: string;
  tabs: readonly { id: T; label: string }[];
  value: T;
  onChange: (next: T) => void;
}) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const current = tabs.findIndex((t) => t.id === value);
    const last = tabs.length - 1;
    const next =
      e.key === "ArrowRight"
        ? current === last
          ? 0
          : current + 1
        : e.key === "ArrowLeft"
          ? current === 0
            ? last
            : current - 1
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? last
              : null;
    if (next === null) return;
    e.preventDefault();
    onChange(tabs[next]!.id);
    buttons.current[next]?.focus();
  }
  return (
    <div role="tablist" aria-label={label} onKeyDown={onKeyDown} className="flex gap-1 border-b border-slate-200">
      {tabs.map((t, i) => {
        const selected = t.id === value;
        const ids = tabIds(idPrefix, t.id);
        return (
          <button
            key={t.id}
            ref={(el) => {
              buttons.current[i] = el;
            }}
            type="button"
            role="tab"
            id={ids.tab}
            aria-selected={selected}
            aria-controls={ids.panel}
            tabIndex={selected ? 0 : -1}
            onClick={() => onChange(t.id)}
            className={cn(
              "-mb-px border-b-2 px-3 py-2 text-sm",
              selected
                ? "border-brand-600 font-medium text-brand-700"
                : "border-transparent text-slate-600 hover:text-slate-900",
            )}
          >
            {t.label}
          </button>
        );
      })}
    </div>
  );
}
