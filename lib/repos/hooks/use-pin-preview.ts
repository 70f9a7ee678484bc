"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch, type ApiError } from "@/lib/api-fetch";
import { syncKeys } from "@/lib/sync/query";
import type { PinPreview } from "../schemas";

/**
 * GET /api/repos/:id/pin — what pinning `revision` (or unpinning, with null) would change; read when a confirmation
 * dialog opens, and fresh each time (the live revision moves as the agent syncs). Under syncKeys so a pin refreshes it.
 */
export function usePinPreview(repoId: string | null, revision: string | null) {
  return useQuery<PinPreview, ApiError>({
    queryKey: [...syncKeys.all, "pin-preview", repoId ?? "", revision ?? ""],
    queryFn: ({ signal }) =>
      apiFetch<PinPreview>(
        `/api/repos/${encodeURIComponent(repoId ?? "")}/pin${revision ? `?revision=${encodeURIComponent(revision)}` : ""}`,
        { signal },
      ),
    enabled: repoId !== null,
    staleTime: 0,
  });
}
