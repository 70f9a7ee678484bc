import "server-only";
import { NO_REQUEST } from "@/lib/audit/schemas";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { runLeasedLoop, startOncePerProcess } from "@/lib/jobs/leased-loop";
import {
  claimScopeCheck,
  findDueScopeChecks,
  isScopeCheckDue,
  releaseScopeCheck,
  runScopeCheck,
  SCOPE_CHECK_ACTOR,
} from "./data/check-credential-scope";

/** How often an idle sweeper looks for credentials due a check (one indexed query). */
export const SCOPE_SWEEP_POLL_MS = 15_000;

/** Most credentials one pass checks before it yields (the next pass goes on). */
export const SCOPE_SWEEP_BATCH = 50;

export interface ScopeSweepOutcome {
  credentialId: string;
  result: "checked" | "failed" | "skipped";
  clusterAdmin?: boolean;
  error?: string;
}

export interface ScopeSweepTickOptions {
  /** This sweeper's id in the claims (`<host>:<pid>:<random>`). */
  holder: string;
  /** When each credential is checked again after a success. */
  intervalMs: number;
  /** The clock (tests move it). */
  now?: () => Date;
  limit?: number;
  random?: () => number;
}

/**
 * One pass of the scope sweeper: every active credential that was never checked (new, stored or rotated since)
 * or whose next check has come is checked, one at a time, each under its own claim so that another process's
 * sweeper (or a person's "Check now") never checks it at the same time; after claiming, it is re-read, because
 * another process may have checked it meanwhile. A failure (cluster unreachable) is recorded on its credential with
 * a retry time and does not stop the others. The decrypts are audited as the system (`wharf:scope-check`).
 */
export async function runScopeSweepTick(opts: ScopeSweepTickOptions): Promise<ScopeSweepOutcome[]> {
  const clock = opts.now ?? (() => new Date());
  const outcomes: ScopeSweepOutcome[] = [];
  for (const credentialId of await findDueScopeChecks({ now: clock(), limit: opts.limit ?? SCOPE_SWEEP_BATCH })) {
    if (!(await claimScopeCheck({ credentialId, holder: opts.holder, now: clock() }))) {
      outcomes.push({ credentialId, result: "skipped" });
      continue;
    }
    try {
      if (!(await isScopeCheckDue({ credentialId, now: clock() }))) {
        outcomes.push({ credentialId, result: "skipped" });
        continue;
      }
      const result = await runScopeCheck({
        credentialId,
        actor: SCOPE_CHECK_ACTOR,
        request: NO_REQUEST,
        now: clock(),
        intervalMs: opts.intervalMs,
        ...(opts.random ? { random: opts.random } : {}),
      });
      outcomes.push({ credentialId, result: "checked", clusterAdmin: result.clusterAdmin });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Replaced or deleted meanwhile: nothing was due any more.
      if (err instanceof AppError && (err.code === "NOT_FOUND" || err.code === "CREDENTIAL_NOT_ACTIVE"))
        outcomes.push({ credentialId, result: "skipped" });
      else outcomes.push({ credentialId, result: "failed", error: message });
    } finally {
      await releaseScopeCheck({ credentialId, holder: opts.holder }).catch(() => undefined);
    }
  }
  return outcomes;
}

export interface ScopeSweeper {
  holder: string;
  /** Stops the loop after the current check. */
  stop(): Promise<void>;
}

/**
 * Starts the loop that runs a sweep pass every SCOPE_SWEEP_POLL_MS (at once again while a pass found a full batch).
 * Every dashboard process runs one; the per-credential claims keep them from checking the same credential twice, so
 * the loop itself takes no lease.
 */
export function startScopeSweeper(opts: { intervalMs: number; holder?: string; pollMs?: number }): ScopeSweeper {
  const loop = runLeasedLoop({
    name: "scope sweeper",
    ...(opts.holder ? { holder: opts.holder } : {}),
    intervalMs: opts.pollMs ?? SCOPE_SWEEP_POLL_MS,
    pass: async ({ holder }) => {
      const outcomes = await runScopeSweepTick({ holder, intervalMs: opts.intervalMs });
      for (const o of outcomes) {
        if (o.result === "failed")
          console.warn(`[wharf] scope check of credential ${o.credentialId} failed: ${o.error}`);
      }
      return outcomes.length >= SCOPE_SWEEP_BATCH && outcomes.some((o) => o.result !== "skipped");
    },
  });
  return { holder: loop.holder, stop: () => loop.stop() };
}

/**
 * Starts this process's scope sweeper once (from instrumentation.ts), unless WHARF_SCOPE_CHECK_INTERVAL is off.
 */
export function startProcessScopeSweeper(): ScopeSweeper | null {
  return startOncePerProcess("scope-sweeper", () => {
    const intervalMs = env().WHARF_SCOPE_CHECK_INTERVAL;
    return intervalMs === null ? null : startScopeSweeper({ intervalMs });
  });
}
