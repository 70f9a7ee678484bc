"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { userKeys, USERS_PAGE_SIZE } from "../query";
import type { UserPage } from "../schemas";

/** All users, a page at a time ("Load more"). */
export function useUsers() {
  return useInfiniteQuery({
    queryKey: userKeys.list(),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<UserPage>(
        `/api/users?${new URLSearchParams({ limit: String(USERS_PAGE_SIZE), ...(pageParam ? { cursor: pageParam } : {}) }).toString()}`,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
