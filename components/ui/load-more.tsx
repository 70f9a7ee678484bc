"use client";

import { cn } from "@/lib/utils";
import { formatNumber } from "@/lib/format/number";
import { Button } from "./button";

/** What the control needs of a react-query infinite query (useInfiniteQuery's result satisfies it). */
export interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/**
 * The footer of a cursor-paginated list: "Load more" while there is a next page. With `shown`, it also counts the
 * rows on screen and says `endLabel` on the last page (the audit trails); without, it renders nothing there.
 */
export function LoadMore({
  query,
  shown,
  endLabel,
  className,
}: {
  query: PagedQuery;
  shown?: number;
  endLabel?: string;
  className?: string;
}) {
  const button = query.hasNextPage ? (
    <Button variant="secondary" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
      {query.isFetchingNextPage ? "Loading…" : "Load more"}
    </Button>
  ) : null;
  if (shown === undefined) {
    return button ? (
      <div className={cn("flex justify-center border-t border-slate-100 px-5 py-3", className)}>{button}</div>
    ) : null;
  }
  return (
    <div
      className={cn(
        "flex items-center justify-between border-t border-slate-100 px-5 py-3 text-sm text-slate-500",
        className,
      )}
    >
      <span>{formatNumber(shown)} shown</span>
      {button ?? (endLabel ? <span>{endLabel}</span> : null)}
    </div>
  );
}
