"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { credentialKeys } from "../query";
import type { CredentialView, TStoreCredential } from "../schemas";

/** Stores or replaces a target's credential. The material goes out in the request body and nowhere else. */
export function useSaveCredential(targetId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TStoreCredential) =>
      apiFetch<{ credential: CredentialView; replaced: boolean }>(
        `/api/targets/${encodeURIComponent(targetId)}/credentials`,
        { method: "POST", body: input },
      ),
    onSettled: () => refetchAfterWrite(qc, credentialKeys.all),
  });
}
