import "server-only";
import { env } from "@/lib/env";
import { runLeasedLoop, runLeasedPass, startOncePerProcess, type LeasedLoop } from "@/lib/jobs/leased-loop";
import { dispatchAuditStream } from "./data/dispatch-audit-stream";

/** Its own lease, not the notifications': a slow SIEM catching up on a long trail must not hold up webhooks. */
export const AUDIT_STREAM_LEASE = "audit-stream";

const leaseMsFor = (pollMs: number) => Math.max(30_000, pollMs * 3);

/** One pass of audit streaming under the `audit-stream` lease (tests call it with their own holders and clock). */
export async function runAuditStreamTick(opts: {
  holder: string;
  leaseMs: number;
  now?: () => Date;
  random?: () => number;
  batch?: number;
}): Promise<{ leased: boolean; sent: number; failed: number; more: boolean }> {
  const clock = opts.now ?? (() => new Date());
  const run = await runLeasedPass(
    { lease: AUDIT_STREAM_LEASE, holder: opts.holder, leaseMs: opts.leaseMs, now: clock },
    (renew) =>
      dispatchAuditStream({
        now: clock(),
        beforeEach: renew,
        ...(opts.batch ? { batch: opts.batch } : {}),
        ...(opts.random ? { random: opts.random } : {}),
      }),
  );
  return run.leased ? { leased: true, ...run.result } : { leased: false, sent: 0, failed: 0, more: false };
}

/**
 * Starts the loop that pushes the audit trail to sinks subscribed to `audit.stream`, every `pollMs` (default the
 * notifications' interval) and at once again while a backlog fills whole batches. Every dashboard process runs one;
 * the lease makes exactly one of them send, so no two processes post the same batch concurrently.
 */
export function startAuditStream(opts: { holder?: string; pollMs?: number } = {}): LeasedLoop {
  const pollMs = opts.pollMs ?? env().WHARF_NOTIFICATIONS_INTERVAL;
  return runLeasedLoop({
    name: "audit stream",
    ...(opts.holder ? { holder: opts.holder } : {}),
    lease: { name: AUDIT_STREAM_LEASE, leaseMs: leaseMsFor(pollMs) },
    intervalMs: pollMs,
    pass: async ({ renew }) => (await dispatchAuditStream({ now: new Date(), beforeEach: renew })).more,
  });
}

/** Starts this process's audit stream loop once (from instrumentation.ts). */
export function startProcessAuditStream(): LeasedLoop | null {
  return startOncePerProcess("audit-stream", () => startAuditStream());
}
