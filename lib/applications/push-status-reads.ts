import "server-only";
import { NO_REQUEST, type Actor } from "@/lib/audit/schemas";
import { db } from "@/lib/db";
import { runLeasedLoop, startOncePerProcess, type LeasedLoop } from "@/lib/jobs/leased-loop";
import { LIVE_APPLICATION } from "@/lib/targets/live";
import { STATUS_READ_INTERVAL_MIN_SECONDS } from "@/lib/targets/schemas";
import { readPushLiveState, type PushReadOutcome } from "./data/read-push-live-state";

/** Who reads a push application's live state when nobody is looking (the target's interval). */
export const STATUS_READ_ACTOR: Actor = { kind: "system", id: null, name: "wharf:status-read" };

/** How often the loop looks for applications due a read (one indexed query). */
export const STATUS_READ_POLL_MS = 15_000;
/** Most applications one pass reads; the rest wait for the next pass. */
export const STATUS_READ_BATCH = 20;

/**
 * One pass of the background live-state reads: the push applications (with a succeeded deployment) of targets whose
 * `statusReadIntervalSeconds` is set, least recently read first, each read unless it was read (by a viewer or this
 * loop, in any process) within its target's interval — readPushLiveState's claim decides, so this needs no lease.
 * Targets with the interval off (null: new production targets, pull) are never read here.
 */
export async function runPushStatusTick(opts: { now?: Date; limit?: number } = {}): Promise<PushReadOutcome[]> {
  const now = opts.now ?? new Date();
  const due = await db().application.findMany({
    where: {
      ...LIVE_APPLICATION,
      mode: "push",
      target: { mode: "push", statusReadIntervalSeconds: { not: null } },
      deployments: { some: { state: "succeeded" } },
      OR: [
        { liveState: null },
        { liveState: { readAttemptAt: null } },
        { liveState: { readAttemptAt: { lte: new Date(now.getTime() - STATUS_READ_INTERVAL_MIN_SECONDS * 1000) } } },
      ],
    },
    select: { id: true, target: { select: { statusReadIntervalSeconds: true } } },
    orderBy: { id: "asc" },
    take: 500,
  });
  const outcomes: PushReadOutcome[] = [];
  for (const app of due) {
    if (outcomes.length >= (opts.limit ?? STATUS_READ_BATCH)) break;
    const seconds = app.target.statusReadIntervalSeconds;
    if (seconds === null) continue;
    const outcome = await readPushLiveState({
      applicationId: app.id,
      actor: STATUS_READ_ACTOR,
      request: NO_REQUEST,
      minIntervalMs: seconds * 1000,
      now,
    });
    if (outcome.read || outcome.reason === "failed") outcomes.push(outcome);
  }
  return outcomes;
}

/** Starts the loop of background live-state reads (every STATUS_READ_POLL_MS, at once again after a full batch). */
export function startPushStatusReads(opts: { holder?: string; pollMs?: number } = {}): LeasedLoop {
  return runLeasedLoop({
    name: "push status reads",
    ...(opts.holder ? { holder: opts.holder } : {}),
    intervalMs: opts.pollMs ?? STATUS_READ_POLL_MS,
    pass: async () => (await runPushStatusTick()).length >= STATUS_READ_BATCH,
  });
}

/** Starts this process's background live-state reads once (from instrumentation.ts). */
export function startProcessPushStatusReads(): LeasedLoop | null {
  return startOncePerProcess("push-status-reads", () => startPushStatusReads());
}
