import type { CredentialPolicyPage, TCredentialListFilter } from "./schemas";

/** React Query keys for credentials; server pages prefetch with the same keys the hooks read. */
export const credentialKeys = {
  all: ["credentials"] as const,
  lists: () => [...credentialKeys.all, "list"] as const,
  list: (filter: Partial<Pick<TCredentialListFilter, "status" | "cursor" | "limit">>) =>
    [...credentialKeys.lists(), filter] as const,
  details: () => [...credentialKeys.all, "target"] as const,
  /** One target's active credential and history. */
  detail: (targetId: string) => [...credentialKeys.details(), targetId] as const,
};

/**
 * Credentials per page on the credentials page. Here, not in the "use client" component: a server page that imports a
 * value from a client module gets a client reference, not the number, and its prefetch then fails.
 */
export const CREDENTIALS_PAGE_SIZE = 50;

export const policyKeys = {
  all: ["credential-policies"] as const,
  lists: () => [...policyKeys.all, "list"] as const,
  list: () => [...policyKeys.lists()] as const,
};

/** Policies per page on the policies page. */
export const POLICIES_PAGE_SIZE = 50;

/** Shared by the server prefetch and the browser hook so both agree on how pages chain. */
export const POLICY_LIST_PAGING = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: CredentialPolicyPage): string | null => last.nextCursor,
};

/** Query string for GET /api/credentials. */
export function credentialListQuery(
  filter: Partial<Pick<TCredentialListFilter, "status" | "cursor" | "limit">>,
): string {
  const q = new URLSearchParams();
  if (filter.status) q.set("status", filter.status);
  if (filter.cursor) q.set("cursor", filter.cursor);
  if (filter.limit) q.set("limit", String(filter.limit));
  const s = q.toString();
  return s ? `?${s}` : "";
}
