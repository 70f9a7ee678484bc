"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { deploymentKeys } from "../query";
import type { DeploymentView, TCreateDeploymentInput } from "../schemas";

/** POST /api/deployments; seeds the new deployment's detail cache and refreshes every list. */
export function useRequestDeployment() {
  const qc = useQueryClient();
  return useMutation<DeploymentView, ApiError, TCreateDeploymentInput>({
    mutationFn: (input) => apiFetch<DeploymentView>("/api/deployments", { method: "POST", body: input }),
    onSuccess: (d) => qc.setQueryData(deploymentKeys.detail(d.id), d),
    onSettled: () => refetchAfterWrite(qc, deploymentKeys.lists()),
  });
}
