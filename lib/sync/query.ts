import type { SyncEventPage, TSyncEventFilter } from "./schemas";

/** How often live sync views refetch: history, chart and status cards update without a reload. */
export const SYNC_POLL_MS = 5_000;

/** React Query keys for sync history and pull status; server pages prefetch with the same keys. */
export const syncKeys = {
  all: ["sync"] as const,
  lists: () => [...syncKeys.all, "list"] as const,
  list: (filter: TSyncEventFilter) => [...syncKeys.lists(), normalizeSyncFilter(filter)] as const,
  daily: (f: { targetId?: string | undefined; days: number }) =>
    [...syncKeys.all, "daily", f.targetId ?? "", f.days] as const,
  statuses: () => [...syncKeys.all, "status"] as const,
  status: (targetId: string) => [...syncKeys.statuses(), targetId] as const,
};

/** Drops empty values so equal filters share one cache entry on the server and in the browser. */
export function normalizeSyncFilter(f: TSyncEventFilter): TSyncEventFilter {
  const out: TSyncEventFilter = { limit: f.limit };
  for (const key of [
    "targetId",
    "environment",
    "repoId",
    "result",
    "trigger",
    "from",
    "to",
    "recovery",
    "withCommitTime",
  ] as const) {
    const v = f[key];
    if (Array.isArray(v) ? v.length > 0 : v)
      (out as Record<string, unknown>)[key] = Array.isArray(v) ? [...new Set(v)].sort() : v;
  }
  return out;
}

/** The API query string for a filter and cursor. */
export function syncListSearch(f: TSyncEventFilter, cursor?: string | null): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(normalizeSyncFilter(f))) params.set(k, String(v));
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

export const SYNC_LIST_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: SyncEventPage): string | null => last.nextCursor,
};
