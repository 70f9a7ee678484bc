import { EventEmitter } from "node:events";

// In-process signal: something was queued, so the dispatcher loop of this process need not wait for its next poll.
const emitter = new EventEmitter();
emitter.setMaxListeners(100);

/** Wakes this process's notification dispatcher (other processes pick the delivery up on their next poll). */
export function wakeNotificationDispatcher(): void {
  emitter.emit("wake");
}

/** Subscribes to wake signals; returns the unsubscribe function. */
export function onNotificationWake(fn: () => void): () => void {
  emitter.on("wake", fn);
  return () => emitter.off("wake", fn);
}
