import type { TargetListPage, TTargetListFilter } from "./schemas";

/**
 * React Query keys for targets. Server pages prefetch with these and the browser hooks read the same keys, so the
 * first render needs no request. Invalidate `targetKeys.lists()` after any write.
 */
export const targetKeys = {
  all: ["targets"] as const,
  lists: () => [...targetKeys.all, "list"] as const,
  list: (filter: TTargetListFilter) => [...targetKeys.lists(), normalizeFilter(filter)] as const,
  details: () => [...targetKeys.all, "detail"] as const,
  detail: (id: string) => [...targetKeys.details(), id] as const,
};

/** Drops empty values so `{q: ""}` and `{}` share a cache entry on the server and in the browser. */
export function normalizeFilter(filter: TTargetListFilter): TTargetListFilter {
  const out: TTargetListFilter = { limit: filter.limit };
  if (filter.q) out.q = filter.q;
  if (filter.mode) out.mode = filter.mode;
  if (filter.environment) out.environment = filter.environment;
  if (filter.deleted) out.deleted = filter.deleted;
  return out;
}

/** The API query string for a list filter and cursor. */
export function targetListSearch(filter: TTargetListFilter, cursor?: string | null): string {
  const params = new URLSearchParams();
  const f = normalizeFilter(filter);
  if (f.q) params.set("q", f.q);
  if (f.mode) params.set("mode", f.mode);
  if (f.environment) params.set("environment", f.environment);
  if (f.deleted) params.set("deleted", f.deleted);
  params.set("limit", String(f.limit));
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

/** Shared by the server prefetch and the browser hook so both agree on how pages chain. */
export const TARGET_LIST_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: TargetListPage): string | null => last.nextCursor,
};
