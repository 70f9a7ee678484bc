import "server-only";
import { runLeasedLoop, runLeasedPass, startOncePerProcess, type LeasedLoop } from "@/lib/jobs/leased-loop";
import { FLOOD_WINDOW_MS, flushAuditFloodSummaries } from "./data/record-capped-audit-event";

export const AUDIT_FLOOD_LEASE = "audit-flood-summaries";

/** A lease outlives a couple of missed passes, so a busy holder keeps it, and a dead one is replaced soon after. */
const leaseMsFor = (intervalMs: number) => Math.max(60_000, intervalMs * 3);

/**
 * One pass of the audit flood summaries, under the `audit-flood-summaries` lease: the counts of minutes that are over
 * become their summary rows (`flushAuditFloodSummaries`, itself safe to race; the lease keeps the other processes
 * from even trying).
 */
export async function runAuditFloodTick(opts: {
  holder: string;
  leaseMs: number;
  /** The clock (tests move it); defaults to the wall clock. */
  now?: () => Date;
}): Promise<{ leased: boolean; summaries: number }> {
  const clock = opts.now ?? (() => new Date());
  const run = await runLeasedPass({ lease: AUDIT_FLOOD_LEASE, ...opts }, () =>
    flushAuditFloodSummaries({ now: clock() }),
  );
  return run.leased ? { leased: true, summaries: run.result } : { leased: false, summaries: 0 };
}

/**
 * Starts the loop that writes the summaries of audit floods every `intervalMs` (a minute: counts are per minute), so
 * a flood's last minute reaches the audit trail soon after it ends even when no capped event follows. Every
 * dashboard process runs one, whatever else is switched off; the lease makes exactly one of them write.
 */
export function startAuditFloodSummaries(opts: { holder?: string; intervalMs?: number } = {}): LeasedLoop {
  const intervalMs = opts.intervalMs ?? FLOOD_WINDOW_MS;
  return runLeasedLoop({
    name: "audit flood summaries",
    ...(opts.holder ? { holder: opts.holder } : {}),
    lease: { name: AUDIT_FLOOD_LEASE, leaseMs: leaseMsFor(intervalMs) },
    intervalMs,
    pass: async () => {
      await flushAuditFloodSummaries({ now: new Date() });
    },
  });
}

/** Starts this process's audit flood summary loop once (from instrumentation.ts). */
export function startProcessAuditFloodSummaries(): LeasedLoop | null {
  return startOncePerProcess("audit-flood-summaries", () => startAuditFloodSummaries());
}
