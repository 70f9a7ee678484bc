"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { SYNC_LIST_PAGING, SYNC_POLL_MS, syncKeys, syncListSearch } from "../query";
import type { SyncEventPage, TSyncEventFilter } from "../schemas";

/** Sync history pages for a filter, refetched every few seconds so new syncs appear without a reload. */
export function useSyncEvents(filter: TSyncEventFilter) {
  return useInfiniteQuery({
    queryKey: syncKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<SyncEventPage>(`/api/sync-events?${syncListSearch(filter, pageParam)}`, { signal }),
    ...SYNC_LIST_PAGING,
    refetchInterval: SYNC_POLL_MS,
  });
}
