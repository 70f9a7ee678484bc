"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { tokenKeys, TOKENS_PAGE_SIZE } from "../query";
import type { ApiTokenPage } from "../schemas";

/** The caller's tokens (admins: everyone's), newest first, a page at a time. */
export function useApiTokens() {
  return useInfiniteQuery({
    queryKey: tokenKeys.list(),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<ApiTokenPage>(
        `/api/tokens?${new URLSearchParams({ limit: String(TOKENS_PAGE_SIZE), ...(pageParam ? { cursor: pageParam } : {}) }).toString()}`,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
