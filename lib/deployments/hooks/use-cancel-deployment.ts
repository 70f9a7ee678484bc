"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { deploymentKeys } from "../query";
import type { DeploymentView } from "../schemas";

/** POST /api/deployments/:id/cancel */
export function useCancelDeployment(id: string) {
  const qc = useQueryClient();
  return useMutation<DeploymentView, ApiError, void>({
    mutationFn: () => apiFetch<DeploymentView>(`/api/deployments/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
    onSuccess: (d) => qc.setQueryData(deploymentKeys.detail(id), d),
    onSettled: async () => {
      await refetchAfterWrite(qc, deploymentKeys.detail(id));
      await refetchAfterWrite(qc, deploymentKeys.lists());
    },
  });
}
