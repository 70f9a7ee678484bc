"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { deploymentKeys } from "../query";
import type { DeploymentView } from "../schemas";

/** POST /api/deployments/:id/preview — dry-run against the cluster again. */
export function useRerunPreview(id: string) {
  const qc = useQueryClient();
  return useMutation<DeploymentView, ApiError, void>({
    mutationFn: () =>
      apiFetch<DeploymentView>(`/api/deployments/${encodeURIComponent(id)}/preview`, { method: "POST" }),
    onSuccess: (d) => qc.setQueryData(deploymentKeys.detail(id), d),
  });
}
