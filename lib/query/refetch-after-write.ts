import type { QueryClient, QueryKey } from "@tanstack/react-query";

/**
 * After a write, re-reads what it changed. invalidateQueries alone cancels a refetch in flight only when the query
 * already has data: a first load still in flight (started before the write, and so without it) is joined, not
 * replaced, and its answer would stand until the next refetch — a binding created on a slow first load did not show.
 * Cancelling first makes the read start after the write.
 */
export async function refetchAfterWrite(qc: QueryClient, queryKey: QueryKey): Promise<void> {
  await qc.cancelQueries({ queryKey });
  await qc.invalidateQueries({ queryKey });
}
