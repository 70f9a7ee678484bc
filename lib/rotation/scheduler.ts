import "server-only";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { FLOOD_WINDOW_MS, flushAuditFloodSummaries } from "@/lib/audit/data/record-capped-audit-event";
import { NO_REQUEST } from "@/lib/audit/schemas";
import { env } from "@/lib/env";
import { dispatchDueDeliveries } from "@/lib/notifications/data/dispatch-due-deliveries";
import { onNotificationWake } from "@/lib/notifications/wake";
import { wakeableSleep } from "@/lib/utils";
import { enqueueRotationNotices, findDueRotations } from "./data/find-due-rotations";
import { acquireSchedulerLease, releaseSchedulerLease } from "./data/scheduler-lease";
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

/** A scheduler id that differs between processes and between schedulers started in one process. */
export function newSchedulerId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/**
 * One pass of the rotation scheduler: take (or renew) the `rotation` lease — without it, do nothing — then queue
 * due/overdue notifications and rotate every credential that is due, one at a time, renewing the lease before each
 * so a process that stalled and lost it stops. A rotation's failure is recorded on its credential and does not stop
 * the others.
 */
export async function runRotationTick(opts: TickOptions): Promise<RotationTickResult> {
  const clock = opts.now ?? (() => new Date());
  const lease = () =>
    acquireSchedulerLease({ name: ROTATION_LEASE, holder: opts.holder, leaseMs: opts.leaseMs, now: clock() });
  if (!(await lease())) return { leased: false, outcomes: [], notices: 0 };
  let notices = 0;
  try {
    notices = await enqueueRotationNotices({ now: clock() });
  } catch (err) {
    console.error("[wharf] rotation: could not queue due/overdue notifications:", err);
  }
  const outcomes: RotationOutcome[] = [];
  for (const due of await findDueRotations({ now: clock() })) {
    if (!(await lease())) break;
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
  return { leased: true, outcomes, notices };
}

/** One pass of the notification dispatcher, under the `notifications` lease. */
export async function runNotificationTick(
  opts: TickOptions,
): Promise<{ leased: boolean; attempted: number; delivered: number }> {
  const clock = opts.now ?? (() => new Date());
  const lease = () =>
    acquireSchedulerLease({ name: NOTIFICATIONS_LEASE, holder: opts.holder, leaseMs: opts.leaseMs, now: clock() });
  if (!(await lease())) return { leased: false, attempted: 0, delivered: 0 };
  // Renewed before each delivery: a slow sink (up to 10 s each) must not let the lease lapse mid-batch.
  const result = await dispatchDueDeliveries({
    now: clock(),
    beforeEach: lease,
    ...(opts.random ? { random: opts.random } : {}),
  });
  return { leased: true, ...result };
}

/**
 * One pass of the audit flood summaries, under the `audit-flood-summaries` lease: the counts of minutes that are over
 * become their summary rows (`flushAuditFloodSummaries`, itself safe to race; the lease keeps the other processes
 * from even trying).
 */
export async function runAuditFloodTick(opts: TickOptions): Promise<{ leased: boolean; summaries: number }> {
  const clock = opts.now ?? (() => new Date());
  if (
    !(await acquireSchedulerLease({
      name: AUDIT_FLOOD_LEASE,
      holder: opts.holder,
      leaseMs: opts.leaseMs,
      now: clock(),
    }))
  )
    return { leased: false, summaries: 0 };
  return { leased: true, summaries: await flushAuditFloodSummaries({ now: clock() }) };
}

export interface BackgroundScheduler {
  holder: string;
  /** Stops the loop after the current pass and gives its leases up. */
  stop(): Promise<void>;
}

/**
 * Starts the loop that runs the rotation scheduler every `rotationIntervalMs`, the notification dispatcher every
 * `notificationsPollMs` (or at once when this process queues something) and the audit flood summaries every
 * `floodSummaryIntervalMs` (a minute: counts are per minute). Every dashboard process runs one; the leases make
 * exactly one of them do each kind of work, and another takes over within a lease when it dies.
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
  const holder = opts.holder ?? newSchedulerId();
  const rotationIntervalMs = opts.rotationIntervalMs ?? e.WHARF_ROTATION_INTERVAL_SECONDS * 1000;
  const pollMs = opts.notificationsPollMs ?? e.WHARF_NOTIFICATIONS_POLL_SECONDS * 1000;
  // A lease outlives a couple of missed passes, so a busy holder keeps it, and a dead one is replaced soon after.
  const rotationLeaseMs = Math.max(60_000, rotationIntervalMs * 3);
  const notificationsLeaseMs = Math.max(30_000, pollMs * 3);
  const floodIntervalMs = opts.floodSummaryIntervalMs ?? FLOOD_WINDOW_MS;
  const floodLeaseMs = Math.max(60_000, floodIntervalMs * 3);
  let stopped = false;
  const idle = wakeableSleep();
  const unsubscribe = onNotificationWake(idle.wake);
  let nextRotationAt = 0;
  let nextFloodAt = 0;

  const loop = (async () => {
    while (!stopped) {
      if (Date.now() >= nextRotationAt) {
        nextRotationAt = Date.now() + rotationIntervalMs;
        try {
          await runRotationTick({ holder, leaseMs: rotationLeaseMs });
        } catch (err) {
          console.error(`[wharf] rotation scheduler ${holder}: pass failed:`, err);
        }
      }
      if (stopped) break;
      if (Date.now() >= nextFloodAt) {
        nextFloodAt = Date.now() + floodIntervalMs;
        try {
          await runAuditFloodTick({ holder, leaseMs: floodLeaseMs });
        } catch (err) {
          console.error(`[wharf] audit flood summaries ${holder}: pass failed:`, err);
        }
      }
      if (stopped) break;
      try {
        await runNotificationTick({ holder, leaseMs: notificationsLeaseMs });
      } catch (err) {
        console.error(`[wharf] notification dispatcher ${holder}: pass failed:`, err);
      }
      if (stopped) break;
      await idle.sleep(Math.min(pollMs, Math.max(0, Math.min(nextRotationAt, nextFloodAt) - Date.now())));
    }
  })();

  return {
    holder,
    async stop() {
      stopped = true;
      unsubscribe();
      idle.wake();
      await loop;
      await Promise.all([
        releaseSchedulerLease({ name: ROTATION_LEASE, holder }).catch(() => undefined),
        releaseSchedulerLease({ name: NOTIFICATIONS_LEASE, holder }).catch(() => undefined),
        releaseSchedulerLease({ name: AUDIT_FLOOD_LEASE, holder }).catch(() => undefined),
      ]);
    },
  };
}

const GLOBAL_KEY = Symbol.for("wharf.rotation-scheduler.instance");

/**
 * Starts this process's rotation, notification and audit flood summary loop once (from instrumentation.ts), unless
 * WHARF_ROTATION=off.
 * Kept on globalThis so a dev-mode reload does not start a second loop.
 */
export function startProcessScheduler(): BackgroundScheduler | null {
  const g = globalThis as typeof globalThis & { [GLOBAL_KEY]?: BackgroundScheduler };
  if (g[GLOBAL_KEY]) return g[GLOBAL_KEY];
  if (env().WHARF_ROTATION === "off") return null;
  const scheduler = startBackgroundScheduler();
  g[GLOBAL_KEY] = scheduler;
  return scheduler;
}
