import { applicationKeys } from "./query";
import { TIMELINE_LIMIT_DEFAULT, type TimelinePage } from "./timeline-schemas";

/**
 * React Query keys of an application's timeline and rollback plans, under its detail key (invalidating the
 * application refreshes them). The server page prefetches the first timeline page with the same key the hook reads.
 */
export const timelineKeys = {
  timeline: (id: string) => [...applicationKeys.detail(id), "timeline"] as const,
  rollbackPlan: (id: string, deploymentId: string) =>
    [...applicationKeys.detail(id), "rollback", deploymentId] as const,
};

/** The API query string of a timeline page. */
export function timelineSearch(cursor?: string | null, limit = TIMELINE_LIMIT_DEFAULT): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

/** Shared by the server prefetch and the browser hook so both agree on how pages chain. */
export const TIMELINE_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: TimelinePage): string | null => last.nextCursor,
};
