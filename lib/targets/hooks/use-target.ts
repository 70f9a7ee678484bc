"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { targetKeys } from "../query";
import type { TargetView } from "../schemas";

/** One target by id (prefetched by the detail and edit pages). */
export function useTarget(id: string) {
  return useQuery({
    queryKey: targetKeys.detail(id),
    queryFn: ({ signal }) => apiFetch<TargetView>(`/api/targets/${encodeURIComponent(id)}`, { signal }),
  });
}
