"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { notificationKeys } from "../query";
import type { DeliveryListPage } from "../schemas";

export const DELIVERIES_PAGE_SIZE = 20;
const POLL_MS = 5000;

/** One page of a sink's delivery log; polls while deliveries are still pending (retries happen in the background). */
export function useSinkDeliveries(sinkId: string, cursor: string | undefined) {
  return useQuery({
    queryKey: notificationKeys.deliveryPage(sinkId, cursor),
    queryFn: ({ signal }) =>
      apiFetch<DeliveryListPage>(
        `/api/notification-sinks/${encodeURIComponent(sinkId)}/deliveries?limit=${DELIVERIES_PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { signal },
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.state === "pending") ? POLL_MS : false),
  });
}
