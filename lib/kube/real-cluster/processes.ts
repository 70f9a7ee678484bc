/**
 * The control plane's child processes, and the guarantee that they die with the process that started them — also when
 * it is killed with SIGKILL or crashes, where no exit handler runs. Each component runs in its own process group
 * (so a component's own children go with it); a watchdog process holds the read end of a pipe from us, and when that
 * pipe closes — on stop(), or because we died — it kills every registered group and removes the data dir.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import path from "node:path";

// Runs as `node -e`; kept inline so there is no file to locate at run time. Protocol, one line each on stdin:
// "dir <path>" (remove on cleanup), "pid <n>" (a process group to kill), "stop" (clean up now). EOF = clean up.
const WATCHDOG = `
const { rmSync } = require("node:fs");
const groups = new Set();
let dir = "";
let buffer = "";
let done = false;
const alive = (pid) => { try { process.kill(-pid, 0); return true; } catch { return false; } };
function cleanup() {
  if (done) return;
  done = true;
  for (const pid of groups) { try { process.kill(-pid, "SIGTERM"); } catch {} }
  const deadline = Date.now() + 2000;
  const finish = () => {
    const left = [...groups].filter(alive);
    if (left.length > 0 && Date.now() < deadline) return setTimeout(finish, 100);
    for (const pid of left) { try { process.kill(-pid, "SIGKILL"); } catch {} }
    if (dir) { try { rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch {} }
    process.exit(0);
  };
  finish();
}
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  for (let i = buffer.indexOf("\\n"); i >= 0; i = buffer.indexOf("\\n")) {
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    if (line.startsWith("dir ")) dir = line.slice(4);
    else if (line.startsWith("pid ")) groups.add(Number(line.slice(4)));
    else if (line === "stop") cleanup();
  }
});
process.stdin.on("end", cleanup);
process.stdin.on("error", cleanup);
// A terminal's Ctrl-C reaches the whole foreground group; the watchdog outlives it to clean up after the pipe closes.
process.on("SIGINT", () => {});
process.on("SIGHUP", () => {});
`;

const CHILD_PATH = "/usr/local/bin:/usr/bin:/bin";

/** An explicit environment; Next's type augmentation makes NODE_ENV required in ProcessEnv, which children never get. */
function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return vars as unknown as NodeJS.ProcessEnv;
}

export interface Component {
  name: string;
  child: ChildProcess;
  logPath: string;
}

export class ProcessGroup {
  readonly #watchdog: ChildProcess;
  readonly #components: Component[] = [];
  #exited: Promise<void>;
  #stopping = false;

  constructor(
    readonly dataDir: string,
    removeDataDir: boolean,
  ) {
    this.#watchdog = spawn(process.execPath, ["-e", WATCHDOG], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
      env: childEnv({ PATH: CHILD_PATH }),
    });
    // A write after the watchdog is gone (stop() twice, or it was killed) must not crash the caller.
    this.#watchdog.stdin?.on("error", () => undefined);
    this.#exited = new Promise((resolve) => this.#watchdog.once("exit", () => resolve()));
    // Neither the watchdog nor its pipe may keep a test process alive; the pipe closing is the signal.
    this.#watchdog.unref();
    (this.#watchdog.stdin as unknown as { unref?: () => void }).unref?.();
    if (removeDataDir) this.#send(`dir ${dataDir}`);
  }

  #send(line: string): void {
    this.#watchdog.stdin?.write(`${line}\n`);
  }

  /** Starts a component with a minimal explicit environment, its output in <dataDir>/logs/<name>.log. */
  start(name: string, binary: string, args: string[]): Component {
    const logPath = path.join(this.dataDir, "logs", `${name}.log`);
    const fd = openSync(logPath, "a");
    const child = spawn(binary, args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      cwd: this.dataDir,
      env: childEnv({ PATH: CHILD_PATH, HOME: this.dataDir, TMPDIR: path.join(this.dataDir, "tmp") }),
    });
    closeSync(fd);
    child.unref();
    if (child.pid) this.#send(`pid ${child.pid}`);
    const component = { name, child, logPath };
    this.#components.push(component);
    return component;
  }

  /** The first component that exited on its own (a crash while the cluster should run), if any. */
  exitedComponent(): Component | undefined {
    return this.#components.find((c) => c.child.exitCode !== null || c.child.signalCode !== null);
  }

  /** Stops every component (SIGTERM, SIGKILL after 2 s: the data is thrown away) and removes the data dir; idempotent. */
  async stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      // Keep the caller's event loop alive until the components are gone: a script that awaits stop() and ends must
      // not exit before its control plane did.
      this.#watchdog.ref();
      this.#send("stop");
    }
    await this.#exited;
  }
}

/** The last lines of a component's log, for an error message that says why it did not come up. */
export function logTail(logPath: string, lines = 15): string {
  try {
    return readFileSync(logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
