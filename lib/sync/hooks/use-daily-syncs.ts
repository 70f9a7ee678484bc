"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { SYNC_POLL_MS, syncKeys } from "../query";
import type { SyncDailyCount } from "../schemas";

/** Syncs and failures per day for the timeline chart, live. */
export function useDailySyncs(f: { targetId?: string | undefined; days: number }) {
  const params = new URLSearchParams({ days: String(f.days), ...(f.targetId ? { targetId: f.targetId } : {}) });
  return useQuery({
    queryKey: syncKeys.daily(f),
    queryFn: ({ signal }) =>
      apiFetch<{ days: SyncDailyCount[] }>(`/api/sync-events/daily?${params.toString()}`, { signal }),
    refetchInterval: SYNC_POLL_MS,
  });
}
