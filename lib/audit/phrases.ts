import type { TActorKind, TAuditAction } from "./schemas";

// Audit actions and actors in words, for people reading the Overview's Recent activity (issue 17, item 8). The
// codes stay what the trail stores, filters on and exports; these are only how a page says them. Plain module.

/**
 * Every audited action as a short phrase of what happened, shown before who did it ("Cluster credential used by
 * Wharf (scope check)"), so it reads right whoever the actor is (a person, a token, an agent, an executor). A
 * `Record` over the closed enum: adding an action to AUDIT_ACTIONS without a phrase here fails to compile.
 */
export const AUDIT_ACTION_PHRASES: Record<TAuditAction, string> = {
  "auth.signed-in": "Signed in",
  "auth.sign-in-failed": "Sign-in failed",
  "auth.signed-out": "Signed out",
  "auth.denied": "Request refused (missing permission)",
  "user.created": "User added",
  "user.updated": "User changed",
  "api-token.created": "API token created",
  "api-token.revoked": "API token revoked",
  "target.created": "Target added",
  "target.updated": "Target changed",
  "target.deleted": "Target removed",
  "credential.stored": "Cluster credential stored",
  "credential.replaced": "Cluster credential replaced",
  "credential.decrypted": "Cluster credential used",
  "credential.rekeyed": "Cluster credential re-encrypted under a new key",
  "credential.denied": "Cluster credential use refused",
  "credential.rotated": "Cluster credential rotated",
  "credential.rotation-failed": "Cluster credential rotation failed",
  "credential.deleted": "Cluster credential deleted",
  "policy.created": "Rotation policy added",
  "policy.updated": "Rotation policy changed",
  "policy.deleted": "Rotation policy removed",
  "deployment.requested": "Deployment requested",
  "deployment.approval-recorded": "Deployment approval recorded",
  "deployment.approved": "Deployment approved",
  "deployment.rejected": "Deployment rejected",
  "deployment.queued": "Deployment queued",
  "deployment.started": "Deployment started",
  "deployment.succeeded": "Deployment succeeded",
  "deployment.failed": "Deployment failed",
  "deployment.cancel-requested": "Deployment cancellation requested",
  "deployment.cancelled": "Deployment cancelled",
  "deployment.superseded": "Deployment replaced by a newer request",
  "deployment.plan-changed": "Deployment stopped: its plan changed since approval",
  "deployment.manifests-downloaded": "Applied manifests of a deployment downloaded",
  "repo-binding.created": "Repository linked to a target",
  "repo-binding.deleted": "Repository unlinked from a target",
  "repo-binding.rekeyed": "Repository link's webhook secret re-encrypted",
  "webhook.accepted": "Git webhook accepted",
  "webhook.rejected": "Git webhook rejected",
  "agent.created": "Pull agent added",
  "agent.enrolled": "Pull agent enrolled",
  "agent.credential-rotated": "Pull agent credential renewed",
  "agent.revoked": "Pull agent revoked",
  "agent.denied": "Pull agent request refused",
  "repo.registered": "Pull repository registered",
  "repo.updated": "Pull repository changed",
  "repo.removed": "Pull repository removed",
  "repo.pinned": "Pull repository pinned to a revision",
  "repo.unpinned": "Pull repository unpinned",
  "sync.events-dropped": "Sync events over the limit dropped",
  "sync.manifests-downloaded": "Applied manifests of a sync downloaded",
  "notification-sink.created": "Notification webhook added",
  "notification-sink.updated": "Notification webhook changed",
  "notification-sink.deleted": "Notification webhook removed",
  "application.created": "Application added",
  "application.updated": "Application changed",
  "application.deleted": "Application removed",
};

/** The phrase of `action`; a code this build does not know (a row written by a newer version) is shown as stored. */
export function auditActionPhrase(action: string): string {
  return Object.prototype.hasOwnProperty.call(AUDIT_ACTION_PHRASES, action)
    ? AUDIT_ACTION_PHRASES[action as TAuditAction]
    : action;
}

/**
 * Who did it, in words. People, tokens and agents keep the name recorded at the time; Wharf's own work, recorded
 * as `wharf`, `wharf:<job>` or `wharf (<job>)`, reads "Wharf" or "Wharf (scope check)".
 */
export function auditActorPhrase(kind: TActorKind | (string & {}), name: string): string {
  if (kind !== "system") return name;
  const own = /^wharf(?:[:\s]+\(?([^)]*)\)?)?$/i.exec(name.trim());
  if (!own) return name;
  const job = (own[1] ?? "").replace(/[-_]+/g, " ").trim();
  return job ? `Wharf (${job})` : "Wharf";
}
