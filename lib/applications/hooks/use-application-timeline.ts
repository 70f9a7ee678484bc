"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { ZDeploymentState, isTerminal } from "@/lib/deployments/states";
import { TIMELINE_PAGING, timelineKeys, timelineSearch } from "../timeline-query";
import type { RollbackPlan, TimelinePage } from "../timeline-schemas";

/** How often the timeline is read again while one of its newest deployments is still on its way. */
const POLL_MS = 5_000;

/** A deployment or rollback on the first page that has not finished: its state is about to change. */
function hasLiveWork(first: TimelinePage | undefined): boolean {
  return !!first?.items.some((e) => {
    if (e.kind !== "deployment" && e.kind !== "rollback") return false;
    const state = ZDeploymentState.safeParse(e.status);
    return state.success && !isTerminal(state.data);
  });
}

/**
 * An application's timeline as pages, newest first; `fetchNextPage` follows the server's cursor ("Load more"). Read
 * again every POLL_MS while a deployment on its first page awaits approval, waits or runs (a visible tab only).
 */
export function useApplicationTimeline(id: string) {
  return useInfiniteQuery({
    queryKey: timelineKeys.timeline(id),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<TimelinePage>(`/api/applications/${encodeURIComponent(id)}/timeline?${timelineSearch(pageParam)}`, {
        signal,
      }),
    ...TIMELINE_PAGING,
    refetchInterval: (q) => (hasLiveWork(q.state.data?.pages[0]) ? POLL_MS : false),
    refetchIntervalInBackground: false,
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
