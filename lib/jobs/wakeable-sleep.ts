// Plain Node on purpose (no imports), like backoff.ts.

/**
 * A sleep that `wake()` ends early, for background loops that idle between passes and are woken by a change (a new
 * deployment, a notification, a stop request). `wake()` while not sleeping does nothing.
 */
export function wakeableSleep(): { sleep: (ms: number) => Promise<void>; wake: () => void } {
  let wake: (() => void) | undefined;
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      }),
    wake: () => wake?.(),
  };
}
