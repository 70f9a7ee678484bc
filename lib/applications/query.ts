import { APPLICATION_LIST_FILTERS, type ApplicationListPage, type TApplicationListFilter } from "./schemas";

/**
 * React Query keys for applications. Server pages prefetch with these and the browser hooks read the same keys, so
 * the first render needs no request. Invalidate `applicationKeys.lists()` after any write.
 */
export const applicationKeys = {
  all: ["applications"] as const,
  lists: () => [...applicationKeys.all, "list"] as const,
  list: (filter: TApplicationListFilter) => [...applicationKeys.lists(), normalizeApplicationFilter(filter)] as const,
  details: () => [...applicationKeys.all, "detail"] as const,
  detail: (id: string) => [...applicationKeys.details(), id] as const,
  /** An application's live state (under its detail key, so invalidating the application refreshes it). */
  live: (id: string) => [...applicationKeys.detail(id), "live"] as const,
};

/** Drops empty values so `{name: ""}` and `{}` share a cache entry on the server and in the browser. */
export function normalizeApplicationFilter(filter: TApplicationListFilter): TApplicationListFilter {
  const out: TApplicationListFilter = { limit: filter.limit };
  for (const key of APPLICATION_LIST_FILTERS) if (filter[key]) Object.assign(out, { [key]: filter[key] });
  return out;
}

/** Whether any filter narrows the list (the empty state then offers to clear them rather than to create one). */
export function hasApplicationFilters(filter: Partial<TApplicationListFilter>): boolean {
  return APPLICATION_LIST_FILTERS.some((key) => !!filter[key]);
}

/**
 * The filters as a query string, in a fixed order so a shared link reads the same: the page's URL (`withLimit`
 * false, the default size left out) and the API's.
 */
export function applicationListParams(
  filter: Partial<TApplicationListFilter>,
  opts: { withLimit?: boolean } = {},
): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of APPLICATION_LIST_FILTERS) {
    const value = filter[key];
    if (value) params.set(key, value);
  }
  if (opts.withLimit !== false && filter.limit) params.set("limit", String(filter.limit));
  return params;
}

/** The API query string for a list filter and cursor. */
export function applicationListSearch(filter: TApplicationListFilter, cursor?: string | null): string {
  const params = applicationListParams(normalizeApplicationFilter(filter));
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

/** Shared by the server prefetch and the browser hook so both agree on how pages chain. */
export const APPLICATION_LIST_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: ApplicationListPage): string | null => last.nextCursor,
};
