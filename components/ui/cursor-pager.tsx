"use client";

import { useState } from "react";
import { cn } from "@/lib/utils";
import { Button } from "./button";

/**
 * Page-at-a-time navigation over a keyset-paginated list: the stack of cursors that led to the page on screen, so
 * "Previous" goes back exactly one page without the server having to page backwards.
 */
export function useCursorStack() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    /** The cursor of the page on screen; undefined on the first page. */
    cursor: cursors[cursors.length - 1],
    onFirstPage: cursors.length === 0,
    back: () => setCursors((c) => c.slice(0, -1)),
    forward: (next: string) => setCursors((c) => [...c, next]),
    /** Back to the first page (a filter changed). */
    reset: () => setCursors([]),
  };
}

export type CursorStack = ReturnType<typeof useCursorStack>;

/** Previous/next buttons for a `useCursorStack` list; nothing when the list fits on one page. */
export function CursorPager({
  stack,
  nextCursor,
  labels = ["Previous", "Next"],
  className,
}: {
  stack: CursorStack;
  nextCursor: string | null | undefined;
  /** Words for back and forward where the order has a direction, e.g. ["Newer", "Older"]. */
  labels?: readonly [string, string];
  className?: string;
}) {
  if (stack.onFirstPage && !nextCursor) return null;
  return (
    <div className={cn("flex justify-end gap-2 border-t border-slate-100 px-5 py-3", className)}>
      <Button variant="secondary" size="sm" disabled={stack.onFirstPage} onClick={stack.back}>
        {labels[0]}
      </Button>
      <Button
        variant="secondary"
        size="sm"
        disabled={!nextCursor}
        onClick={() => nextCursor && stack.forward(nextCursor)}
      >
        {labels[1]}
      </Button>
    </div>
  );
}
