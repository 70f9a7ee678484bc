// How `npm start`'s child processes live and die with it. A process killed with SIGKILL runs no handler, so a child
// that waits to be told to stop outlives it: `next start` kept serving, orphaned, holding the port, and the next
// `npm start` failed with EADDRINUSE. Instead each child runs under a small tether process (./tether-main.ts) whose
// stdin is a pipe from this process: the kernel closes it when this process dies, however it dies, and the tether
// then stops the child and exits. Signals still work as before (the tether forwards SIGTERM and SIGINT).
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";

const TETHER = fileURLToPath(new URL("./tether-main.ts", import.meta.url));

/**
 * Spawns `command args` tethered to this process: it is stopped (SIGTERM, SIGKILL after a grace period) as soon as
 * this process is gone. The returned ChildProcess is the tether; its exit code is the command's, and killing it with
 * a signal forwards that signal. stdout is inherited or piped as asked; stderr is inherited.
 */
export function spawnTethered(command: string, args: string[], opts: { env: NodeJS.ProcessEnv; stdout?: "inherit" | "pipe" }): ChildProcess {
  // The tether is TypeScript: run it with this process's own Node flags (tsx's loader under `npm start`).
  const stdio: StdioOptions = ["pipe", opts.stdout ?? "inherit", "inherit"];
  return spawn(process.execPath, [...process.execArgv, TETHER, command, ...args], { stdio, env: opts.env });
}

/**
 * Calls `onGone` once when this process's parent exits (it is re-parented: `process.ppid` changes). `npm start` runs
 * this file under tsx, a separate process; killing that one with SIGKILL must stop Wharf just the same.
 */
export function watchParent(onGone: () => void, intervalMs = 1000): () => void {
  const original = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== original) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Resolves when `port` can be listened on (as `next start` does: every interface); otherwise rejects with a one-line
 * message naming the port and what to do, instead of Next's EADDRINUSE stack trace after a long start-up.
 */
export function ensurePortFree(port: number, what = "the dashboard"): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === "EADDRINUSE"
            ? `port ${port} (${what}) is already in use, perhaps by another Wharf still running: stop the process listening on it, or pick another port (PORT=${port + 1} npm start)`
            : `cannot listen on port ${port} (${what}): ${err.message}`,
        ),
      );
    });
    probe.listen(port, () => probe.close(() => resolve()));
  });
}
