/**
 * The live-progress payload of `GET /api/deployments/:id/progress`, shared by the route and the progress component.
 * Plain types and pure functions only: safe in the browser.
 */

export const EXECUTION_PHASES = ["applying", "pruning", "waiting-rollout"] as const;
export type TExecutionPhase = (typeof EXECUTION_PHASES)[number];

export interface DeploymentProgressObject {
  position: number;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  action: "pending" | "created" | "configured" | "unchanged" | "pruned" | "failed";
  message: string | null;
}

/**
 * What the deployment as a whole did to one object, given what an earlier attempt did (the run was taken over after
 * its executor died) and what this attempt did: an object an earlier attempt created is "created" even though this
 * attempt found it unchanged; "configured" likewise outranks "unchanged". A failure or a skip now is what stands.
 */
export function combinedAction(
  earlier: DeploymentProgressObject["action"] | undefined,
  now: DeploymentProgressObject["action"],
): DeploymentProgressObject["action"] {
  const rank: Partial<Record<DeploymentProgressObject["action"], number>> = { unchanged: 0, configured: 1, created: 2 };
  const before = earlier === undefined ? undefined : rank[earlier];
  const after = rank[now];
  return before !== undefined && after !== undefined && before > after
    ? (earlier as DeploymentProgressObject["action"])
    : now;
}

export interface DeploymentProgressLog {
  seq: number;
  at: string;
  level: "info" | "warn" | "error";
  message: string;
}

export interface DeploymentProgress {
  id: string;
  state: string;
  phase: TExecutionPhase | null;
  appliedCount: number;
  objectCount: number;
  readyReplicas: number;
  desiredReplicas: number;
  /** What the progress bar shows, 0–100: objects applied / total while applying, replicas ready / desired after. */
  percent: number;
  /** What `percent` measures right now, for the bar's label. */
  measuring: "objects" | "replicas";
  objects: DeploymentProgressObject[];
  /** Log lines after the `afterLog` sequence number asked for (at most 500 per call; ask again from the last seq). */
  logs: DeploymentProgressLog[];
  startedAt: string | null;
  finishedAt: string | null;
  resultMessage: string | null;
  cancelRequested: boolean;
  /**
   * A digest of everything above except the log lines (which the client follows by `seq`): the long poll's
   * `?after=<version>` answers at once when it differs, so any change to state, counters or objects reaches the page.
   */
  version: string;
  /** Whether this answer holds news for the client; false when a long poll ran out its wait with nothing new. */
  changed: boolean;
}

/** The longest a progress long poll may be held, in seconds (`?wait=`); the client asks for this much. */
export const PROGRESS_WAIT_MAX_SECONDS = 25;

/** States after which nothing changes any more, so polling can stop. */
export const PROGRESS_TERMINAL_STATES = [
  "rejected",
  "succeeded",
  "failed",
  "cancelled",
  "superseded",
  "plan-changed",
] as const;

export function isProgressTerminal(state: string): boolean {
  return (PROGRESS_TERMINAL_STATES as readonly string[]).includes(state);
}

/**
 * The bar's value: 100 on success; replicas ready / desired once the rollout is being waited for (or finished with
 * workloads); objects applied / total before that. A failed run counts objects applied: its replicas ready at the end
 * are often the previous version's, so "2 of 2 ready" would say the rollout went well when it did not.
 */
export function progressPercent(
  p: Pick<DeploymentProgress, "state" | "phase" | "appliedCount" | "objectCount" | "readyReplicas" | "desiredReplicas">,
): {
  percent: number;
  measuring: "objects" | "replicas";
} {
  if (p.state === "succeeded") return { percent: 100, measuring: p.desiredReplicas > 0 ? "replicas" : "objects" };
  const ratio = (a: number, b: number) => (b > 0 ? Math.max(0, Math.min(100, Math.floor((a / b) * 100))) : 0);
  if (p.state === "failed") return { percent: ratio(p.appliedCount, p.objectCount), measuring: "objects" };
  if (p.phase === "waiting-rollout" || (p.phase === null && p.desiredReplicas > 0)) {
    return { percent: ratio(p.readyReplicas, p.desiredReplicas), measuring: "replicas" };
  }
  return { percent: ratio(p.appliedCount, p.objectCount), measuring: "objects" };
}
