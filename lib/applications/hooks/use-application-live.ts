"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import type { ApplicationLive } from "../live-schemas";
import { applicationKeys } from "../query";

/**
 * Re-read while the page is open and visible: a pull agent reports after each sync and drift check, at most once per
 * change, and the server answers from its stored copy, so a short interval costs one small read and no cluster call.
 */
export const APPLICATION_LIVE_REFRESH_MS = 5_000;

/**
 * An application's live state (resource tree and health), refreshed every APPLICATION_LIVE_REFRESH_MS while the tab
 * is visible (a hidden tab does not poll; focusing it refetches).
 */
export function useApplicationLive(id: string) {
  return useQuery({
    // The key the application page's server prefetch fills (app/(dashboard)/applications/[id]/page.tsx).
    queryKey: applicationKeys.live(id),
    queryFn: ({ signal }) => apiFetch<ApplicationLive>(`/api/applications/${encodeURIComponent(id)}/live`, { signal }),
    refetchInterval: APPLICATION_LIVE_REFRESH_MS,
    refetchIntervalInBackground: false,
  });
}
