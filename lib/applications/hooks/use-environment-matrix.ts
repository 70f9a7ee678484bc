"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { MATRIX_PAGING, matrixKeys, matrixSearch } from "../matrix-query";
import type { EnvironmentMatrix } from "../matrix-schemas";

/** The environments matrix as pages of application names; `fetchNextPage` follows the server's cursor. */
export function useEnvironmentMatrix(limit: number) {
  return useInfiniteQuery({
    queryKey: matrixKeys.page(limit),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<EnvironmentMatrix>(`/api/applications/matrix?${matrixSearch(limit, pageParam)}`, { signal }),
    ...MATRIX_PAGING,
  });
}
