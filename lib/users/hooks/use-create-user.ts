"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { userKeys } from "../query";
import type { TCreateUser, UserView } from "../schemas";

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TCreateUser) => apiFetch<{ user: UserView }>("/api/users", { method: "POST", body: input }),
    onSettled: () => refetchAfterWrite(qc, userKeys.all),
  });
}
