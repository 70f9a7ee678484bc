"use client";

import {
  Fragment,
  useEffect,
  useRef,
  useState,
  type ReactNode,
  type TdHTMLAttributes,
  type ThHTMLAttributes,
} from "react";
import { cn } from "@/lib/utils";

/**
 * A table that never widens the page: wider than its card (a phone, a long row), it scrolls sideways inside its own
 * container. `contain: inline-size` keeps the table's width out of the container's intrinsic size, so a grid or flex
 * ancestor cannot grow to fit it and push the page past the viewport; `relative` makes it the containing block of the
 * cells' absolutely positioned content (sr-only text), which would otherwise escape the clipping. While it scrolls, the container is a labelled,
 * focusable region, so keyboard users can scroll it with the arrow keys (WCAG 2.1.1); when everything fits it is not
 * an extra Tab stop.
 */
export function Table({ children, label }: { children: ReactNode; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const check = () => setScrolls(el.scrollWidth > el.clientWidth + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div
      ref={ref}
      data-table-scroll=""
      className="relative w-full overflow-x-auto [contain:inline-size]"
      {...(scrolls ? { role: "region", "aria-label": label, tabIndex: 0 } : {})}
    >
      <table aria-label={label} className="min-w-full divide-y divide-slate-200 text-sm">
        {children}
      </table>
    </div>
  );
}

export function Th({ className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={cn("px-4 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500", className)}
      {...props}
    />
  );
}

/**
 * A cell stays on one line on a phone (the table scrolls in place, rows stay one line tall) and wraps from 1024 px, so
 * a wide table fits a laptop's card instead of hiding its last columns (long unbroken tokens: Truncate, Breakable).
 * From 1024 px a token with no break point (an id, a hash, a URL) may also break anywhere as a last resort: without it
 * one such cell set its column's minimum width and pushed Credential access and Sync history past their cards.
 */
export function Td({ className, ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  return (
    <td
      className={cn(
        "whitespace-nowrap px-4 py-2.5 text-slate-700 lg:whitespace-normal lg:[overflow-wrap:anywhere]",
        className,
      )}
      {...props}
    />
  );
}

/**
 * A code like `credential.decrypted` or a path that may break after each `separator` when its column is narrow
 * (<wbr>, so the text, its copy and its search stay exactly the code).
 */
export function Breakable({ text, separator = "." }: { text: string; separator?: string }) {
  const parts = text.split(separator);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 ? (
            <>
              {separator}
              <wbr />
            </>
          ) : null}
          {part}
        </Fragment>
      ))}
    </>
  );
}

/**
 * A cell's long text on one line, cut with an ellipsis at `max` and shown whole on hover (title) and to screen readers
 * (the text itself stays in the DOM): hashes, user agents, URLs.
 */
export function Truncate({ text, className }: { text: string; className?: string }) {
  return (
    <span title={text} className={cn("block max-w-48 truncate", className)}>
      {text}
    </span>
  );
}
