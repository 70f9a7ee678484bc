// Next.js calls `register()` once when a server process starts (https://nextjs.org/docs/app/guides/instrumentation).
// Wharf uses it to start the push-deployment executor, the rotation/notification scheduler and the scope sweeper in
// each dashboard process.

/** Starts the deployment executor, the rotation scheduler and the scope sweeper in the Node.js server runtime only — never in the edge runtime or during `next build`. */
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
  // Rotates service account tokens and delivers notification webhooks; a lease lets one process of several work.
  const { startProcessScheduler } = await import("@/lib/rotation/scheduler");
  startProcessScheduler();
  // Checks each stored cluster credential for cluster-admin equivalence (SelfSubjectRulesReview), again every
  // WHARF_SCOPE_CHECK_INTERVAL; a claim per credential keeps processes from checking the same one.
  const { startProcessScopeSweeper } = await import("@/lib/compare/scope-sweeper");
  startProcessScopeSweeper();
}
