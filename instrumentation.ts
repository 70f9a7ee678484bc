// Next.js calls `register()` once when a server process starts (https://nextjs.org/docs/app/guides/instrumentation).
// Wharf uses it to start the background loops of each dashboard process (lib/jobs' runLeasedLoop): the push-deployment
// executor, the rotation scheduler, the notification dispatcher, the audit flood summaries, the scope sweeper and the
// push live-state reads.

/** Starts the background loops in the Node.js server runtime only — never in the edge runtime or during `next build`. */
export async function register(): Promise<void> {
  // NEXT_RUNTIME and NEXT_PHASE are Next's own signals about where this code runs, not Wharf configuration.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  // First: route handlers learn each request's TCP peer only from this stamp (lib/api/client-address.ts).
  const { installPeerStamp } = await import("@/lib/api/client-address");
  installPeerStamp();
  // Imported dynamically so the edge bundle never pulls in Prisma, lib/kube or node: modules.
  const { startProcessExecutor } = await import("@/lib/deployments/executor");
  startProcessExecutor();
  // Rotates service account tokens (unless WHARF_ROTATION=off); a lease lets one process of several work.
  const { startProcessRotationScheduler } = await import("@/lib/rotation/scheduler");
  startProcessRotationScheduler();
  // Delivers notification webhooks and writes the audit flood summaries, whatever else is off; a lease each.
  const { startProcessNotificationDispatcher } = await import("@/lib/notifications/dispatcher");
  startProcessNotificationDispatcher();
  const { startProcessAuditFloodSummaries } = await import("@/lib/audit/flood-summaries");
  startProcessAuditFloodSummaries();
  const { startProcessAuditCheckpoints } = await import("@/lib/audit/checkpoints");
  startProcessAuditCheckpoints();
  // Pushes the audit trail (and its checkpoints) to sinks subscribed to audit.stream; a lease of its own.
  const { startProcessAuditStream } = await import("@/lib/notifications/audit-stream");
  startProcessAuditStream();
  // Checks each stored cluster credential for cluster-admin equivalence (SelfSubjectRulesReview), again every
  // WHARF_SCOPE_CHECK_INTERVAL; a claim per credential keeps processes from checking the same one.
  const { startProcessScopeSweeper } = await import("@/lib/credentials/scope-sweeper");
  startProcessScopeSweeper();
  // Reads push applications' live state on their target's interval (statusReadIntervalSeconds; off for production by
  // default); a claim per application keeps processes (and viewers) from reading the same one twice per interval.
  const { startProcessPushStatusReads } = await import("@/lib/applications/push-status-reads");
  startProcessPushStatusReads();
}
