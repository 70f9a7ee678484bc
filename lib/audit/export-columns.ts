import type { ExportColumn } from "./export-format";
import { parseAuditDetails, rowNames, type AuditRowFields, type CredentialAccessView } from "./views";

/**
 * Columns of the credential access export: what an auditor needs per row (Vault's audit entries are the bar) —
 * time, actor, action, credential and fingerprint, target, purpose, outcome, origin of the request and the hash
 * chain link. Never secret material: the writers never put any in the row.
 */
export const CREDENTIAL_ACCESS_COLUMNS: readonly ExportColumn<CredentialAccessView>[] = [
  { header: "time", value: (r) => r.at },
  { header: "seq", value: (r) => r.seq },
  { header: "id", value: (r) => r.id },
  { header: "actor_kind", value: (r) => r.actor.kind },
  { header: "actor_id", value: (r) => r.actor.id },
  { header: "actor_name", value: (r) => r.actor.name },
  { header: "action", value: (r) => r.action },
  { header: "credential_id", value: (r) => r.credential.id },
  { header: "credential_label", value: (r) => r.credential.label },
  { header: "credential_kind", value: (r) => r.credential.kind },
  { header: "fingerprint", value: (r) => r.credential.fingerprint },
  { header: "target_id", value: (r) => r.target.id },
  { header: "target_name", value: (r) => r.target.name },
  { header: "target_environment", value: (r) => r.target.environment },
  { header: "purpose", value: (r) => r.purpose?.kind },
  { header: "purpose_id", value: (r) => r.purpose?.id },
  { header: "application", value: (r) => r.application },
  { header: "deployment_reason", value: (r) => r.deployment?.reason },
  { header: "deployment_requester", value: (r) => r.deployment?.requester },
  { header: "revision", value: (r) => r.deployment?.revision },
  { header: "outcome", value: (r) => r.outcome },
  { header: "reason", value: (r) => r.reason },
  { header: "ip", value: (r) => r.ip },
  { header: "user_agent", value: (r) => r.userAgent },
  { header: "request_id", value: (r) => r.requestId },
  { header: "prev_hash", value: (r) => r.prevHash },
  { header: "hash", value: (r) => r.hash },
];

/** JSON Lines object of a credential access row: the view itself, details parsed. */
export function credentialAccessJson(r: CredentialAccessView): Record<string, unknown> {
  return { ...r };
}

/** Columns of the general audit export: every stored column, details as its JSON text (which the hash covers). */
export const AUDIT_EVENT_COLUMNS: readonly ExportColumn<AuditRowFields>[] = [
  { header: "time", value: (r) => r.at },
  { header: "seq", value: (r) => r.seq },
  { header: "id", value: (r) => r.id },
  { header: "actor_kind", value: (r) => r.actorKind },
  { header: "actor_id", value: (r) => r.actorId },
  { header: "actor_name", value: (r) => r.actorName },
  { header: "action", value: (r) => r.action },
  { header: "subject_type", value: (r) => r.subjectType },
  { header: "subject_id", value: (r) => r.subjectId },
  { header: "target_id", value: (r) => r.targetId },
  { header: "credential_id", value: (r) => r.credentialId },
  { header: "outcome", value: (r) => r.outcome },
  { header: "ip", value: (r) => r.ip },
  { header: "user_agent", value: (r) => r.userAgent },
  { header: "request_id", value: (r) => r.requestId },
  { header: "details", value: (r) => r.details },
  { header: "names", value: (r) => r.names },
  { header: "target_name", value: (r) => r.targetName },
  { header: "credential_label", value: (r) => r.credentialLabel },
  { header: "application_name", value: (r) => r.applicationName },
  { header: "chain_scheme", value: (r) => r.chainScheme },
  { header: "prev_hash", value: (r) => r.prevHash },
  { header: "hash", value: (r) => r.hash },
];

/**
 * JSON Lines object of an audit row, with `details` and `names` kept as the stored text: together with the other
 * fields and `prevHash` it is exactly what the row's hash covers, so an export can be re-verified offline.
 */
export function auditEventJson(r: AuditRowFields): Record<string, unknown> {
  return { ...r, at: r.at.toISOString(), parsedDetails: parseAuditDetails(r.details), parsedNames: rowNames(r) };
}
