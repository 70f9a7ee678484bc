import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AgentError, redactUrls, type AgentErrorCode } from "./errors";

/** Where the agent's Git credentials come from; paths only, the secrets never leave the files. */
export interface GitCredentials {
  /** git-credential-store file (`https://user:token@host` per line), used through `credential.helper=store`. */
  credentialStoreFile?: string;
  /** SSH private key for `ssh://` and `git@host:` URLs. */
  sshKeyFile?: string;
  /** known_hosts for SSH; without it, host keys are accepted on first use. */
  knownHostsFile?: string;
}

export interface CommitInfo {
  sha: string;
  authorName: string;
  authorEmail: string;
  /** ISO 8601. */
  date: string;
  message: string;
}

export interface ManifestFile {
  path: string;
  content: string;
}

export interface GitCacheOptions {
  /** Directory holding one bare mirror per repository URL. */
  dir: string;
  credentials?: GitCredentials;
  /** Per git command; default 120 s. */
  timeoutMs?: number;
  /** kubectl for kustomize; default: found on PATH. */
  kubectlPath?: string;
}

/** Largest manifest set read from one path, so a repository of binaries cannot exhaust the agent's memory. */
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

interface RunResult {
  stdout: Buffer;
  stderr: string;
}

function classify(stderr: string): AgentErrorCode {
  if (/couldn't find remote ref|Remote branch .* not found/i.test(stderr)) return "GIT_BRANCH_MISSING";
  if (
    /could not read from remote|access denied|not exported|unable to connect|connection refused|could not resolve host|repository .* not found|does not appear to be a git repository|timed out|unable to access|authentication failed|not found|no route to host|network is unreachable|terminal prompts disabled|permission denied/i.test(
      stderr,
    )
  ) {
    return "GIT_UNREACHABLE";
  }
  return "GIT_FAILED";
}

/** Finds an executable on PATH without a shell. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
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

/**
 * Git through the real `git` CLI: one bare mirror per repository URL under the state directory, fetched
 * incrementally (only new objects travel), read with `ls-tree` and `cat-file --batch` without any checkout.
 * Credentials are handed to git through a credential helper and GIT_SSH_COMMAND, never on a command line that
 * could be logged, and never included in errors.
 */
export class GitCache {
  readonly #opts: GitCacheOptions;
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(opts: GitCacheOptions) {
    this.#opts = opts;
    fs.mkdirSync(opts.dir, { recursive: true });
  }

  /** The mirror directory for a URL (hashed: URLs may contain characters paths cannot). */
  mirrorDir(url: string): string {
    return path.join(this.#opts.dir, `${createHash("sha256").update(url).digest("hex").slice(0, 24)}.git`);
  }

  #env(): NodeJS.ProcessEnv {
    const creds = this.#opts.credentials ?? {};
    // Only what git needs: the agent's own environment may hold Wharf's credential.
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: this.#opts.dir,
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_ASKPASS: "/bin/false",
      SSH_ASKPASS: "/bin/false",
      LC_ALL: "C",
    };
    if (creds.sshKeyFile) {
      const knownHosts = creds.knownHostsFile
        ? `-o UserKnownHostsFile=${creds.knownHostsFile} -o StrictHostKeyChecking=yes`
        : `-o UserKnownHostsFile=${path.join(this.#opts.dir, "known_hosts")} -o StrictHostKeyChecking=accept-new`;
      env.GIT_SSH_COMMAND = `ssh -i ${creds.sshKeyFile} -o IdentitiesOnly=yes -o BatchMode=yes ${knownHosts}`;
    }
    return env as NodeJS.ProcessEnv;
  }

  #configArgs(): string[] {
    const store = this.#opts.credentials?.credentialStoreFile;
    // An empty helper first clears any inherited helper; then only the configured store is asked.
    return store ? ["-c", "credential.helper=", "-c", `credential.helper=store --file=${store}`] : ["-c", "credential.helper="];
  }

  #run(args: string[], opts: { cwd?: string; input?: string; stdoutTo?: NodeJS.WritableStream } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("git", [...this.#configArgs(), ...args], {
        cwd: opts.cwd ?? this.#opts.dir,
        env: this.#env(),
        stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        timeout: this.#opts.timeoutMs ?? 120_000,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      if (opts.stdoutTo) child.stdout?.pipe(opts.stdoutTo);
      else child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", (error) => reject(new AgentError("GIT_FAILED", `could not run git: ${error.message}`)));
      child.on("close", (code, signal) => {
        const stderr = redactUrls(Buffer.concat(err).toString("utf8")).trim();
        if (code === 0) resolve({ stdout: Buffer.concat(out), stderr });
        else {
          const reason = signal ? `git ${args[0]} was stopped (${signal}; timeout?)` : stderr || `git ${args[0]} exited with ${code}`;
          reject(Object.assign(new Error(reason), { stderr: signal ? "timed out" : stderr }));
        }
      });
      if (child.stdin) {
        // git may exit (and close its end) before reading everything; its exit code tells what happened.
        child.stdin.on("error", () => undefined);
        child.stdin.end(opts.input);
      }
    });
  }

  async #locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.#locks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.#locks.get(key) === next) this.#locks.delete(key);
    }
  }

  async #ensureMirror(url: string): Promise<string> {
    const dir = this.mirrorDir(url);
    if (!fs.existsSync(path.join(dir, "HEAD"))) {
      await rm(dir, { recursive: true, force: true });
      await this.#run(["init", "--quiet", "--bare", dir]);
    }
    return dir;
  }

  async #fetchBranch(dir: string, url: string, branch: string): Promise<void> {
    try {
      // The URL is passed each time rather than stored as a remote: one process less per new mirror, and a URL
      // changed in Wharf maps to a new mirror anyway.
      await this.#run(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--", url, `+refs/heads/${branch}:refs/heads/${branch}`], { cwd: dir });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? String(err);
      const code = classify(stderr);
      const message =
        code === "GIT_BRANCH_MISSING"
          ? `branch ${branch} not found in ${redactUrls(url)}`
          : code === "GIT_UNREACHABLE"
            ? `repository ${redactUrls(url)} is unreachable: ${redactUrls(gitReason(stderr))}`
            : `git fetch of ${redactUrls(url)} failed: ${redactUrls(gitReason(stderr))}`;
      throw new AgentError(code, message);
    }
  }

  async #commitInfo(dir: string, rev: string): Promise<CommitInfo | undefined> {
    try {
      const { stdout } = await this.#run(["show", "-s", "--format=%H%x00%an%x00%ae%x00%aI%x00%B", `${rev}^{commit}`, "--"], { cwd: dir });
      const [sha, authorName, authorEmail, date, ...message] = stdout.toString("utf8").split("\0");
      return { sha: sha!.trim(), authorName: authorName ?? "", authorEmail: authorEmail ?? "", date: date ?? "", message: message.join("\0").trim() };
    } catch {
      return undefined;
    }
  }

  /**
   * Brings the mirror up to date with `branch` and returns the commit to deploy: the branch head, or `revision`
   * (a pinned commit, for rollbacks) when given — fetched by SHA if the branch no longer contains it.
   */
  async fetch(url: string, branch: string, revision?: string): Promise<CommitInfo> {
    return this.#locked(url, async () => {
      const dir = await this.#ensureMirror(url);
      if (revision) {
        const known = await this.#commitInfo(dir, revision);
        if (known) return known;
      }
      await this.#fetchBranch(dir, url, branch);
      if (!revision) {
        const head = await this.#commitInfo(dir, `refs/heads/${branch}`);
        if (!head) throw new AgentError("GIT_BRANCH_MISSING", `branch ${branch} not found in ${redactUrls(url)}`);
        return head;
      }
      let pinned = await this.#commitInfo(dir, revision);
      if (!pinned && /^[0-9a-f]{40}$/i.test(revision)) {
        await this.#run(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--", url, revision], { cwd: dir }).catch(() => undefined);
        pinned = await this.#commitInfo(dir, revision);
      }
      if (!pinned) throw new AgentError("GIT_REVISION_MISSING", `revision ${revision} not found in ${redactUrls(url)}`);
      return pinned;
    });
  }

  /**
   * Manifests under `dirPath` at `sha`: every .yaml/.yml/.json file, recursively (hidden directories such as .github
   * skipped: their YAML is not Kubernetes), or — when the directory has a kustomization file — the output of
   * `kubectl kustomize`. `dirPath` may also name a single file.
   */
  async readManifests(url: string, sha: string, dirPath: string): Promise<ManifestFile[]> {
    const dir = this.mirrorDir(url);
    const clean = normalizePath(dirPath);
    const { stdout } = await this.#run(["ls-tree", "-r", "-z", "--full-tree", sha, "--", ...(clean ? [clean] : [])], { cwd: dir });
    const entries = stdout
      .toString("utf8")
      .split("\0")
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf("\t");
        const [mode, type, object] = line.slice(0, tab).split(" ");
        return { mode: mode ?? "", type: type ?? "", object: object ?? "", path: line.slice(tab + 1) };
      })
      .filter((entry) => entry.type === "blob");
    if (entries.length === 0) throw new AgentError("GIT_PATH_MISSING", `path ${clean || "/"} not found at ${sha.slice(0, 12)} in ${redactUrls(url)}`);
    const prefix = clean && entries.some((e) => e.path !== clean) ? `${clean}/` : "";
    if (KUSTOMIZATION_FILES.some((name) => entries.some((e) => e.path === `${prefix}${name}`))) {
      return [await this.#kustomize(dir, sha, clean, prefix)];
    }
    const wanted = entries.filter((entry) => {
      const relative = entry.path.slice(prefix.length);
      return MANIFEST_FILE.test(entry.path) && !relative.split("/").some((part) => part.startsWith(".")) && entry.mode !== "120000";
    });
    const contents = await this.#readBlobs(dir, wanted.map((e) => e.object));
    return wanted.map((entry, index) => ({ path: entry.path, content: contents[index] ?? "" }));
  }

  async #readBlobs(dir: string, objects: string[]): Promise<string[]> {
    if (objects.length === 0) return [];
    const { stdout } = await this.#run(["cat-file", "--batch"], { cwd: dir, input: `${objects.join("\n")}\n` });
    if (stdout.length > MAX_TOTAL_BYTES + objects.length * 64) {
      throw new AgentError("MANIFESTS_INVALID", `manifests exceed ${MAX_TOTAL_BYTES / 1024 / 1024} MiB`);
    }
    const out: string[] = [];
    let offset = 0;
    for (let i = 0; i < objects.length; i++) {
      const newline = stdout.indexOf(0x0a, offset);
      const header = stdout.subarray(offset, newline).toString("utf8").split(" ");
      const size = Number(header[2]);
      if (header[1] !== "blob" || !Number.isFinite(size)) throw new AgentError("GIT_FAILED", `unexpected git cat-file output for ${objects[i]}`);
      out.push(stdout.subarray(newline + 1, newline + 1 + size).toString("utf8"));
      offset = newline + 1 + size + 1;
    }
    return out;
  }

  async #kustomize(dir: string, sha: string, clean: string, prefix: string): Promise<ManifestFile> {
    const kubectl = this.#opts.kubectlPath ?? findOnPath("kubectl");
    if (!kubectl) {
      throw new AgentError("KUSTOMIZE_UNAVAILABLE", `${prefix || "/"}kustomization.yaml needs kubectl to render it, and kubectl was not found on PATH`);
    }
    const work = await mkdtemp(path.join(os.tmpdir(), "wharf-kustomize-"));
    try {
      // The whole tree, not just the path: overlays refer to bases elsewhere in the repository.
      await this.#extract(dir, sha, work);
      const target = path.join(work, clean);
      const rendered = await new Promise<string>((resolve, reject) => {
        const child = spawn(kubectl, ["kustomize", target], { env: { PATH: process.env.PATH, HOME: work } as unknown as NodeJS.ProcessEnv, timeout: this.#opts.timeoutMs ?? 120_000 });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (c: Buffer) => out.push(c));
        child.stderr.on("data", (c: Buffer) => err.push(c));
        child.on("error", (error) => reject(new AgentError("KUSTOMIZE_UNAVAILABLE", `could not run kubectl: ${error.message}`)));
        child.on("close", (code) => {
          if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
          else reject(new AgentError("KUSTOMIZE_FAILED", `kubectl kustomize ${clean || "."} failed: ${Buffer.concat(err).toString("utf8").split(work).join("").trim()}`));
        });
      });
      return { path: `${prefix}kustomization.yaml (rendered)`, content: rendered };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async #extract(dir: string, sha: string, into: string): Promise<void> {
    const tar = spawn("tar", ["-x", "-C", into], { stdio: ["pipe", "ignore", "pipe"] });
    const tarDone = new Promise<void>((resolve, reject) => {
      tar.on("error", reject);
      tar.on("close", (code) => (code === 0 ? resolve() : reject(new AgentError("GIT_FAILED", `extracting ${sha.slice(0, 12)} failed (tar exited ${code})`))));
    });
    await this.#run(["archive", "--format=tar", sha], { cwd: dir, stdoutTo: tar.stdin });
    await tarDone;
  }
}

function normalizePath(p: string): string {
  return p.replace(/\\/g, "/").split("/").filter((part) => part && part !== ".").join("/");
}

/**
 * git's own reason from its stderr: the first `fatal:`/`error:` line, the specific one ("'…' does not appear to be a
 * git repository"); git follows it with generic ones ("Could not read from remote repository.") and advice ("… and
 * the repository exists.") that say nothing on their own.
 */
function gitReason(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(fatal|error):/i.test(l)) ?? lines[lines.length - 1] ?? "unknown error";
}
