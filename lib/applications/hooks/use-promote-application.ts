"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import type { DeploymentView } from "@/lib/deployments/schemas";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { matrixKeys } from "../matrix-query";
import type { TPromoteInput } from "../matrix-schemas";

/** POST /api/applications/:id/promote; the matrix refreshes to show the destination awaiting approval or syncing. */
export function usePromoteApplication(applicationId: string) {
  const qc = useQueryClient();
  return useMutation<DeploymentView, ApiError, TPromoteInput>({
    mutationFn: (input) =>
      apiFetch<DeploymentView>(`/api/applications/${applicationId}/promote`, { method: "POST", body: input }),
    onSettled: () => Promise.all([refetchAfterWrite(qc, matrixKeys.all), refetchAfterWrite(qc, ["deployments"])]),
  });
}
