import type { EnvironmentMatrix } from "./matrix-schemas";

/** React Query keys of the environments matrix; the server page prefetches with the same key the hook reads. */
export const matrixKeys = {
  all: ["applications", "matrix"] as const,
  page: (limit: number) => [...matrixKeys.all, { limit }] as const,
};

/** The API query string for a page of the matrix. */
export function matrixSearch(limit: number, cursor?: string | null): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

/** Shared by the server prefetch and the browser hook so both agree on how pages chain. */
export const MATRIX_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: EnvironmentMatrix): string | null => last.nextCursor,
};
