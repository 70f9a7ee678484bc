// Next.js calls `register()` once when a server process starts (https://nextjs.org/docs/app/guides/instrumentation).
// Wharf uses it to start the push-deployment executor and the rotation/notification scheduler in each dashboard process.

/** Starts the deployment executor and the rotation scheduler in the Node.js server runtime only — never in the edge runtime or during `next build`. */
export async function register(): Promise<void> {
  // NEXT_RUNTIME and NEXT_PHASE are Next's own signals about where this code runs, not Wharf configuration.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  // Imported dynamically so the edge bundle never pulls in Prisma, lib/kube or node: modules.
  const { startProcessExecutor } = await import("@/lib/deployments/executor");
  startProcessExecutor();
  // Rotates service account tokens and delivers notification webhooks; a lease lets one process of several work.
  const { startProcessScheduler } = await import("@/lib/rotation/scheduler");
  startProcessScheduler();
}
