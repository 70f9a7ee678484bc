"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { SYNC_POLL_MS, syncKeys } from "../query";
import type { PullStatusView } from "../schemas";

/** A pull target's status card data (repositories, agents, staleness), refetched live. */
export function usePullStatus(targetId: string) {
  return useQuery({
    queryKey: syncKeys.status(targetId),
    queryFn: ({ signal }) =>
      apiFetch<PullStatusView>(`/api/targets/${encodeURIComponent(targetId)}/pull-status`, { signal }),
    refetchInterval: SYNC_POLL_MS,
  });
}
