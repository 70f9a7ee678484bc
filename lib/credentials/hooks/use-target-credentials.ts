"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { credentialKeys } from "../query";
import type { TargetCredentialsView } from "../schemas";

/** A target's active credential, history and policy. */
export function useTargetCredentials(targetId: string, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: credentialKeys.detail(targetId),
    queryFn: ({ signal }) =>
      apiFetch<TargetCredentialsView>(`/api/targets/${encodeURIComponent(targetId)}/credentials`, { signal }),
    enabled: opts.enabled ?? true,
  });
}
