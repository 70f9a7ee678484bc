"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { targetKeys } from "../query";

/** DELETE /api/targets/:id; drops the cached detail and refreshes every list. */
export function useDeleteTarget(id: string) {
  const qc = useQueryClient();
  return useMutation<void, ApiError, void>({
    mutationFn: () => apiFetch<void>(`/api/targets/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.removeQueries({ queryKey: targetKeys.detail(id) }),
    onSettled: () => refetchAfterWrite(qc, targetKeys.lists()),
  });
}
