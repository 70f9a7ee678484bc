import { z } from "zod";
import { AUDIT_ACTIONS, OUTCOMES, type TActorKind, type TAuditAction, type TOutcome } from "./schemas";
import type { ChainedFields } from "./chain";
import { parseAuditDetails, parseLinkFilter } from "./query";

/**
 * The audit actions the credential access view shows: every `credential.*` event (decrypted, stored, replaced,
 * rekeyed, denied, deleted and whatever later joins the family), refused API tokens and routes (`auth.denied`) and
 * agent credentials used outside their scope (`agent.denied`). Derived from the closed enum, so a new
 * `credential.*` action shows up here without a second list to keep in step.
 */
export const CREDENTIAL_ACCESS_ACTIONS = AUDIT_ACTIONS.filter(
  (a) => a.startsWith("credential.") || a === "auth.denied" || a === "agent.denied",
) as readonly TAuditAction[];

const ZCredentialAccessAction = z
  .string()
  .refine((a): a is TAuditAction => (CREDENTIAL_ACCESS_ACTIONS as readonly string[]).includes(a), {
    message: "Not a credential access action",
  });

/** Filters of the credential access view and its exports. Everything optional; ids match exactly, actor by id or name. */
export const ZCredentialAccessFilter = z.object({
  credentialId: z.string().trim().min(1).max(200).optional(),
  targetId: z.string().trim().min(1).max(200).optional(),
  actor: z.string().trim().min(1).max(200).optional(),
  action: ZCredentialAccessAction.optional(),
  outcome: z.enum(OUTCOMES).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});
export type TCredentialAccessFilter = z.infer<typeof ZCredentialAccessFilter>;

export const ZCredentialAccessPage = ZCredentialAccessFilter.extend({
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TCredentialAccessPage = z.infer<typeof ZCredentialAccessPage>;

export const EXPORT_FORMATS = ["csv", "jsonl"] as const;
export const ZExportFormat = z.enum(EXPORT_FORMATS);
export type TExportFormat = z.infer<typeof ZExportFormat>;

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

/** Why a credential was decrypted, as `withDecryptedCredential` records it. */
export interface AccessPurpose {
  kind: string;
  id: string | null;
}

/** One row of the credential access view: what an auditor asks of a credential event, never the secret. */
export interface CredentialAccessView {
  seq: number;
  id: string;
  at: string;
  actor: { kind: TActorKind; id: string | null; name: string };
  action: TAuditAction;
  credential: { id: string | null; fingerprint: string | null };
  target: { id: string | null; name: string | null };
  purpose: AccessPurpose | null;
  outcome: TOutcome;
  /** Why it was refused or failed (`reason`, `error` or the denied attempt), when the row says. */
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface CredentialAccessPageView {
  items: CredentialAccessView[];
  nextCursor: number | null;
}

/** The columns of a stored audit row the views read: the chained fields, the sequence number and the row's hash. */
export interface AuditRowFields extends ChainedFields {
  seq: number;
  hash: string;
}

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/**
 * Maps a stored audit row to its access view. The fingerprint and purpose come from `details`, where the credential
 * writers put them; the target's name from `targetNames` (a deleted target keeps the name its rows recorded, if any).
 */
export function toCredentialAccessView(
  row: AuditRowFields,
  targetNames: ReadonlyMap<string, string>,
): CredentialAccessView {
  const details = parseAuditDetails(row.details);
  const purposeKind = str(details.purpose);
  const reason =
    str(details.reason) ??
    str(details.error) ??
    (str(details.attempted) ? `attempted ${String(details.attempted)}` : null) ??
    (str(details.permission) ? `needs ${String(details.permission)}` : null);
  return {
    seq: row.seq,
    id: row.id,
    at: row.at.toISOString(),
    actor: { kind: row.actorKind as TActorKind, id: row.actorId, name: row.actorName },
    action: row.action as TAuditAction,
    // Rotation rows name the new credential and carry `toFingerprint` (its predecessor's is `fromFingerprint`).
    credential: { id: row.credentialId, fingerprint: str(details.fingerprint) ?? str(details.toFingerprint) },
    target: {
      id: row.targetId,
      name: row.targetId ? (targetNames.get(row.targetId) ?? str(details.targetName)) : null,
    },
    purpose: purposeKind ? { kind: purposeKind, id: str(details.purposeId) } : null,
    outcome: row.outcome as TOutcome,
    reason,
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    details,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

/** Where a purpose links to in the dashboard: deployments and their previews share the deployment's page. */
export function purposeHref(purpose: AccessPurpose | null): string | null {
  if (!purpose?.id) return null;
  if (purpose.kind === "deployment" || purpose.kind === "preview")
    return `/deployments/${encodeURIComponent(purpose.id)}`;
  return null;
}

const FILTER_KEYS = ["credentialId", "targetId", "actor", "action", "outcome", "from", "to"] as const;

/** The credential access view's filter from its link (`/credentials/access?credentialId=…`). */
export function parseCredentialAccessFilter(
  query: Record<string, string | string[] | undefined>,
): CredentialAccessListFilter {
  return parseLinkFilter(ZCredentialAccessFilter.shape, FILTER_KEYS, query);
}

/** Query-string values with empty ones removed: an empty form field means "any", not an invalid value. */
export function nonEmptyQuery(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v.trim() !== ""));
}

/** "Who used this credential": one actor's decrypts of one credential over the window. */
export interface CredentialUsageActor {
  actor: { kind: TActorKind; id: string | null; name: string };
  count: number;
  lastAt: string;
  /** Decrypts per purpose kind (deployment, preview, rotation, rekey). */
  purposes: { kind: string; count: number }[];
  /** The most recent purposes with ids, newest first, for links. */
  recent: AccessPurpose[];
}

export interface CredentialUsageView {
  credentialId: string;
  since: string;
  days: number;
  total: number;
  /** Refused or failed decrypts in the window, counted apart from the uses. */
  refused: number;
  actors: CredentialUsageActor[];
}
