"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { credentialKeys, POLICIES_PAGE_SIZE, POLICY_LIST_PAGING, policyKeys } from "../query";
import type {
  CredentialPolicyPage,
  CredentialPolicyView,
  TCredentialPolicyInput,
  TUpdateCredentialPolicy,
} from "../schemas";

/** Credential policies by name, a page at a time ("Load more"). */
export function usePolicies() {
  return useInfiniteQuery({
    queryKey: policyKeys.list(),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<CredentialPolicyPage>(
        `/api/policies?${new URLSearchParams({ limit: String(POLICIES_PAGE_SIZE), ...(pageParam ? { cursor: pageParam } : {}) }).toString()}`,
        { signal },
      ),
    ...POLICY_LIST_PAGING,
  });
}

/** Create, update and delete; each invalidates policies and credentials (statuses depend on policies). */
export function usePolicyMutations() {
  const qc = useQueryClient();
  const onSettled = async () => {
    await Promise.all([refetchAfterWrite(qc, policyKeys.all), refetchAfterWrite(qc, credentialKeys.all)]);
  };
  return {
    create: useMutation({
      mutationFn: (input: TCredentialPolicyInput) =>
        apiFetch<CredentialPolicyView>("/api/policies", { method: "POST", body: input }),
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
