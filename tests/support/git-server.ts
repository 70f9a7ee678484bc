import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Real Git repositories served by a real `git daemon` on 127.0.0.1, for tests that fetch from Git (push deployments,
 * the pull agent). Repositories live in a temporary directory; commits carry the author you give, so tests can
 * check rules that depend on who wrote a commit.
 */

export interface GitAuthor {
  name: string;
  email: string;
}

export interface CommitOptions {
  /** Files to write (path → content) or delete (path → null), relative to the repository root. */
  files: Record<string, string | null>;
  author: GitAuthor;
  message?: string;
  /** Branch to commit on; created from the current HEAD when missing. Default "main". */
  branch?: string;
  /** Author/committer date, for stable history. */
  date?: Date;
}

export interface TestRepo {
  name: string;
  /** Working tree (non-bare) the daemon serves. */
  dir: string;
  /** git:// URL through the daemon. */
  url: string;
  /** file:// URL of the same repository, for tests that do not need a network transport. */
  fileUrl: string;
  /** Writes the files and commits them; returns the new commit's SHA. */
  commit(opts: CommitOptions): Promise<string>;
  tag(name: string, ref?: string): Promise<void>;
  /** `git rev-parse` in the repository. */
  revParse(ref: string): Promise<string>;
}

export interface GitServer {
  port: number;
  baseDir: string;
  /** `git://127.0.0.1:<port>/<name>` */
  urlOf(name: string): string;
  createRepo(name: string, opts?: { defaultBranch?: string }): Promise<TestRepo>;
  stop(): Promise<void>;
}

function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", ...env } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(" ")} failed: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`git daemon exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`git daemon did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Starts `git daemon --export-all` on a free loopback port, serving repositories created with `createRepo`. */
export async function startGitServer(): Promise<GitServer> {
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-git-"));
  let child: ChildProcess | undefined;
  let port = 0;
  // A port found free can be taken before the daemon binds it; try a few.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const candidate = spawn(
      "git",
      [
        "daemon",
        "--reuseaddr",
        "--export-all",
        "--enable=upload-pack",
        `--base-path=${baseDir}`,
        "--listen=127.0.0.1",
        `--port=${port}`,
        baseDir,
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
      },
    );
    try {
      await waitForPort(port, candidate);
      child = candidate;
    } catch {
      candidate.kill();
    }
  }
  if (!child) throw new Error("could not start git daemon");
  const daemon = child;
  const urlOf = (name: string) => `git://127.0.0.1:${port}/${name}`;

  return {
    port,
    baseDir,
    urlOf,
    async createRepo(name, opts = {}) {
      const dir = path.join(baseDir, name);
      fs.mkdirSync(dir, { recursive: true });
      const defaultBranch = opts.defaultBranch ?? "main";
      await run(["init", "--quiet", `--initial-branch=${defaultBranch}`], dir);
      // Clients may fetch any commit by SHA, as GitHub and GitLab allow.
      await run(["config", "uploadpack.allowAnySHA1InWant", "true"], dir);
      let first = true;
      const repo: TestRepo = {
        name,
        dir,
        url: urlOf(name),
        fileUrl: `file://${dir}`,
        async commit(c) {
          const branch = c.branch ?? defaultBranch;
          if (!first) {
            const current = (await run(["rev-parse", "--abbrev-ref", "HEAD"], dir)).trim();
            if (current !== branch) {
              const exists = await run(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], dir).then(
                () => true,
                () => false,
              );
              await run(exists ? ["checkout", "--quiet", branch] : ["checkout", "--quiet", "-b", branch], dir);
            }
          } else if (branch !== defaultBranch) {
            await run(["checkout", "--quiet", "-b", branch], dir);
          }
          first = false;
          for (const [file, content] of Object.entries(c.files)) {
            const full = path.join(dir, file);
            if (content === null) {
              fs.rmSync(full, { force: true });
            } else {
              fs.mkdirSync(path.dirname(full), { recursive: true });
              fs.writeFileSync(full, content);
            }
          }
          await run(["add", "--all"], dir);
          const date = (c.date ?? new Date()).toISOString();
          await run(["commit", "--quiet", "--allow-empty", "-m", c.message ?? "change"], dir, {
            GIT_AUTHOR_NAME: c.author.name,
            GIT_AUTHOR_EMAIL: c.author.email,
            GIT_COMMITTER_NAME: c.author.name,
            GIT_COMMITTER_EMAIL: c.author.email,
            GIT_AUTHOR_DATE: date,
            GIT_COMMITTER_DATE: date,
          });
          return (await run(["rev-parse", "HEAD"], dir)).trim();
        },
        async tag(tagName, ref = "HEAD") {
          await run(["tag", tagName, ref], dir);
        },
        async revParse(ref) {
          return (await run(["rev-parse", ref], dir)).trim();
        },
      };
      return repo;
    },
    async stop() {
      if (daemon.exitCode === null) {
        const exited = new Promise((resolve) => daemon.once("exit", resolve));
        daemon.kill();
        await exited;
      }
      fs.rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
