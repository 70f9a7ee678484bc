"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { apiFetch } from "@/lib/api-fetch";
import type { AuditNameSuggestions, TAuditNameKind } from "../names";
import { auditKeys } from "../query";

/** Typing pauses this long before the suggestions are asked for, so a fast typist sends one request, not one a key. */
const SUGGEST_DELAY_MS = 150;

/**
 * Names audit rows have been about that start with `prefix` (deleted ones included), for a filter's combobox; asked
 * for only once `enabled` (the field was focused), so a page of filters does not fetch suggestions nobody looks at.
 */
export function useAuditNames(kind: TAuditNameKind, prefix: string, enabled = true) {
  const [settled, setSettled] = useState(prefix);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(prefix.trim()), SUGGEST_DELAY_MS);
    return () => clearTimeout(timer);
  }, [prefix]);
  return useQuery({
    queryKey: auditKeys.names(kind, settled),
    queryFn: ({ signal }) =>
      apiFetch<AuditNameSuggestions>(`/api/audit/names?${new URLSearchParams({ kind, q: settled }).toString()}`, {
        signal,
      }),
    placeholderData: keepPreviousData,
    enabled,
    staleTime: 30_000,
  });
}
