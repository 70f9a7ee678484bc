import type { ApplicationListPage, TApplicationListFilter } from "./schemas";

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
};

/** Drops empty values so `{name: ""}` and `{}` share a cache entry on the server and in the browser. */
export function normalizeApplicationFilter(filter: TApplicationListFilter): TApplicationListFilter {
  const out: TApplicationListFilter = { limit: filter.limit };
  if (filter.targetId) out.targetId = filter.targetId;
  if (filter.name) out.name = filter.name;
  return out;
}

/** The API query string for a list filter and cursor. */
export function applicationListSearch(filter: TApplicationListFilter, cursor?: string | null): string {
  const params = new URLSearchParams();
  const f = normalizeApplicationFilter(filter);
  if (f.targetId) params.set("targetId", f.targetId);
  if (f.name) params.set("name", f.name);
  params.set("limit", String(f.limit));
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

/** Shared by the server prefetch and the browser hook so both agree on how pages chain. */
export const APPLICATION_LIST_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: ApplicationListPage): string | null => last.nextCursor,
};
