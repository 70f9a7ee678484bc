import { z } from "zod";

/**
 * A push deployment's life. `superseded` ends a request that a newer one for the same target overtook: once a newer
 * request is approved, older ones that have not started can no longer run. `plan-changed` ends an approved run whose
 * plan (what it creates, changes, prunes), recomputed when the executor starts, differs from the approved preview:
 * nothing was applied, and a fresh request with its own preview and approvals is the way forward.
 */
export const DEPLOYMENT_STATES = [
  "pending-approval",
  "approved",
  "rejected",
  "queued",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "superseded",
  "plan-changed",
] as const;
export const ZDeploymentState = z.enum(DEPLOYMENT_STATES);
export type TDeploymentState = z.infer<typeof ZDeploymentState>;

/** Which state may follow which. Every transition is checked against this table and written to the audit trail. */
export const TRANSITIONS: Record<TDeploymentState, readonly TDeploymentState[]> = {
  "pending-approval": ["approved", "rejected", "cancelled", "superseded"],
  approved: ["queued", "cancelled", "superseded"],
  queued: ["running", "cancelled", "superseded"],
  running: ["succeeded", "failed", "cancelled", "plan-changed"],
  rejected: [],
  succeeded: [],
  failed: [],
  cancelled: [],
  superseded: [],
  "plan-changed": [],
};

export const TERMINAL_STATES: readonly TDeploymentState[] = [
  "rejected",
  "succeeded",
  "failed",
  "cancelled",
  "superseded",
  "plan-changed",
];
/** States in which a newer approved request makes this one obsolete. */
export const SUPERSEDABLE_STATES: readonly TDeploymentState[] = ["pending-approval", "approved", "queued"];

export function isTerminal(state: TDeploymentState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canTransition(from: TDeploymentState, to: TDeploymentState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The states from which `to` can be reached, for conditional updates (`WHERE state IN (…)`). */
export function statesLeadingTo(to: TDeploymentState): TDeploymentState[] {
  return DEPLOYMENT_STATES.filter((s) => TRANSITIONS[s].includes(to));
}

/** The audit action written when a deployment enters a state. */
export const ENTER_ACTION = {
  "pending-approval": "deployment.requested",
  approved: "deployment.approved",
  rejected: "deployment.rejected",
  queued: "deployment.queued",
  running: "deployment.started",
  succeeded: "deployment.succeeded",
  failed: "deployment.failed",
  cancelled: "deployment.cancelled",
  superseded: "deployment.superseded",
  "plan-changed": "deployment.plan-changed",
} as const satisfies Record<TDeploymentState, string>;
