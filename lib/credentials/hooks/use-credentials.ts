"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { credentialKeys, credentialListQuery } from "../query";
import type { CredentialListPage, TRotationStatus } from "../schemas";

/** One page of active credentials across all targets, with the status counts. */
export function useCredentials(filter: { status?: TRotationStatus; cursor?: string; limit?: number }) {
  return useQuery({
    queryKey: credentialKeys.list(filter),
    queryFn: ({ signal }) => apiFetch<CredentialListPage>(`/api/credentials${credentialListQuery(filter)}`, { signal }),
    placeholderData: keepPreviousData,
  });
}
