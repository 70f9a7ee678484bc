"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { syncKeys } from "@/lib/sync/query";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import type { PinResult, PullRepoView, TPinRepoInput, TRegisterRepoInput } from "../schemas";

/** POST /api/targets/:id/repos; refreshes the target's status card. */
export function useRegisterRepo(targetId: string) {
  const qc = useQueryClient();
  return useMutation<PullRepoView, ApiError, TRegisterRepoInput>({
    mutationFn: (input) =>
      apiFetch<PullRepoView>(`/api/targets/${encodeURIComponent(targetId)}/repos`, { method: "POST", body: input }),
    onSettled: () => refetchAfterWrite(qc, syncKeys.status(targetId)),
  });
}

/** DELETE /api/repos/:id. */
export function useRemoveRepo(targetId: string) {
  const qc = useQueryClient();
  return useMutation<void, ApiError, string>({
    mutationFn: (repoId) => apiFetch<void>(`/api/repos/${encodeURIComponent(repoId)}`, { method: "DELETE" }),
    onSettled: () => refetchAfterWrite(qc, syncKeys.status(targetId)),
  });
}

/** POST /api/repos/:id/pin — roll back to a revision (maybe through approval) or unpin. */
export function usePinRepo(targetId: string) {
  const qc = useQueryClient();
  return useMutation<PinResult, ApiError, { repoId: string } & TPinRepoInput>({
    mutationFn: ({ repoId, ...body }) =>
      apiFetch<PinResult>(`/api/repos/${encodeURIComponent(repoId)}/pin`, { method: "POST", body }),
    // A pin changes the status card and may add an approval request; history rows show it too.
    onSettled: () => refetchAfterWrite(qc, targetId ? syncKeys.status(targetId) : syncKeys.all),
  });
}
