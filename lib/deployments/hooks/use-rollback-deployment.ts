"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { deploymentKeys } from "../query";
import type { DeploymentView, TRollbackInput } from "../schemas";

/** POST /api/deployments/:id/rollback — returns the new request (a different deployment). */
export function useRollbackDeployment(id: string) {
  const qc = useQueryClient();
  return useMutation<DeploymentView, ApiError, TRollbackInput>({
    mutationFn: (input) =>
      apiFetch<DeploymentView>(`/api/deployments/${encodeURIComponent(id)}/rollback`, { method: "POST", body: input }),
    onSuccess: (d) => qc.setQueryData(deploymentKeys.detail(d.id), d),
    onSettled: () => refetchAfterWrite(qc, deploymentKeys.lists()),
  });
}
