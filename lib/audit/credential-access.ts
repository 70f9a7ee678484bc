import { z } from "zod";
import { AUDIT_ACTIONS, OUTCOMES, type TAuditAction } from "./schemas";

// The credential access view's actions, filter and export formats; its React Query keys are in query.ts, its rows in
// views.ts.

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

/** Filters of the credential access view and its exports. Everything optional; ids match exactly, names in any case, actor by id or name. */
export const ZCredentialAccessFilter = z.object({
  credentialId: z.string().trim().min(1).max(200).optional(),
  targetId: z.string().trim().min(1).max(200).optional(),
  /** A target name and a credential label (any case), matched against the names the rows stored when written. */
  target: z.string().trim().min(1).max(200).optional(),
  credential: z.string().trim().min(1).max(200).optional(),
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

/** Query-string values with empty ones removed: an empty form field means "any", not an invalid value. */
export function nonEmptyQuery(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v.trim() !== ""));
}
