"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import { credentialKeys } from "@/lib/credentials/query";
import { refetchAfterWrite } from "@/lib/query/refetch-after-write";
import { rotationKeys } from "../query";

export interface RotateResult {
  kind: "rotated";
  credentialId: string;
  newCredentialId: string;
  fromFingerprint: string;
  toFingerprint: string;
  expiresAt: string | null;
}

/** "Rotate now" for a service account token: a fresh token through the TokenRequest API, verified before use. */
export function useRotateCredential() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (credentialId: string) =>
      apiFetch<RotateResult>(`/api/credentials/${encodeURIComponent(credentialId)}/rotate`, { method: "POST" }),
    // A failed rotation is recorded on the credential too, so refresh either way.
    onSettled: async () => {
      await Promise.all([refetchAfterWrite(qc, credentialKeys.all), refetchAfterWrite(qc, rotationKeys.all)]);
    },
  });
}
