import type { ZodType } from "zod";
import { firstValues, type PageSearchParams } from "@/lib/utils";
import { ZCredentialAccessFilter, type TCredentialAccessFilter } from "./credential-access";
import { ZAuditFilter, type TAuditFilter } from "./schemas";

// React Query keys of the audit trail and the credential access view, and the list filters they are keyed on as
// links and query strings carry them. The views the queries return are in views.ts.

/** The filter part of an audit query: everything but paging. */
export type AuditListFilter = Omit<TAuditFilter, "cursor" | "limit" | "from" | "to"> & { from?: string; to?: string };

/** React Query keys for the audit trail; the audit page prefetches with the same keys the hooks read. */
export const auditKeys = {
  all: ["audit"] as const,
  lists: () => [...auditKeys.all, "list"] as const,
  list: (filter: AuditListFilter) => [...auditKeys.lists(), filter] as const,
  names: (kind: string, prefix: string) => [...auditKeys.all, "names", kind, prefix] as const,
};

/** Rows per page on the audit page. */
export const AUDIT_PAGE_SIZE = 50;

/** The filter as the browser and the URL carry it: dates as ISO strings. */
export type CredentialAccessListFilter = Omit<TCredentialAccessFilter, "from" | "to"> & { from?: string; to?: string };

/** Rows per page of the credential access view. */
export const CREDENTIAL_ACCESS_PAGE_SIZE = 50;

/** React Query keys; the page prefetches with the same keys the hooks read. */
export const credentialAccessKeys = {
  all: ["credential-access"] as const,
  lists: () => [...credentialAccessKeys.all, "list"] as const,
  list: (filter: CredentialAccessListFilter) => [...credentialAccessKeys.lists(), filter] as const,
  usages: () => [...credentialAccessKeys.all, "usage"] as const,
  usage: (credentialId: string) => [...credentialAccessKeys.usages(), credentialId] as const,
};

/** Query string for a list filter and page (audit trail, credential access), dropping empty fields (the API treats
 * absent and empty alike). */
export function filterSearchParams(
  filter: object,
  extra: Record<string, string | number | undefined> = {},
): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) {
    if (value !== undefined && value !== null && String(value).trim() !== "") params.set(key, String(value));
  }
  return params;
}

/**
 * The filter of a shared link (`/audit?action=…&from=…`), read field by field with the API's own schema. Fields that
 * do not validate are dropped one by one, so a stale or hand-edited link still opens the page with whatever part of it
 * makes sense; instants come back as ISO strings.
 */
export function parseLinkFilter<F>(
  shape: Readonly<Record<string, ZodType>>,
  keys: readonly string[],
  query: PageSearchParams,
): F {
  const filter: Record<string, string> = {};
  const values = firstValues(query);
  for (const key of keys) {
    const value = values[key];
    if (value === undefined || value.trim() === "") continue;
    const parsed = shape[key]?.safeParse(value);
    if (!parsed?.success || parsed.data === undefined) continue;
    filter[key] = parsed.data instanceof Date ? parsed.data.toISOString() : String(parsed.data);
  }
  return filter as F;
}

/** The audit page's filter from its link. */
export function parseAuditListFilter(query: Record<string, string | string[] | undefined>): AuditListFilter {
  return parseLinkFilter(
    ZAuditFilter.shape,
    ["actor", "action", "subject", "target", "application", "credential", "outcome", "from", "to"],
    query,
  );
}

const CREDENTIAL_ACCESS_FILTER_KEYS = [
  "credentialId",
  "targetId",
  "target",
  "credential",
  "actor",
  "action",
  "outcome",
  "from",
  "to",
] as const;

/** The credential access view's filter from its link (`/credentials/access?credentialId=…`). */
export function parseCredentialAccessFilter(
  query: Record<string, string | string[] | undefined>,
): CredentialAccessListFilter {
  return parseLinkFilter(ZCredentialAccessFilter.shape, CREDENTIAL_ACCESS_FILTER_KEYS, query);
}
