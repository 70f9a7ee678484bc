"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { notificationKeys, SINK_LIST_PAGING, SINKS_PAGE_SIZE } from "../query";
import type { NotificationSinkPage } from "../schemas";

/** Webhook sinks by name with their events and delivery counts, a page at a time ("Load more"). */
export function useNotificationSinks() {
  return useInfiniteQuery({
    queryKey: notificationKeys.list(),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<NotificationSinkPage>(
        `/api/notification-sinks?${new URLSearchParams({ limit: String(SINKS_PAGE_SIZE), ...(pageParam ? { cursor: pageParam } : {}) }).toString()}`,
        { signal },
      ),
    ...SINK_LIST_PAGING,
  });
}
