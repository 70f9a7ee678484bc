import { EventEmitter } from "node:events";

/**
 * In-process signal that new work may be claimable (a deployment was approved or queued). The executor loop
 * listens and polls immediately instead of waiting for its next tick; other processes still find the work on
 * their own poll, so a missed wake only costs latency, never a deployment.
 *
 * Kept on globalThis so Next's dev-mode module duplication (route bundles vs. instrumentation) shares one emitter.
 */
const KEY = Symbol.for("wharf.executor.wake");

type GlobalWithWake = typeof globalThis & { [KEY]?: EventEmitter };

function emitter(): EventEmitter {
  const g = globalThis as GlobalWithWake;
  if (!g[KEY]) {
    const e = new EventEmitter();
    e.setMaxListeners(50);
    g[KEY] = e;
  }
  return g[KEY];
}

/** Tell every executor loop in this process to look for claimable deployments now. Safe to call anywhere, any time. */
export function wakeExecutor(): void {
  emitter().emit("wake");
}

/** Subscribe to wake signals; returns the unsubscribe function. Used by the executor loop. */
export function onExecutorWake(listener: () => void): () => void {
  const e = emitter();
  e.on("wake", listener);
  return () => {
    e.off("wake", listener);
  };
}
