"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { applicationKeys } from "../query";
import type { ApplicationDeleted } from "../schemas";

/** DELETE /api/applications/:id; drops the cached detail and refreshes every list. */
export function useDeleteApplication(id: string) {
  const qc = useQueryClient();
  return useMutation<ApplicationDeleted, ApiError, void>({
    mutationFn: () => apiFetch<ApplicationDeleted>(`/api/applications/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.removeQueries({ queryKey: applicationKeys.detail(id) }),
    onSettled: () => refetchAfterWrite(qc, applicationKeys.lists()),
  });
}
