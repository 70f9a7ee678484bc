"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { TIMELINE_PAGING, timelineKeys, timelineSearch } from "../timeline-query";
import type { RollbackPlan, TimelinePage } from "../timeline-schemas";

/** An application's timeline as pages, newest first; `fetchNextPage` follows the server's cursor ("Load more"). */
export function useApplicationTimeline(id: string) {
  return useInfiniteQuery({
    queryKey: timelineKeys.timeline(id),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<TimelinePage>(`/api/applications/${encodeURIComponent(id)}/timeline?${timelineSearch(pageParam)}`, {
        signal,
      }),
    ...TIMELINE_PAGING,
  });
}

/** What a push rollback to `deploymentId` would change; read only while its confirmation is open (`null` otherwise). */
export function useRollbackPlan(id: string, deploymentId: string | null) {
  return useQuery({
    queryKey: timelineKeys.rollbackPlan(id, deploymentId ?? ""),
    queryFn: ({ signal }) =>
      apiFetch<RollbackPlan>(
        `/api/applications/${encodeURIComponent(id)}/rollback?deploymentId=${encodeURIComponent(deploymentId ?? "")}`,
        { signal },
      ),
    enabled: deploymentId !== null,
  });
}
