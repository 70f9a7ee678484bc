"use client";

import { useMutation } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-fetch";
import type { AuditChainVerdict } from "../views";

/** Walks the hash chain on the server; a mutation because it is an on-demand, possibly long, check. */
export function useVerifyAuditChain() {
  return useMutation({ mutationFn: () => apiFetch<AuditChainVerdict>("/api/audit/verify", { method: "POST" }) });
}
