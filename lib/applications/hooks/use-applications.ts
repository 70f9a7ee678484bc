"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { APPLICATION_LIST_PAGING, applicationKeys, applicationListSearch } from "../query";
import type { ApplicationListPage, TApplicationListFilter } from "../schemas";

/** The applications list as pages; `fetchNextPage` follows the server's cursor ("Load more"). */
export function useApplications(filter: TApplicationListFilter) {
  return useInfiniteQuery({
    queryKey: applicationKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<ApplicationListPage>(`/api/applications?${applicationListSearch(filter, pageParam)}`, { signal }),
    ...APPLICATION_LIST_PAGING,
  });
}
