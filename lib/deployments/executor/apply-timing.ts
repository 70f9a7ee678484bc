import { channel } from "node:diagnostics_channel";

/**
 * The moments of a push run's apply in performance.now() milliseconds: "applying" where the run logs "Applying …" (its
 * first checkpoint passed), "applied" at each applied object's result line, and "ended" when the apply returned or
 * threw, whatever its results. The log lines carry whole-millisecond stamps, a fifth of a one-object apply on an idle
 * server, too coarse to compare with a raw request; `npm run bench -- push-e2e` subscribes here instead. Nothing is
 * built or sent while nobody listens.
 */
export const APPLY_TIMING_CHANNEL = "wharf:deployment:apply";

export interface ApplyTimingMessage {
  deploymentId: string;
  event: "applying" | "applied" | "ended";
  at: number;
}

const timing = channel(APPLY_TIMING_CHANNEL);

export function publishApplyTiming(deploymentId: string, event: ApplyTimingMessage["event"]): void {
  if (timing.hasSubscribers)
    timing.publish({ deploymentId, event, at: performance.now() } satisfies ApplyTimingMessage);
}
