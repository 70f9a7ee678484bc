"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { rotationKeys, rotationListQuery, type RotationListKeyFilter } from "../query";
import type { RotationOverviewPage } from "../schemas";

/** One page of the rotation overview (active credentials with age, schedule, status and counts). */
export function useRotationOverview(filter: RotationListKeyFilter) {
  return useQuery({
    queryKey: rotationKeys.list(filter),
    queryFn: ({ signal }) => apiFetch<RotationOverviewPage>(`/api/rotation${rotationListQuery(filter)}`, { signal }),
    placeholderData: keepPreviousData,
  });
}
