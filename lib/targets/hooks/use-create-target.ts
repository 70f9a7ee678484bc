"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { targetKeys } from "../query";
import type { TargetView, TCreateTargetInput } from "../schemas";

/** POST /api/targets; seeds the new target's detail cache and refreshes every list. */
export function useCreateTarget() {
  const qc = useQueryClient();
  return useMutation<TargetView, ApiError, TCreateTargetInput>({
    mutationFn: (input) => apiFetch<TargetView>("/api/targets", { method: "POST", body: input }),
    onSuccess: (target) => qc.setQueryData(targetKeys.detail(target.id), target),
    onSettled: () => refetchAfterWrite(qc, targetKeys.lists()),
  });
}
