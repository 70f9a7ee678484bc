import "server-only";
import { env } from "@/lib/env";
import { runLeasedLoop, runLeasedPass, startOncePerProcess, type LeasedLoop } from "@/lib/jobs/leased-loop";
import { dispatchDueDeliveries } from "./data/dispatch-due-deliveries";
import { notifyStaleAgents } from "./data/notify-stale-agents";
import { onNotificationWake } from "./wake";

export const NOTIFICATIONS_LEASE = "notifications";

/** A lease outlives a couple of missed passes, so a busy holder keeps it, and a dead one is replaced soon after. */
const leaseMsFor = (pollMs: number) => Math.max(30_000, pollMs * 3);

/** Queues agent.stale where due; a failure here is logged and must not hold up the deliveries of the pass. */
async function lookForStaleAgents(now: Date): Promise<void> {
  await notifyStaleAgents({ now }).catch((err: unknown) =>
    console.error("[wharf] could not look for stale agents to notify about:", err),
  );
}

/** One pass of the notification dispatcher, under the `notifications` lease. */
export async function runNotificationTick(opts: {
  holder: string;
  leaseMs: number;
  /** The clock (tests move it); defaults to the wall clock. */
  now?: () => Date;
  random?: () => number;
}): Promise<{ leased: boolean; attempted: number; delivered: number }> {
  const clock = opts.now ?? (() => new Date());
  const run = await runLeasedPass({ lease: NOTIFICATIONS_LEASE, ...opts }, async (renew) => {
    await lookForStaleAgents(clock());
    // Renewed before each delivery: a slow sink (up to 10 s each) must not let the lease lapse mid-batch.
    return dispatchDueDeliveries({ now: clock(), beforeEach: renew, ...(opts.random ? { random: opts.random } : {}) });
  });
  return run.leased ? { leased: true, ...run.result } : { leased: false, attempted: 0, delivered: 0 };
}

/**
 * Starts the loop that queues agent.stale for agents that went quiet and sends due webhook deliveries every `pollMs` (default: the configured poll interval), or at once
 * when this process queues something. Every dashboard process runs one, whatever else is switched off; the
 * `notifications` lease makes exactly one of them send.
 */
export function startNotificationDispatcher(opts: { holder?: string; pollMs?: number } = {}): LeasedLoop {
  const pollMs = opts.pollMs ?? env().WHARF_NOTIFICATIONS_INTERVAL;
  return runLeasedLoop({
    name: "notification dispatcher",
    ...(opts.holder ? { holder: opts.holder } : {}),
    lease: { name: NOTIFICATIONS_LEASE, leaseMs: leaseMsFor(pollMs) },
    intervalMs: pollMs,
    onWake: onNotificationWake,
    pass: async ({ renew }) => {
      // Agent staleness is the passage of time, which no request marks: the one lease holder looks on each pass.
      await lookForStaleAgents(new Date());
      await dispatchDueDeliveries({ now: new Date(), beforeEach: renew });
    },
  });
}

/** Starts this process's notification dispatcher once (from instrumentation.ts). */
export function startProcessNotificationDispatcher(): LeasedLoop | null {
  return startOncePerProcess("notification-dispatcher", () => startNotificationDispatcher());
}
