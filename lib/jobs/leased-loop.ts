import "server-only";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { acquireSchedulerLease, releaseSchedulerLease } from "./data/scheduler-lease";
import { wakeableSleep } from "./wakeable-sleep";

/** A holder id that differs between processes and between loops started in one process: `<host>:<pid>:<random>`. */
export function newHolderId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

export interface LeasedPassOptions {
  /** The `SchedulerLease` row that makes one process of several do this work (`rotation`, `notifications`…). */
  lease: string;
  holder: string;
  /** How long the lease lasts without a renewal: beyond a couple of missed passes, so a busy holder keeps it. */
  leaseMs: number;
  /** The clock (tests move it); defaults to the wall clock. */
  now?: () => Date;
}

/**
 * Runs `pass` once if this holder takes (or renews) the lease, handing it `renew` — to be called before each item of a
 * long pass, stopping when it answers false (the process stalled, the lease ran out and another took it over).
 */
export async function runLeasedPass<T>(
  opts: LeasedPassOptions,
  pass: (renew: () => Promise<boolean>) => Promise<T>,
): Promise<{ leased: false } | { leased: true; result: T }> {
  const clock = opts.now ?? (() => new Date());
  const renew = () =>
    acquireSchedulerLease({ name: opts.lease, holder: opts.holder, leaseMs: opts.leaseMs, now: clock() });
  if (!(await renew())) return { leased: false };
  return { leased: true, result: await pass(renew) };
}

export interface PassContext {
  holder: string;
  /** Renews the loop's lease (see runLeasedPass); always true for a loop without one. */
  renew: () => Promise<boolean>;
  /** Aborted by `stop({ abandon: true })`: stop touching the outside world at once. */
  signal: AbortSignal;
}

export interface LeasedLoopOptions {
  /** Names the loop in log lines (`rotation scheduler`). */
  name: string;
  /** This loop's id in leases and claims; default newHolderId(). */
  holder?: string;
  /**
   * The lease that lets one process of several run the passes: taken (or renewed) before each pass — without it the
   * pass is skipped — and given up on stop, so a successor need not wait for it to run out. Omit it for work that
   * claims its own items (the executor's deployments, the scope sweeper's credentials).
   */
  lease?: { name: string; leaseMs: number };
  /** From the start of one pass to the next, unless the pass said more work is waiting or a wake signal came. */
  intervalMs: number;
  /** Subscribes to this process's wake signals (something was queued); returns the unsubscribe function. */
  onWake?: (wake: () => void) => () => void;
  /** One pass; true runs the next one at once (a full batch, a finished run). A throw is logged; the loop goes on. */
  pass: (ctx: PassContext) => Promise<boolean | void>;
}

export interface LeasedLoop {
  holder: string;
  /** Ends the idle wait now (in-process: another process sees the work on its next pass). */
  wake(): void;
  /**
   * Stops the loop after the current pass and gives the lease up. `abandon: true` aborts the pass's signal first, for
   * work that must stop at once and leave its claim to expire (as after a crash).
   */
  stop(opts?: { abandon?: boolean }): Promise<void>;
}

/**
 * The one background loop of every kind of periodic work in a dashboard process: pass, then sleep (wakeable) until
 * the interval has passed; passes never overlap within one loop. A domain says what one pass does; this says how
 * often, under which lease, and how it stops.
 */
export function runLeasedLoop(opts: LeasedLoopOptions): LeasedLoop {
  const holder = opts.holder ?? newHolderId();
  const abandon = new AbortController();
  const idle = wakeableSleep();
  // A wake that arrives during a pass (work queued just after the pass looked for it) is not lost to the sleep that
  // follows: the loop passes again at once instead of leaving that work to the next interval.
  let wokenInPass = false;
  const wake = () => {
    wokenInPass = true;
    idle.wake();
  };
  const unsubscribe = opts.onWake?.(wake);
  let stopped = false;

  const passOnce = async (): Promise<boolean> => {
    const ctx = { holder, signal: abandon.signal };
    if (!opts.lease) return (await opts.pass({ ...ctx, renew: async () => true })) === true;
    const lease = opts.lease;
    const run = await runLeasedPass({ lease: lease.name, holder, leaseMs: lease.leaseMs }, (renew) =>
      opts.pass({ ...ctx, renew }),
    );
    return run.leased && run.result === true;
  };

  const loop = (async () => {
    while (!stopped) {
      const startedAt = Date.now();
      wokenInPass = false;
      let again = false;
      try {
        again = await passOnce();
      } catch (err) {
        console.error(`[wharf] ${opts.name} ${holder}: pass failed:`, err);
      }
      if (stopped) break;
      if (!again && !wokenInPass) await idle.sleep(Math.max(0, startedAt + opts.intervalMs - Date.now()));
    }
  })();

  return {
    holder,
    wake,
    async stop(stopOpts = {}) {
      stopped = true;
      unsubscribe?.();
      if (stopOpts.abandon) abandon.abort();
      idle.wake();
      await loop;
      if (opts.lease) await releaseSchedulerLease({ name: opts.lease.name, holder }).catch(() => undefined);
    },
  };
}

const STARTED_KEYS = Symbol.for("wharf.process-loops");

type Stoppable = { stop(): Promise<void> };
type ProcessGlobals = typeof globalThis & Record<symbol, Stoppable | Set<string> | undefined>;

/**
 * Starts one instance per process of the thing `start` returns (null: switched off), from instrumentation.ts. Kept
 * on globalThis under `wharf.<key>.instance`, so a dev-mode reload of the module does not start a second loop.
 */
export function startOncePerProcess<T extends Stoppable>(key: string, start: () => T | null): T | null {
  const g = globalThis as ProcessGlobals;
  const symbol = Symbol.for(`wharf.${key}.instance`);
  const running = g[symbol] as T | undefined;
  if (running) return running;
  const started = start();
  if (started) {
    g[symbol] = started;
    const keys = (g[STARTED_KEYS] as Set<string> | undefined) ?? new Set<string>();
    g[STARTED_KEYS] = keys.add(key);
  }
  return started;
}

/** Stops every loop startOncePerProcess started (a clean shutdown; tests), so they may be started again. */
export async function stopProcessLoops(): Promise<void> {
  const g = globalThis as ProcessGlobals;
  const keys = (g[STARTED_KEYS] as Set<string> | undefined) ?? new Set<string>();
  await Promise.all(
    [...keys].map(async (key) => {
      const symbol = Symbol.for(`wharf.${key}.instance`);
      const running = g[symbol] as Stoppable | undefined;
      delete g[symbol];
      keys.delete(key);
      await running?.stop();
    }),
  );
}
