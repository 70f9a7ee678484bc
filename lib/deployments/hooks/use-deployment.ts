"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { deploymentKeys, detailRefetchInterval } from "../query";
import type { DeploymentView } from "../schemas";

/** One deployment as the caller sees it; polls until it is finished (approvals, state and progress move on). */
export function useDeployment(id: string) {
  return useQuery({
    queryKey: deploymentKeys.detail(id),
    queryFn: ({ signal }) => apiFetch<DeploymentView>(`/api/deployments/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: (q) => detailRefetchInterval(q.state.data),
  });
}
