import type { NotificationSinkPage } from "./schemas";

/** React Query keys for notification sinks; the server page prefetches with the same keys. */
export const notificationKeys = {
  all: ["notification-sinks"] as const,
  lists: () => [...notificationKeys.all, "list"] as const,
  list: () => [...notificationKeys.lists()] as const,
  deliveries: (sinkId: string) => [...notificationKeys.all, "deliveries", sinkId] as const,
  deliveryPage: (sinkId: string, cursor: string | undefined) =>
    [...notificationKeys.deliveries(sinkId), cursor ?? null] as const,
};

/** Sinks per page on the notifications page. */
export const SINKS_PAGE_SIZE = 50;

/** Shared by the server prefetch and the browser hook so both agree on how pages chain. */
export const SINK_LIST_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: NotificationSinkPage): string | null => last.nextCursor,
};
