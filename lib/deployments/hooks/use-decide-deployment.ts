"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { deploymentKeys } from "../query";
import type { DeploymentView, TApprovalInput } from "../schemas";

/** POST /api/deployments/:id/approvals — approve or reject; the answer is the deployment as it now stands. */
export function useDecideDeployment(id: string) {
  const qc = useQueryClient();
  return useMutation<DeploymentView, ApiError, TApprovalInput>({
    mutationFn: (input) =>
      apiFetch<DeploymentView>(`/api/deployments/${encodeURIComponent(id)}/approvals`, { method: "POST", body: input }),
    onSuccess: (d) => qc.setQueryData(deploymentKeys.detail(id), d),
    onSettled: async () => {
      await refetchAfterWrite(qc, deploymentKeys.detail(id));
      await refetchAfterWrite(qc, deploymentKeys.lists());
    },
  });
}
