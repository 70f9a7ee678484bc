import { credentialListQuery } from "@/lib/credentials/query";
import type { TRotationListFilter } from "./schemas";

export type RotationListKeyFilter = Partial<Pick<TRotationListFilter, "status" | "cursor" | "limit">>;

/** Credentials per page on the rotation page; shared by the server page's prefetch and the client's query. */
export const ROTATION_PAGE_SIZE = 50;

/** React Query keys for the rotation page; the server page prefetches with the same key. */
export const rotationKeys = {
  all: ["rotation"] as const,
  lists: () => [...rotationKeys.all, "list"] as const,
  list: (filter: RotationListKeyFilter) => [...rotationKeys.lists(), filter] as const,
};

/** Query string for GET /api/rotation (same parameters as the credentials list). */
export function rotationListQuery(filter: RotationListKeyFilter): string {
  return credentialListQuery(filter);
}
