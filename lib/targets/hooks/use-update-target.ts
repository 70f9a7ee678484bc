"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { targetKeys } from "../query";
import type { TargetView, TUpdateTargetInput } from "../schemas";

/** PATCH /api/targets/:id; replaces the cached detail and refreshes every list. */
export function useUpdateTarget(id: string) {
  const qc = useQueryClient();
  return useMutation<TargetView, ApiError, TUpdateTargetInput>({
    mutationFn: (patch) =>
      apiFetch<TargetView>(`/api/targets/${encodeURIComponent(id)}`, { method: "PATCH", body: patch }),
    onSuccess: (target) => qc.setQueryData(targetKeys.detail(id), target),
    onSettled: () => refetchAfterWrite(qc, targetKeys.lists()),
  });
}
