"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { userKeys } from "../query";
import type { TCreateUser, UserView } from "../schemas";

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TCreateUser) => apiFetch<{ user: UserView }>("/api/users", { method: "POST", body: input }),
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}
