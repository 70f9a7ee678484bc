"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { applicationKeys } from "../query";
import type { ApplicationView, TCreateApplicationInput } from "../schemas";

/** POST /api/applications; seeds the new application's detail cache and refreshes every list. */
export function useCreateApplication() {
  const qc = useQueryClient();
  return useMutation<ApplicationView, ApiError, TCreateApplicationInput>({
    mutationFn: (input) => apiFetch<ApplicationView>("/api/applications", { method: "POST", body: input }),
    onSuccess: (app) => qc.setQueryData(applicationKeys.detail(app.id), app),
    onSettled: () => refetchAfterWrite(qc, applicationKeys.lists()),
  });
}
