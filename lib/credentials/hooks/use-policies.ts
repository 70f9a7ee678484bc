"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api/client";
import { credentialKeys, policyKeys } from "../query";
import type { CredentialPolicyView, TCredentialPolicyInput, TUpdateCredentialPolicy } from "../schemas";

export function usePolicies() {
  return useQuery({
    queryKey: policyKeys.list(),
    queryFn: ({ signal }) => apiFetch<{ items: CredentialPolicyView[] }>("/api/policies", { signal }),
  });
}

/** Create, update and delete; each invalidates policies and credentials (statuses depend on policies). */
export function usePolicyMutations() {
  const qc = useQueryClient();
  const onSettled = async () => {
    await Promise.all([qc.invalidateQueries({ queryKey: policyKeys.all }), qc.invalidateQueries({ queryKey: credentialKeys.all })]);
  };
  return {
    create: useMutation({
      mutationFn: (input: TCredentialPolicyInput) => apiFetch<CredentialPolicyView>("/api/policies", { method: "POST", body: input }),
      onSettled,
    }),
    update: useMutation({
      mutationFn: ({ id, input }: { id: string; input: TUpdateCredentialPolicy }) =>
        apiFetch<CredentialPolicyView>(`/api/policies/${encodeURIComponent(id)}`, { method: "PATCH", body: input }),
      onSettled,
    }),
    remove: useMutation({
      mutationFn: (id: string) => apiFetch<void>(`/api/policies/${encodeURIComponent(id)}`, { method: "DELETE" }),
      onSettled,
    }),
  };
}
