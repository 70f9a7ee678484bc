// How `npm start`'s child processes live and die with it. A process killed with SIGKILL runs no handler, so a child
// that waits to be told to stop outlives it: `next start` kept serving, orphaned, holding the port, and the next
// `npm start` failed with EADDRINUSE. Instead each child runs under a small tether process (./tether-main.ts) whose
// stdin is a pipe from this process: the kernel closes it when this process dies, however it dies, and the tether
// then stops the child and exits. Signals still work as before (the tether forwards SIGTERM and SIGINT). The other
// way round, this process stops (and so its tethered children) when a process above it dies (watchAncestors).
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";

const TETHER = fileURLToPath(new URL("./tether-main.ts", import.meta.url));

/**
 * Spawns `command args` tethered to this process: it is stopped (SIGTERM, SIGKILL after a grace period) as soon as
 * this process is gone. The returned ChildProcess is the tether; its exit code is the command's, and killing it with
 * a signal forwards that signal. stdout is inherited or piped as asked; stderr is inherited.
 */
export function spawnTethered(
  command: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; stdout?: "inherit" | "pipe" },
): ChildProcess {
  // The tether is TypeScript: run it with this process's own Node flags (tsx's loader under `npm start`).
  const stdio: StdioOptions = ["pipe", opts.stdout ?? "inherit", "inherit"];
  return spawn(process.execPath, [...process.execArgv, TETHER, command, ...args], { stdio, env: opts.env });
}

/** One ancestor as first seen: its pid and its start time (clock ticks after boot), so a reused pid is not it. */
interface Ancestor {
  pid: number;
  startTime: string;
}

/** The fields of /proc/<pid>/stat this module reads; null when the process is gone (or there is no /proc). */
function procStat(pid: number | "self"): { state: string; ppid: number; pgrp: number; startTime: string } | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces and ')': the fields after the last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [state, ppid, pgrp] = fields;
  const startTime = fields[19];
  if (state === undefined || ppid === undefined || pgrp === undefined || startTime === undefined) return null;
  return { state, ppid: Number(ppid), pgrp: Number(pgrp), startTime };
}

/**
 * The ancestors to watch, parent first: up the chain while they are in this process's process group — the job the
 * shell started (`npm` → `sh -c` → tsx → this file all share it) — and never pid 1. The shell itself and what started
 * it are not part of `npm start`: `nohup npm start &` must outlive the terminal that typed it. Empty without /proc.
 */
function ancestorsInJob(): Ancestor[] {
  const self = procStat("self");
  if (!self) return [];
  const chain: Ancestor[] = [];
  for (let pid = self.ppid; pid > 1 && chain.length < 64;) {
    const stat = procStat(pid);
    if (!stat || stat.pgrp !== self.pgrp) break;
    chain.push({ pid, startTime: stat.startTime });
    pid = stat.ppid;
  }
  return chain;
}

/** Gone, a zombie (dead, not yet reaped) or another process that got the pid since. */
function isGone(a: Ancestor): boolean {
  const stat = procStat(a.pid);
  return !stat || stat.state === "Z" || stat.state === "X" || stat.startTime !== a.startTime;
}

/**
 * Calls `onGone` once when any process of `npm start` above this one dies: `npm`, the `sh -c` it runs the script
 * with, the tsx launcher. SIGKILL on `npm` kills only `npm`: the processes between it and this one keep running and
 * this one's parent does not change, so watching `process.ppid` alone missed it and the dashboard kept the port.
 * Linux: the ancestors in this process's job (see ancestorsInJob), each recorded with its start time from /proc so a
 * reused pid does not count as alive. Elsewhere (no /proc) and as well: the parent id changing (re-parented).
 */
export function watchAncestors(onGone: () => void, intervalMs = 1000): () => void {
  const originalParent = process.ppid;
  const ancestors = ancestorsInJob();
  const timer = setInterval(() => {
    if (process.ppid !== originalParent || ancestors.some(isGone)) {
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
