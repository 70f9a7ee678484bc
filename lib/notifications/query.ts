/** React Query keys for notification sinks; the server page prefetches with the same keys. */
export const notificationKeys = {
  all: ["notification-sinks"] as const,
  lists: () => [...notificationKeys.all, "list"] as const,
  list: () => [...notificationKeys.lists()] as const,
  deliveries: (sinkId: string) => [...notificationKeys.all, "deliveries", sinkId] as const,
  deliveryPage: (sinkId: string, cursor: string | undefined) => [...notificationKeys.deliveries(sinkId), cursor ?? null] as const,
};
