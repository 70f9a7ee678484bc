import "server-only";
import { NO_REQUEST } from "@/lib/audit/schemas";
import { env } from "@/lib/env";
import { runLeasedLoop, runLeasedPass, startOncePerProcess, type LeasedLoop } from "@/lib/jobs/leased-loop";
import { enqueueRotationNotices, findDueRotations } from "./data/find-due-rotations";
import { ROTATION_ACTOR, rotateCredential, type RotationOutcome } from "./data/rotate-credential";

export const ROTATION_LEASE = "rotation";

export interface RotationTickResult {
  /** False when another process holds the lease (this one did nothing). */
  leased: boolean;
  outcomes: RotationOutcome[];
  /** Notifications queued for due/overdue credentials. */
  notices: number;
}

export interface TickOptions {
  /** This scheduler instance's id in the lease. */
  holder: string;
  leaseMs: number;
  /** The clock (tests move it); defaults to the wall clock. */
  now?: () => Date;
  random?: () => number;
}

/**
 * One pass of the rotation scheduler: take (or renew) the `rotation` lease — without it, do nothing — then queue
 * due/overdue notifications and rotate every credential that is due, one at a time, renewing the lease before each
 * so a process that stalled and lost it stops. A rotation's failure is recorded on its credential and does not stop
 * the others.
 */
export async function runRotationTick(opts: TickOptions): Promise<RotationTickResult> {
  const clock = opts.now ?? (() => new Date());
  const run = await runLeasedPass({ lease: ROTATION_LEASE, ...opts }, (renew) =>
    rotateDueCredentials({ renew, now: clock, ...(opts.random ? { random: opts.random } : {}) }),
  );
  return run.leased ? { leased: true, ...run.result } : { leased: false, outcomes: [], notices: 0 };
}

/** The rotation pass itself, for a holder of the `rotation` lease; `renew` before each credential. */
async function rotateDueCredentials(opts: {
  renew: () => Promise<boolean>;
  now: () => Date;
  random?: () => number;
}): Promise<{ outcomes: RotationOutcome[]; notices: number }> {
  const clock = opts.now;
  let notices = 0;
  try {
    notices = await enqueueRotationNotices({ now: clock() });
  } catch (err) {
    console.error("[wharf] rotation: could not queue due/overdue notifications:", err);
  }
  const outcomes: RotationOutcome[] = [];
  for (const due of await findDueRotations({ now: clock() })) {
    if (!(await opts.renew())) break;
    try {
      outcomes.push(
        await rotateCredential({
          credentialId: due.credentialId,
          reason: due.reason,
          actor: ROTATION_ACTOR,
          request: NO_REQUEST,
          now: clock(),
          ...(opts.random ? { random: opts.random } : {}),
        }),
      );
    } catch (err) {
      // Replaced or rotated by someone else meanwhile: nothing to do for this one.
      console.warn(
        `[wharf] rotation of credential ${due.credentialId} (${due.targetName}) skipped:`,
        err instanceof Error ? err.message : err,
      );
    }
  }
  return { outcomes, notices };
}

/**
 * Starts the loop (lib/jobs' runLeasedLoop) that runs the rotation scheduler every `intervalMs` (default: the
 * configured rotation interval). Every dashboard process runs one unless WHARF_ROTATION=off; the `rotation` lease makes
 * exactly one of them rotate, and another takes over within a lease when it dies.
 */
export function startRotationScheduler(opts: { holder?: string; intervalMs?: number } = {}): LeasedLoop {
  const intervalMs = opts.intervalMs ?? env().WHARF_ROTATION_INTERVAL;
  return runLeasedLoop({
    name: "rotation scheduler",
    ...(opts.holder ? { holder: opts.holder } : {}),
    // A lease outlives a couple of missed passes, so a busy holder keeps it, and a dead one is replaced soon after.
    lease: { name: ROTATION_LEASE, leaseMs: Math.max(60_000, intervalMs * 3) },
    intervalMs,
    pass: async ({ renew }) => {
      await rotateDueCredentials({ renew, now: () => new Date() });
    },
  });
}

/** Starts this process's rotation scheduler once (from instrumentation.ts), unless WHARF_ROTATION=off. */
export function startProcessRotationScheduler(): LeasedLoop | null {
  return startOncePerProcess("rotation-scheduler", () =>
    env().WHARF_ROTATION === "off" ? null : startRotationScheduler(),
  );
}
