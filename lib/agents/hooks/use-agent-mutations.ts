"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { syncKeys } from "@/lib/sync/query";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import type { AgentSecretView, AgentView, TCreateAgentInput } from "../schemas";

/** POST /api/agents — answers the one-time enrolment token; refreshes status cards. */
export function useCreateAgent() {
  const qc = useQueryClient();
  return useMutation<AgentSecretView, ApiError, TCreateAgentInput>({
    mutationFn: (input) => apiFetch<AgentSecretView>("/api/agents", { method: "POST", body: input }),
    onSettled: () => refetchAfterWrite(qc, syncKeys.statuses()),
  });
}

/** POST /api/agents/:id/rotate — answers the new credential once. */
export function useRotateAgent() {
  const qc = useQueryClient();
  return useMutation<AgentSecretView, ApiError, string>({
    mutationFn: (id) => apiFetch<AgentSecretView>(`/api/agents/${encodeURIComponent(id)}/rotate`, { method: "POST" }),
    onSettled: () => refetchAfterWrite(qc, syncKeys.statuses()),
  });
}

/** POST /api/agents/:id/revoke. */
export function useRevokeAgent() {
  const qc = useQueryClient();
  return useMutation<{ agent: AgentView }, ApiError, string>({
    mutationFn: (id) =>
      apiFetch<{ agent: AgentView }>(`/api/agents/${encodeURIComponent(id)}/revoke`, { method: "POST" }),
    onSettled: () => refetchAfterWrite(qc, syncKeys.statuses()),
  });
}
