"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import {
  CREDENTIAL_ACCESS_PAGE_SIZE,
  credentialAccessKeys,
  filterSearchParams,
  type CredentialAccessListFilter,
} from "../query";
import type { CredentialAccessPageView, CredentialUsageView } from "../views";

/** Credential access rows matching a filter, newest first; `fetchNextPage` continues below the last row's seq. */
export function useCredentialAccess(filter: CredentialAccessListFilter) {
  return useInfiniteQuery({
    queryKey: credentialAccessKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<CredentialAccessPageView>(
        `/api/credential-access?${filterSearchParams(filter, { limit: CREDENTIAL_ACCESS_PAGE_SIZE, cursor: pageParam ?? undefined }).toString()}`,
        { signal },
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** Who decrypted one credential in the last 30 days. */
export function useCredentialUsage(credentialId: string | null) {
  return useQuery({
    queryKey: credentialAccessKeys.usage(credentialId ?? ""),
    queryFn: ({ signal }) =>
      apiFetch<CredentialUsageView>(
        `/api/credential-access/usage?credentialId=${encodeURIComponent(credentialId ?? "")}`,
        { signal },
      ),
    enabled: !!credentialId,
  });
}
