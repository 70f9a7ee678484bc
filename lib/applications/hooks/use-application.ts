"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { applicationKeys } from "../query";
import type { ApplicationView } from "../schemas";

/** One application by id (prefetched by its page). */
export function useApplication(id: string) {
  return useQuery({
    queryKey: applicationKeys.detail(id),
    queryFn: ({ signal }) => apiFetch<ApplicationView>(`/api/applications/${encodeURIComponent(id)}`, { signal }),
  });
}
