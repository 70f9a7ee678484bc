"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { userKeys } from "../query";
import type { TUpdateUser, UserView } from "../schemas";

/** Role change, rename, disable or enable; the server refuses losing the last admin (409 LAST_ADMIN). */
export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: TUpdateUser & { id: string }) =>
      apiFetch<{ user: UserView }>(`/api/users/${encodeURIComponent(id)}`, { method: "PATCH", body: input }),
    onSettled: () => refetchAfterWrite(qc, userKeys.all),
  });
}
