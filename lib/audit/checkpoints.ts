import "server-only";
import { env } from "@/lib/env";
import { runLeasedLoop, startOncePerProcess, type LeasedLoop } from "@/lib/jobs/leased-loop";
import { writeAuditCheckpoint } from "./data/write-audit-checkpoint";

export const AUDIT_CHECKPOINT_LEASE = "audit-checkpoints";

/**
 * Starts the loop that signs the audit chain's head into the data directory's checkpoint file every `intervalMs`
 * (WHARF_AUDIT_CHECKPOINT_INTERVAL), when the head moved since the last one, so `audit verify` can tell a removed tail
 * or a rewritten chain from a short one. One process of several writes (the lease).
 */
export function startAuditCheckpoints(opts: { holder?: string; intervalMs: number }): LeasedLoop {
  return runLeasedLoop({
    name: "audit checkpoints",
    ...(opts.holder ? { holder: opts.holder } : {}),
    lease: { name: AUDIT_CHECKPOINT_LEASE, leaseMs: Math.max(60_000, opts.intervalMs * 3) },
    intervalMs: opts.intervalMs,
    pass: async () => {
      await writeAuditCheckpoint();
    },
  });
}

/** Starts this process's checkpoint loop once (from instrumentation.ts), unless WHARF_AUDIT_CHECKPOINT_INTERVAL is off. */
export function startProcessAuditCheckpoints(): LeasedLoop | null {
  const intervalMs = env().WHARF_AUDIT_CHECKPOINT_INTERVAL;
  if (intervalMs === null) return null;
  return startOncePerProcess("audit-checkpoints", () => startAuditCheckpoints({ intervalMs }));
}
