"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api/client";
import { notificationKeys } from "../query";
import type { NotificationSinkView } from "../schemas";

/** Every webhook sink with its events and delivery counts. */
export function useNotificationSinks() {
  return useQuery({
    queryKey: notificationKeys.list(),
    queryFn: ({ signal }) => apiFetch<{ items: NotificationSinkView[] }>("/api/notification-sinks", { signal }),
  });
}
