import { z } from "zod";

/** Roles in increasing order of power; each role has every permission of the roles before it. */
export const ROLES = ["viewer", "deployer", "approver", "admin"] as const;
export const ZRole = z.enum(ROLES);
export type TRole = z.infer<typeof ZRole>;

/**
 * The one permission table. Every route handler names one of these permissions; pages and components ask
 * `can(role, permission)` to decide what to show. Approvers do not inherit deploy rights by accident: the ladder is
 * explicit here, so reading this table answers "who may do X".
 */
export const PERMISSIONS = {
  read: ["viewer", "deployer", "approver", "admin"],
  "deployments.request": ["deployer", "admin"],
  "repos.register": ["deployer", "admin"],
  "deployments.approve": ["approver", "admin"],
  "targets.manage": ["admin"],
  "credentials.manage": ["admin"],
  /** Reaching the replace, rotate and scope-check routes; the target's credential policy (`minReplaceRole`, default admin) then decides. */
  "credentials.replace": ["deployer", "approver", "admin"],
  "policies.manage": ["admin"],
  /** Webhook sinks for rotation and approval notifications (their URLs and signing secrets). */
  "notifications.manage": ["admin"],
  "users.manage": ["admin"],
  "audit.read": ["approver", "admin"],
  /** Credential access rows (who decrypted, replaced or was refused a credential) never hold secrets, so auditors with the viewer role may read and export them. */
  "credential-access.read": ["viewer", "deployer", "approver", "admin"],
  "tokens.manage-own": ["deployer", "approver", "admin"],
} as const satisfies Record<string, readonly TRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: TRole, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly TRole[]).includes(role);
}

/** Whether `role` is at least `minimum` on the ladder (used by credential policies' "minimum role to replace"). */
export function roleAtLeast(role: TRole, minimum: TRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}
