"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { TARGET_LIST_PAGING, targetKeys, targetListSearch } from "../query";
import type { TargetListPage, TTargetListFilter } from "../schemas";

/** The targets list as pages; `fetchNextPage` follows the server's cursor ("Load more"). */
export function useTargets(filter: TTargetListFilter) {
  return useInfiniteQuery({
    queryKey: targetKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<TargetListPage>(`/api/targets?${targetListSearch(filter, pageParam)}`, { signal }),
    ...TARGET_LIST_PAGING,
  });
}
