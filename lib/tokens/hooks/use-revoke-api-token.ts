"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { tokenKeys } from "../query";
import type { ApiTokenView } from "../schemas";

export function useRevokeApiToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<{ token: ApiTokenView }>(`/api/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSettled: () => refetchAfterWrite(qc, tokenKeys.all),
  });
}
