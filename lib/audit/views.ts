import type { ChainedFields } from "./chain";
import type { TActorKind, TAuditAction, TOutcome } from "./schemas";

// What the API and pages see of stored audit rows, and the mappers from the rows: shared by the audit trail, the
// credential access view, their exports and the usage summary.

/** The columns of a stored audit row the views read: the chained fields, the sequence number and the row's hash. */
export interface AuditRowFields extends ChainedFields {
  seq: number;
  hash: string;
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
  prevHash: string;
  hash: string;
}

export interface AuditEventPage {
  items: AuditEventView[];
  nextCursor: number | null;
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
