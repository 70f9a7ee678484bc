import { CHAIN_SCHEMES, type ChainedFields } from "./chain";
import { parseAuditNames, type TAuditNames } from "./names";
import type { TActorKind, TAuditAction, TOutcome } from "./schemas";

// What the API and pages see of stored audit rows, and the mappers from the rows: shared by the audit trail, the
// credential access view, their exports and the usage summary.

/** The columns of a stored audit row the views read: the chained fields, the sequence number and the row's hash. */
export interface AuditRowFields extends ChainedFields {
  seq: number;
  hash: string;
  chainScheme?: string;
}

/**
 * The names a row stored when it was written. Only rows whose hash covers them ("hmac-sha256+names") are read: on
 * older rows the columns are not part of the hash, so whatever is there could have been written later by anyone.
 */
export function rowNames(row: AuditRowFields): TAuditNames | null {
  return row.chainScheme === CHAIN_SCHEMES.keyedNames ? parseAuditNames(row.names) : null;
}

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
  /** The names the row stored when written (target, credential, application, deployment, repository, user). */
  names: TAuditNames | null;
  prevHash: string;
  hash: string;
}

export interface AuditEventPage {
  items: AuditEventView[];
  nextCursor: number | null;
  /** Why the page is empty when a name filter names nothing ("No target named 'x' has audit events"). */
  notice?: string | null;
}

/** The answer of `POST /api/audit/verify`. */
/** What a verification checked against (lib/audit/chain.ts `ChainChecked`). */
export interface AuditChainChecked {
  rows: number;
  keyedRows: number;
  firstKeyedSeq: number | null;
  head: { seq: number; hash: string } | null;
  checkpoints: { file: string; valid: number; last: { seq: number; at: string } | null };
}

export type AuditChainVerdict = (
  | { intact: true; rows: number }
  | {
      intact: false;
      rows: number;
      brokenAt: { seq: number | null; id: string | null; at: string | null; reason: string };
    }
) & { checked: AuditChainChecked; checkpointWritten: { seq: number; at: string } | null };

/** Maps a stored row to its view. Enumerated columns are trusted as written by `recordAuditEvent`. */
export function toAuditEventView(row: AuditRowFields): AuditEventView {
  return {
    ...row,
    at: row.at.toISOString(),
    actorKind: row.actorKind as TActorKind,
    action: row.action as TAuditAction,
    outcome: row.outcome as TOutcome,
    details: parseAuditDetails(row.details),
    names: rowNames(row),
  };
}

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
  credential: { id: string | null; fingerprint: string | null; label: string | null; kind: string | null };
  target: { id: string | null; name: string | null; environment: string | null };
  purpose: AccessPurpose | null;
  /** The deployment a decrypt was for, as it was then: reason, who requested it, the revision. */
  deployment: { reason: string | null; requester: string | null; revision: string | null } | null;
  application: string | null;
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
  /** Why the page is empty when a name filter names nothing ("No target named 'x' has audit events"). */
  notice?: string | null;
}

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/**
 * Maps a stored audit row to its access view. Names come from the row itself (stored when it was written, so they
 * read after a delete); rows from before names were kept take the fingerprint and purpose from `details` and the
 * target's name from `targetNames` (today's names, looked up per page) or the `targetName` a delete recorded.
 */
export function toCredentialAccessView(
  row: AuditRowFields,
  targetNames: ReadonlyMap<string, string>,
): CredentialAccessView {
  const details = parseAuditDetails(row.details);
  const names = rowNames(row);
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
    credential: {
      id: row.credentialId,
      fingerprint: str(details.fingerprint) ?? str(details.toFingerprint) ?? names?.credential?.fingerprint ?? null,
      label: names?.credential?.label ?? null,
      kind: names?.credential?.kind ?? null,
    },
    target: {
      id: row.targetId,
      name: names?.target?.name ?? (row.targetId ? (targetNames.get(row.targetId) ?? str(details.targetName)) : null),
      environment: names?.target?.environment ?? null,
    },
    purpose: purposeKind ? { kind: purposeKind, id: str(details.purposeId) } : null,
    deployment: names?.deployment
      ? {
          reason: names.deployment.reason ?? null,
          requester: names.deployment.requester ?? null,
          revision: names.deployment.revision ?? null,
        }
      : null,
    application: names?.application?.name ?? null,
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
