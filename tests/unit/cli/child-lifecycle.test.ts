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

afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

/** Node with tsx's loader in-process: one process, so a SIGKILL hits the harness itself, not a launcher. */
function node(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
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
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing ${pattern}; stdout: ${buffer}`)));
  });
}

/** Alive and not a zombie (an orphan's zombie lingers where PID 1 does not reap). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
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

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true)));
  });
}

// Starting Node with tsx's loader takes seconds on a busy machine; this bound is for that, the tests assert no timing.
describe("npm start's children die with it", { timeout: 60_000 }, () => {
  it("a tethered server stops when its parent is killed with SIGKILL, and its port is free again", async () => {
    const port = await freePort();
    const parent = node([harness, "serve", String(port)]);
    const childPid = Number((await waitForLine(parent, /child (\d+)/))[1]);
    expect(alive(childPid)).toBe(true);
    expect(await canListen(port)).toBe(false);

    parent.kill("SIGKILL");
    await until(() => !alive(childPid));
    expect(await canListen(port)).toBe(true);
  });

  it("a process whose launcher is killed with SIGKILL notices (its parent id changes)", async () => {
    // launcher → harness; the launcher dies, the harness is re-parented and must notice.
    const launcher = spawn(process.execPath, ["-e", `require("node:child_process").spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", ${JSON.stringify(harness)}, "watch"], { stdio: "inherit" }); setInterval(() => {}, 60000)`], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.push(launcher);
    const harnessPid = Number((await waitForLine(launcher, /harness (\d+)/))[1]);
    launcher.kill("SIGKILL");
    // The harness only exits through watchParent's callback: its exit is the proof.
    await until(() => !alive(harnessPid));
    expect(alive(harnessPid)).toBe(false);
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
      expect(lines[0]).toMatch(new RegExp(`^\\[wharf\\] start failed: port ${port} \\(the dashboard\\) is already in use.*PORT=${port + 1} npm start`));
      expect(stdout).not.toMatch(/\n\s+at /);
      fs.rmSync(dataDir, { recursive: true, force: true });
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
