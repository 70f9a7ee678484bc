import { z } from "zod";
import type { TAuditNames } from "./names";

/** The closed set of audited actions. Adding one is a code change reviewed like any other. */
export const AUDIT_ACTIONS = [
  "auth.signed-in",
  "auth.sign-in-failed",
  "auth.signed-out",
  "auth.denied",
  "user.created",
  "user.updated",
  "api-token.created",
  "api-token.revoked",
  "target.created",
  "target.updated",
  "target.deleted",
  "credential.stored",
  "credential.replaced",
  "credential.decrypted",
  "credential.rekeyed",
  "credential.denied",
  "credential.rotated",
  "credential.rotation-failed",
  "credential.deleted",
  "policy.created",
  "policy.updated",
  "policy.deleted",
  "deployment.requested",
  "deployment.approval-recorded",
  "deployment.approved",
  "deployment.rejected",
  "deployment.queued",
  "deployment.started",
  "deployment.succeeded",
  "deployment.failed",
  "deployment.cancel-requested",
  "deployment.cancelled",
  "deployment.superseded",
  "deployment.plan-changed",
  "deployment.manifests-downloaded",
  "repo-binding.created",
  "repo-binding.deleted",
  "repo-binding.rekeyed",
  "webhook.accepted",
  "webhook.rejected",
  "agent.created",
  "agent.enrolled",
  "agent.credential-rotated",
  "agent.revoked",
  "agent.denied",
  "repo.registered",
  "repo.updated",
  "repo.removed",
  "repo.pinned",
  "repo.unpinned",
  "sync.events-dropped",
  "sync.manifests-downloaded",
  "notification-sink.created",
  "notification-sink.updated",
  "notification-sink.deleted",
  "application.created",
  "application.updated",
  "application.deleted",
] as const;
export const ZAuditAction = z.enum(AUDIT_ACTIONS);
export type TAuditAction = z.infer<typeof ZAuditAction>;

export const ACTOR_KINDS = ["user", "api-token", "agent", "system"] as const;
export const ZActorKind = z.enum(ACTOR_KINDS);
export type TActorKind = z.infer<typeof ZActorKind>;

export const OUTCOMES = ["success", "denied", "failure"] as const;
export type TOutcome = (typeof OUTCOMES)[number];

/** Who did something. `name` is kept as it was at the time, so renaming a user does not rewrite history. */
export interface Actor {
  kind: TActorKind;
  id: string | null;
  name: string;
}

/** Where a request came from; attached to every audit row written while serving it. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export const SYSTEM_ACTOR: Actor = { kind: "system", id: null, name: "wharf" };
export const NO_REQUEST: RequestContext = { ip: null, userAgent: null, requestId: null };

export interface AuditEntry {
  actor: Actor;
  action: TAuditAction;
  subjectType: string;
  subjectId?: string | null;
  targetId?: string | null;
  credentialId?: string | null;
  outcome?: TOutcome;
  details?: Record<string, unknown>;
  request?: RequestContext;
  /**
   * The names the row is about, when the caller already has them (saves the writer's look-ups by id); whatever is
   * missing is read by id in the same transaction (lib/audit/data/resolve-audit-names.ts).
   */
  names?: TAuditNames;
}

export const ZAuditFilter = z.object({
  actor: z.string().trim().max(200).optional(),
  action: ZAuditAction.optional(),
  subject: z.string().trim().max(200).optional(),
  /** Names (any case), matched against the names rows stored when written, so deleted ones still find their rows. */
  target: z.string().trim().min(1).max(200).optional(),
  application: z.string().trim().min(1).max(200).optional(),
  credential: z.string().trim().min(1).max(200).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TAuditFilter = z.infer<typeof ZAuditFilter>;
