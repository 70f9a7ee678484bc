"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { AUDIT_PAGE_SIZE, auditKeys, filterSearchParams, type AuditListFilter } from "../query";
import type { AuditEventPage } from "../views";

/** Audit rows matching a filter, newest first; `fetchNextPage` continues below the last row's sequence number. */
export function useAuditEvents(filter: AuditListFilter) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<AuditEventPage>(
        `/api/audit?${filterSearchParams(filter, { limit: AUDIT_PAGE_SIZE, cursor: pageParam ?? undefined }).toString()}`,
        { signal },
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
