import type { ZodType } from "zod";
import type { AuditRowFields } from "./credential-access";
import { firstValues, type PageSearchParams } from "@/lib/utils";
import { ZAuditFilter, type TActorKind, type TAuditAction, type TAuditFilter, type TOutcome } from "./schemas";

/** The filter part of an audit query: everything but paging. */
export type AuditListFilter = Omit<TAuditFilter, "cursor" | "limit" | "from" | "to"> & { from?: string; to?: string };

/** React Query keys for the audit trail; the audit page prefetches with the same keys the hooks read. */
export const auditKeys = {
  all: ["audit"] as const,
  lists: () => [...auditKeys.all, "list"] as const,
  list: (filter: AuditListFilter) => [...auditKeys.lists(), filter] as const,
};

/** Rows per page on the audit page. */
export const AUDIT_PAGE_SIZE = 50;

/** An audit row as the API and pages see it: `details` parsed, the time as an ISO string. */
export interface AuditEventView {
  seq: number;
  id: string;
  at: string;
  actorKind: TActorKind;
  actorId: string | null;
  actorName: string;
  action: TAuditAction;
  subjectType: string;
  subjectId: string | null;
  targetId: string | null;
  credentialId: string | null;
  outcome: TOutcome;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditEventPage {
  items: AuditEventView[];
  nextCursor: number | null;
}

/** The answer of `POST /api/audit/verify`. */
export type AuditChainVerdict =
  | { intact: true; rows: number }
  | { intact: false; rows: number; brokenAt: { seq: number; id: string; at: string; reason: string } };

/** Parses a stored details column; a row whose details are not a JSON object is shown, not hidden. */
export function parseAuditDetails(details: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(details);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : { value: parsed };
  } catch {
    return { unparsed: details };
  }
}

/** Maps a stored row to its view. Enumerated columns are trusted as written by `recordAuditEvent`. */
export function toAuditEventView(row: AuditRowFields): AuditEventView {
  return {
    ...row,
    at: row.at.toISOString(),
    actorKind: row.actorKind as TActorKind,
    action: row.action as TAuditAction,
    outcome: row.outcome as TOutcome,
    details: parseAuditDetails(row.details),
  };
}

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
  return parseLinkFilter(ZAuditFilter.shape, ["actor", "action", "subject", "outcome", "from", "to"], query);
}
