"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { deploymentKeys } from "@/lib/deployments/query";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { applicationKeys } from "../query";
import type { ApplicationUpdated, TUpdateApplicationInput } from "../schemas";

/**
 * PATCH /api/applications/:id; replaces the cached detail and refreshes the lists (a gated pull change adds an
 * approval request to the deployments list).
 */
export function useUpdateApplication(id: string) {
  const qc = useQueryClient();
  return useMutation<ApplicationUpdated, ApiError, TUpdateApplicationInput>({
    mutationFn: (patch) =>
      apiFetch<ApplicationUpdated>(`/api/applications/${encodeURIComponent(id)}`, { method: "PATCH", body: patch }),
    onSuccess: ({ update: _update, ...app }) => qc.setQueryData(applicationKeys.detail(id), app),
    onSettled: async () => {
      await refetchAfterWrite(qc, applicationKeys.lists());
      await refetchAfterWrite(qc, deploymentKeys.lists());
    },
  });
}
