"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { credentialKeys } from "../query";
import type { ImportResult, KubeconfigPreview, TImportContext } from "../schemas";

/** Preview (dry run) of a pasted kubeconfig: contexts without secrets. */
export function usePreviewKubeconfig() {
  return useMutation({
    mutationFn: (kubeconfig: string) =>
      apiFetch<KubeconfigPreview>("/api/targets/import", { method: "POST", body: { kubeconfig, dryRun: true } }),
  });
}

/** Creates targets (and push credentials) from the selected contexts; refreshes every target and credential list. */
export function useImportKubeconfig() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { kubeconfig: string; contexts: TImportContext[] }) =>
      apiFetch<ImportResult>("/api/targets/import", { method: "POST", body: input }),
    onSettled: async () => {
      // "targets" is the targets domain's key root (targetKeys.all); invalidating by prefix needs no import from it.
      await Promise.all([refetchAfterWrite(qc, ["targets"]), refetchAfterWrite(qc, credentialKeys.all)]);
    },
  });
}
