"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { DEPLOYMENT_LIST_PAGING, deploymentKeys, deploymentListSearch } from "../query";
import type { DeploymentListPage, TDeploymentListFilter } from "../schemas";

/** The deployments list as pages; `fetchNextPage` follows the server's cursor ("Load more"). */
export function useDeployments(filter: TDeploymentListFilter) {
  return useInfiniteQuery({
    queryKey: deploymentKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<DeploymentListPage>(`/api/deployments?${deploymentListSearch(filter, pageParam)}`, { signal }),
    ...DEPLOYMENT_LIST_PAGING,
  });
}
