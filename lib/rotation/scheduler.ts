import "server-only";
import { FLOOD_WINDOW_MS, flushAuditFloodSummaries } from "@/lib/audit/data/record-capped-audit-event";
import { NO_REQUEST } from "@/lib/audit/schemas";
import { env } from "@/lib/env";
import { dispatchDueDeliveries } from "@/lib/notifications/data/dispatch-due-deliveries";
import { onNotificationWake } from "@/lib/notifications/wake";
import { newHolderId, runLeasedLoop, runLeasedPass, startOncePerProcess } from "@/lib/jobs/leased-loop";
import { enqueueRotationNotices, findDueRotations } from "./data/find-due-rotations";
import { ROTATION_ACTOR, rotateCredential, type RotationOutcome } from "./data/rotate-credential";

export const ROTATION_LEASE = "rotation";
export const NOTIFICATIONS_LEASE = "notifications";
export const AUDIT_FLOOD_LEASE = "audit-flood-summaries";

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

/** One pass of the notification dispatcher, under the `notifications` lease. */
export async function runNotificationTick(
  opts: TickOptions,
): Promise<{ leased: boolean; attempted: number; delivered: number }> {
  const clock = opts.now ?? (() => new Date());
  const run = await runLeasedPass({ lease: NOTIFICATIONS_LEASE, ...opts }, (renew) =>
    // Renewed before each delivery: a slow sink (up to 10 s each) must not let the lease lapse mid-batch.
    dispatchDueDeliveries({ now: clock(), beforeEach: renew, ...(opts.random ? { random: opts.random } : {}) }),
  );
  return run.leased ? { leased: true, ...run.result } : { leased: false, attempted: 0, delivered: 0 };
}

/**
 * One pass of the audit flood summaries, under the `audit-flood-summaries` lease: the counts of minutes that are over
 * become their summary rows (`flushAuditFloodSummaries`, itself safe to race; the lease keeps the other processes
 * from even trying).
 */
export async function runAuditFloodTick(opts: TickOptions): Promise<{ leased: boolean; summaries: number }> {
  const clock = opts.now ?? (() => new Date());
  const run = await runLeasedPass({ lease: AUDIT_FLOOD_LEASE, ...opts }, () =>
    flushAuditFloodSummaries({ now: clock() }),
  );
  return run.leased ? { leased: true, summaries: run.result } : { leased: false, summaries: 0 };
}

export interface BackgroundScheduler {
  holder: string;
  /** Stops the loop after the current pass and gives its leases up. */
  stop(): Promise<void>;
}

/**
 * Starts the loops (lib/jobs' runLeasedLoop) that run the rotation scheduler every `rotationIntervalMs`, the
 * notification dispatcher every `notificationsPollMs` (or at once when this process queues something) and the audit
 * flood summaries every `floodSummaryIntervalMs` (a minute: counts are per minute). Every dashboard process runs them;
 * the leases make exactly one of them do each kind of work, and another takes over within a lease when it dies.
 */
export function startBackgroundScheduler(
  opts: {
    holder?: string;
    rotationIntervalMs?: number;
    notificationsPollMs?: number;
    floodSummaryIntervalMs?: number;
  } = {},
): BackgroundScheduler {
  const e = env();
  const holder = opts.holder ?? newHolderId();
  const rotationIntervalMs = opts.rotationIntervalMs ?? e.WHARF_ROTATION_INTERVAL;
  const pollMs = opts.notificationsPollMs ?? e.WHARF_NOTIFICATIONS_INTERVAL;
  const floodIntervalMs = opts.floodSummaryIntervalMs ?? FLOOD_WINDOW_MS;
  // A lease outlives a couple of missed passes, so a busy holder keeps it, and a dead one is replaced soon after.
  const loops = [
    runLeasedLoop({
      name: "rotation scheduler",
      holder,
      lease: { name: ROTATION_LEASE, leaseMs: Math.max(60_000, rotationIntervalMs * 3) },
      intervalMs: rotationIntervalMs,
      pass: ({ renew }) => rotateDueCredentials({ renew, now: () => new Date() }).then(() => false),
    }),
    runLeasedLoop({
      name: "audit flood summaries",
      holder,
      lease: { name: AUDIT_FLOOD_LEASE, leaseMs: Math.max(60_000, floodIntervalMs * 3) },
      intervalMs: floodIntervalMs,
      pass: () => flushAuditFloodSummaries({ now: new Date() }).then(() => false),
    }),
    runLeasedLoop({
      name: "notification dispatcher",
      holder,
      lease: { name: NOTIFICATIONS_LEASE, leaseMs: Math.max(30_000, pollMs * 3) },
      intervalMs: pollMs,
      onWake: onNotificationWake,
      // Renewed before each delivery: a slow sink (up to 10 s each) must not let the lease lapse mid-batch.
      pass: ({ renew }) => dispatchDueDeliveries({ now: new Date(), beforeEach: renew }).then(() => false),
    }),
  ];
  return {
    holder,
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}

/**
 * Starts this process's rotation, notification and audit flood summary loops once (from instrumentation.ts), unless
 * WHARF_ROTATION=off.
 */
export function startProcessScheduler(): BackgroundScheduler | null {
  return startOncePerProcess("rotation-scheduler", () =>
    env().WHARF_ROTATION === "off" ? null : startBackgroundScheduler(),
  );
}
