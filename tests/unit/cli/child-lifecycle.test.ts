import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// Real processes, real signals: `npm start` killed with SIGKILL must not leave its dashboard serving on the port.
const root = process.cwd();
const harness = path.join(root, "tests/support/tether-harness.ts");
const started: ChildProcess[] = [];
/** Process groups a test started (detached): what is left of them after a failed test is killed as a whole. */
const groups: number[] = [];

afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // The group is empty: nothing was left.
    }
  }
});

/** Node with tsx's loader in-process: one process, so a SIGKILL hits the harness itself, not a launcher. */
function node(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  return child;
}

/** Resolves with the first stdout line matching `pattern`. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match) {
        child.stdout?.off("data", onData);
        resolve(match);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`exited with ${code} before printing ${pattern}; stdout: ${buffer}`)),
    );
  });
}

/**
 * Alive and not a zombie (an orphan's zombie lingers where PID 1 does not reap). Judged by every thread, not the
 * leader alone: Node's leader thread turns zombie while its other threads are still exiting, and the process's
 * sockets close only when the last of them has gone.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let threads: string[];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  return threads.some((tid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      return !["Z", "X"].includes(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
    } catch {
      return false; // the thread has gone
    }
  });
}

/** Field `index` (1-based, as in proc(5)) of /proc/<pid>/stat. */
function statField(pid: number, index: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  if (index === 2) return stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[index - 3] ?? "";
}

function parentOf(pid: number): number {
  return Number(statField(pid, 4));
}

function commandOf(pid: number): string {
  return statField(pid, 2);
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 50));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Whether a socket listens on `port` (Linux, /proc/net/tcp{,6}): what "holding the port" means. Not a trial listen:
 * on a shared machine an outgoing connection may take the freed port as its local one and fail a bind for a while.
 */
function listening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].some((table) => {
    const rows = fs.existsSync(table) ? fs.readFileSync(table, "utf8").split("\n").slice(1) : [];
    return rows.some((row) => {
      const [, local, , state] = row.trim().split(/\s+/);
      return state === "0A" && local?.endsWith(`:${hexPort}`) === true;
    });
  });
}

// Starting Node with tsx's loader takes seconds on a busy machine; this bound is for that, the tests assert no timing.
describe("npm start's children die with it", { timeout: 60_000 }, () => {
  it("a tethered server stops when its parent is killed with SIGKILL, and its port is free again", async () => {
    const port = await freePort();
    const parent = node([harness, "serve", String(port)]);
    const childPid = Number((await waitForLine(parent, /child (\d+)/))[1]);
    expect(alive(childPid)).toBe(true);
    expect(listening(port)).toBe(true);

    parent.kill("SIGKILL");
    await until(() => !alive(childPid));
    expect(listening(port)).toBe(false);
  });

  it("a process whose launcher is killed with SIGKILL notices (its parent id changes)", async () => {
    // launcher → harness; the launcher dies, the harness is re-parented and must notice.
    const launcher = spawn(
      process.execPath,
      [
        "-e",
        `require("node:child_process").spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", ${JSON.stringify(harness)}, "watch"], { stdio: "inherit" }); setInterval(() => {}, 60000)`,
      ],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    started.push(launcher);
    const harnessPid = Number((await waitForLine(launcher, /harness (\d+)/))[1]);
    launcher.kill("SIGKILL");
    // The harness only exits through watchAncestors' callback: its exit is the proof.
    await until(() => !alive(harnessPid));
    expect(alive(harnessPid)).toBe(false);
  });

  it("killing npm with SIGKILL stops the process below the sh it left running, its tethered server, and frees the port", async () => {
    // npm → sh -c → harness → tether → server, like npm → sh -c → tsx → start.ts → tether → next start. SIGKILL on npm
    // kills npm alone: the sh stays, so the harness keeps its parent, and only the death of an ancestor further up
    // tells it that npm start is gone. Detached: the stand-in for npm leads its own process group, as a shell's job.
    const port = await freePort();
    const script = `${JSON.stringify(process.execPath)} --conditions=react-server --import tsx ${JSON.stringify(harness)} serve ${port}; exit $?`;
    const npm = spawn(
      process.execPath,
      [
        "-e",
        `require("node:child_process").spawn("sh", ["-c", ${JSON.stringify(script)}], { stdio: "inherit" }); setInterval(() => {}, 60000)`,
      ],
      {
        cwd: root,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    started.push(npm);
    groups.push(npm.pid ?? 0);
    // One wait for both lines: they may arrive in one chunk.
    const [, harnessPid, childPid] = (await waitForLine(npm, /harness (\d+)[\s\S]*child (\d+)/)).map(Number) as [
      number,
      number,
      number,
    ];
    const sh = parentOf(harnessPid);
    expect(commandOf(sh)).toBe("sh");
    expect(parentOf(sh)).toBe(npm.pid);
    expect(listening(port)).toBe(true);

    npm.kill("SIGKILL");
    await until(() => !alive(harnessPid) && !alive(childPid));
    expect(listening(port)).toBe(false);
  });

  it("npm start on a port in use answers one line naming the port and what to do, no stack trace", async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(port, resolve));
    try {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-start-"));
      const start = node(["lib/cli/start.ts"], {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        WHARF_DATA_DIR: dataDir,
        DATABASE_URL: `file:${path.join(dataDir, "wharf.db")}`,
        WHARF_SANDBOX: "off",
        NODE_ENV: "production",
      });
      let stderr = "";
      let stdout = "";
      start.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      start.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => start.once("exit", resolve));
      expect(code).toBe(1);
      const lines = stderr.trim().split("\n");
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^\\[wharf\\] start failed: port ${port} \\(the dashboard\\) is already in use.*PORT=${port + 1} npm start`,
        ),
      );
      expect(stdout).not.toMatch(/\n\s+at /);
      fs.rmSync(dataDir, { recursive: true, force: true });
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
