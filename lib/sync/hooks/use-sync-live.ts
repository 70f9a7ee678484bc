"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { apiFetch } from "@/lib/api-fetch";
import { SYNC_POLL_MS, syncKeys } from "../query";
import type { TSyncChanges } from "../schemas";

/**
 * Keeps the page's sync views live: a long poll (GET /api/sync-events/changes) that answers as soon as the dashboard
 * stores new sync events, upon which every sync query (history, chart, status) refetches. The queries keep their
 * SYNC_POLL_MS poll for events another dashboard process stored; after a failed long poll this waits as long.
 */
export function useSyncLive(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const loop = async () => {
      let version: string | undefined;
      while (!signal.aborted) {
        try {
          const since = version ? `&since=${encodeURIComponent(version)}` : "";
          const answer = await apiFetch<TSyncChanges>(`/api/sync-events/changes?wait=25${since}`, { signal });
          version = answer.version;
          if (answer.changed) void queryClient.invalidateQueries({ queryKey: syncKeys.all });
        } catch {
          if (signal.aborted) return;
          await new Promise((resolve) => setTimeout(resolve, SYNC_POLL_MS));
        }
      }
    };
    void loop();
    return () => controller.abort();
  }, [queryClient]);
}
