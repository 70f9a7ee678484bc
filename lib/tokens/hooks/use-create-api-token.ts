"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { tokenKeys } from "../query";
import type { CreatedApiToken, TCreateApiToken } from "../schemas";

/** The response carries the plaintext once; callers show it and must not cache it anywhere else. */
export function useCreateApiToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TCreateApiToken) => apiFetch<CreatedApiToken>("/api/tokens", { method: "POST", body: input }),
    onSettled: () => refetchAfterWrite(qc, tokenKeys.all),
  });
}
