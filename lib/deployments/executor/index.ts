import "server-only";
import { env } from "@/lib/env";
import { newHolderId, runLeasedLoop, startOncePerProcess } from "@/lib/jobs/leased-loop";
import { claimNextDeployment, releaseClaim } from "../data/executor-claim";
import { runClaimedDeployment, type PhaseHook, type RunOutcome } from "./run-deployment";
import { onExecutorWake } from "../wake";

export { wakeExecutor } from "../wake";
export type { RunOutcome, PhaseHook } from "./run-deployment";

export interface ExecutorOptions {
  /** Identifies this executor in claims and audit rows; default `<hostname>:<pid>:<random>`, unique per start. */
  processId?: string;
  /** Idle poll interval (default WHARF_EXECUTOR_POLL_INTERVAL). A wake signal polls at once. */
  pollMs?: number;
  /** Claim lease (default WHARF_EXECUTOR_LEASE); renewed every lease/3 while running. */
  leaseMs?: number;
  /** Rollout wait limit (default WHARF_ROLLOUT_TIMEOUT). */
  rolloutTimeoutMs?: number;
  /** Awaited before each apply phase (tracing, and tests that need to act mid-run). */
  onPhase?: PhaseHook;
  /** Called with every finished run (including lost/abandoned ones). */
  onRun?: (outcome: RunOutcome) => void;
}

export interface Executor {
  processId: string;
  /**
   * Stops the loop. By default waits for the current run to finish. `abandon: true` stops touching the cluster at
   * once and writes nothing more — the claim stays until its lease expires and another executor resumes the run,
   * exactly as after a crash.
   */
  stop(opts?: { abandon?: boolean }): Promise<void>;
}

function settingsOf(opts: ExecutorOptions) {
  const e = env();
  return {
    processId: opts.processId ?? newHolderId(),
    pollMs: opts.pollMs ?? e.WHARF_EXECUTOR_POLL_INTERVAL,
    leaseMs: opts.leaseMs ?? e.WHARF_EXECUTOR_LEASE,
    rolloutTimeoutMs: opts.rolloutTimeoutMs ?? e.WHARF_ROLLOUT_TIMEOUT,
  };
}

/**
 * Claims and runs at most one deployment, returning how it ended, or null when nothing was claimable. The building
 * block of the loop, and what tests call to run the queue deterministically.
 */
export async function runOnce(opts: ExecutorOptions & { signal?: AbortSignal } = {}): Promise<RunOutcome | null> {
  const s = settingsOf(opts);
  const claim = await claimNextDeployment({ processId: s.processId, leaseMs: s.leaseMs });
  if (!claim) return null;
  try {
    return await runClaimedDeployment(claim, {
      processId: s.processId,
      leaseMs: s.leaseMs,
      rolloutTimeoutMs: s.rolloutTimeoutMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onPhase ? { onPhase: opts.onPhase } : {}),
    });
  } catch (err) {
    // Bookkeeping failed (database down mid-run). Hand the deployment back so a healthy executor retries it.
    console.error(`[wharf] executor ${s.processId}: run of deployment ${claim.deploymentId} failed:`, err);
    if (!opts.signal?.aborted)
      await releaseClaim({ deploymentId: claim.deploymentId, processId: s.processId }).catch(() => undefined);
    return {
      deploymentId: claim.deploymentId,
      state: "abandoned",
      message: err instanceof Error ? err.message : String(err),
    };
  }
}

/**
 * Starts an executor loop (lib/jobs' runLeasedLoop, without a lease: the claim on each deployment is the lease):
 * claim, run, repeat while there is work; then sleep until the poll interval passes or a wake signal arrives. Runs
 * one deployment at a time per executor; several dashboard processes on one PostgreSQL share the queue safely
 * through the claim's conditional update.
 */
export function startExecutor(opts: ExecutorOptions = {}): Executor {
  const s = settingsOf(opts);
  const loop = runLeasedLoop({
    name: "executor",
    holder: s.processId,
    intervalMs: s.pollMs,
    onWake: onExecutorWake,
    pass: async ({ signal }) => {
      let outcome: RunOutcome | null = null;
      try {
        outcome = await runOnce({ ...opts, ...s, signal });
      } catch (err) {
        console.error(`[wharf] executor ${s.processId}: claim failed:`, err);
      }
      if (outcome) opts.onRun?.(outcome);
      return outcome !== null;
    },
  });
  return { processId: s.processId, stop: (stopOpts) => loop.stop(stopOpts) };
}

/**
 * Starts this process's executor once (from instrumentation.ts), unless WHARF_EXECUTOR=off.
 */
export function startProcessExecutor(): Executor | null {
  return startOncePerProcess("executor", () => (env().WHARF_EXECUTOR === "off" ? null : startExecutor()));
}
