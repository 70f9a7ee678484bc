import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The one way Wharf starts a subprocess (git, kubectl kustomize, tar; later helm): an argument array (never a shell),
 * an explicit minimal environment (never `process.env`: the dashboard's holds WHARF_MASTER_KEY, DATABASE_URL and the
 * admin password, the agent's its Wharf credential, and every child of a child inherits them), a timeout, a cap on
 * captured output, and errors that quote the tool's own reason. Plain Node: used by lib/agent and lib/deployments.
 */

export interface RunToolOptions {
  cwd?: string;
  /** Variables on top of the base environment (PATH, HOME, LANG/LC_ALL=C); nothing else is inherited. */
  env?: Record<string, string>;
  /** HOME for the child; default an empty private directory, so no dotfile of the server's user is read. */
  home?: string;
  /** Default 60 s; the child is killed (SIGKILL) when it is over. */
  timeoutMs?: number;
  /** Largest stdout kept in memory; default 64 MiB. Over it the child is killed and the run fails. */
  maxOutputBytes?: number;
  /** Written (or piped) to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string | Buffer | NodeJS.ReadableStream;
  /** Streams stdout there instead of capturing it (then `maxOutputBytes` does not apply). */
  stdoutTo?: NodeJS.WritableStream;
}

export interface ToolResult {
  stdout: Buffer;
  stderr: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
/** stderr is only read for the reason of a failure; more than this is noise. */
const MAX_STDERR = 64 * 1024;

/** Why a tool run failed; `reason` is the tool's own first `fatal:`/`error:` line (URL credentials redacted). */
export class ToolError extends Error {
  override readonly name = "ToolError";
  constructor(
    readonly tool: string,
    readonly subcommand: string,
    /** null when the child was killed (timeout, output cap) or could not start. */
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly kind: "exit" | "timeout" | "output-limit" | "spawn",
    readonly reason: string,
  ) {
    super(
      `${tool}${subcommand ? ` ${subcommand}` : ""} ${kind === "timeout" ? "timed out" : kind === "output-limit" ? "wrote too much output" : kind === "spawn" ? "could not start" : "failed"}: ${reason}`,
    );
  }
}

/** Removes userinfo from URLs (`https://user:token@host` → `https://***@host`) so errors can be logged and reported. */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1***@");
}

/**
 * A tool's own reason from its stderr: the first `fatal:`/`error:` line, the specific one ("'…' does not appear to be
 * a git repository"); git follows it with generic ones ("Could not read from remote repository.") and advice
 * ("… and the repository exists.") that say nothing on their own.
 */
export function toolReason(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return redactUrls(lines.find((l) => /^(fatal|error):/i.test(l)) ?? lines[lines.length - 1] ?? "unknown error");
}

/** The server's PATH is the one thing passed through: tools are found where the administrator installed them. */
function inheritedPath(): string {
  return process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
}

/** Finds an executable on PATH without a shell. */
export function findOnPath(name: string): string | undefined {
  for (const dir of inheritedPath().split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

let neutralHome: string | undefined;
/** An empty directory of this process (mode 0700), created once: HOME for children that are given none. */
function defaultHome(): string {
  if (!neutralHome || !fs.existsSync(neutralHome))
    neutralHome = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-tool-home-"));
  return neutralHome;
}

/** The complete environment a child gets: PATH, HOME, the C locale (stable, parseable messages) and `extra`. */
export function toolEnv(opts: { home?: string; extra?: Record<string, string> } = {}): Record<string, string> {
  return { PATH: inheritedPath(), HOME: opts.home ?? defaultHome(), LANG: "C", LC_ALL: "C", ...opts.extra };
}

/** Runs `command args…` and resolves with its output when it exits 0; otherwise rejects with a ToolError. */
export function runTool(command: string, args: readonly string[], opts: RunToolOptions = {}): Promise<ToolResult> {
  const tool = path.basename(command);
  const subcommand = args.find((a) => !a.startsWith("-") && !a.includes("=")) ?? "";
  const maxOutput = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, [...args], {
      cwd: opts.cwd,
      // Next's type augmentation makes NODE_ENV required in ProcessEnv; a child gets none unless a caller adds it.
      env: toolEnv({
        ...(opts.home ? { home: opts.home } : {}),
        ...(opts.env ? { extra: opts.env } : {}),
      }) as unknown as NodeJS.ProcessEnv,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      shell: false,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = "";
    let killedFor: "timeout" | "output-limit" | null = null;
    const kill = (why: "timeout" | "output-limit") => {
      killedFor ??= why;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill("timeout"), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (opts.stdoutTo) child.stdout?.pipe(opts.stdoutTo);
    else
      child.stdout?.on("data", (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > maxOutput) kill("output-limit");
        else out.push(chunk);
      });
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString("utf8");
    });
    child.on("error", (err: Error) => {
      clearTimeout(timer);
      reject(new ToolError(tool, subcommand, null, "", "spawn", err.message));
    });
    child.on("close", (code: number | null) => {
      clearTimeout(timer);
      const err = redactUrls(stderr).trim();
      if (killedFor === "timeout")
        reject(
          new ToolError(
            tool,
            subcommand,
            null,
            err,
            "timeout",
            `no result within ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`,
          ),
        );
      else if (killedFor === "output-limit")
        reject(new ToolError(tool, subcommand, null, err, "output-limit", `more than ${maxOutput} bytes`));
      else if (code === 0) resolve({ stdout: Buffer.concat(out), stderr: err });
      else reject(new ToolError(tool, subcommand, code, err, "exit", err ? toolReason(err) : `exited with ${code}`));
    });
    if (child.stdin) {
      // The tool may exit (and close its end) before reading everything; its exit code tells what happened.
      child.stdin.on("error", () => undefined);
      if (typeof opts.input === "string" || Buffer.isBuffer(opts.input)) child.stdin.end(opts.input);
      else opts.input?.pipe(child.stdin);
    }
  });
}
