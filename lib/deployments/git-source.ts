import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { MANIFESTS_MAX_CHARS, ZGitPath, ZGitRef, ZGitUrl } from "./schemas";

/**
 * Fetches manifests from a Git repository with the real `git` CLI (no shell, no libgit). Each repository URL has a
 * bare cache under `<dataDir>/git-cache/<sha256(url)>`; a request fetches only the one commit it needs (`--depth 1`),
 * so a repeated fetch from a cached repository transfers the delta only.
 */

export interface GitSourceRequest {
  url: string;
  ref: string;
  /** A directory (read recursively) or a single file; "." is the repository root. */
  path: string;
}

export interface GitManifests {
  commitSha: string;
  authorName: string;
  authorEmail: string;
  message: string;
  committedAt: Date;
  /** YAML and JSON files at the path, sorted by path; `path` is relative to the repository root. */
  files: { path: string; content: string }[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const FETCH_TIMEOUT_MS = 120_000;
const LOCAL_TIMEOUT_MS = 30_000;

class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(`git ${args[0] ?? ""} failed: ${stderr.trim().split("\n").slice(-3).join(" ")}`);
  }
}

/**
 * Git's environment: the process's own (PATH finds git), but never prompt for credentials (a prompt would hang the
 * request on the server's terminal) and never read the machine's or the user's git config.
 */
function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LANG: "C",
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
  };
}

function git(args: string[], opts: { cwd?: string; timeoutMs?: number; input?: string; maxBuffer?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      // Only the transports Wharf allows, whatever a repository's config or a redirect says.
      ["-c", "protocol.allow=never", "-c", "protocol.https.allow=always", "-c", "protocol.http.allow=always", "-c", "protocol.git.allow=always", "-c", "protocol.file.allow=always", ...args],
      { cwd: opts.cwd, env: gitEnv(), timeout: opts.timeoutMs ?? LOCAL_TIMEOUT_MS, maxBuffer: opts.maxBuffer ?? 64 * 1024 * 1024, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err) reject(new GitCommandError(args, String(stderr || err.message), typeof err.code === "number" ? err.code : null));
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Reads blobs through one `git cat-file --batch` process instead of one process per file. */
function readBlobs(repoDir: string, specs: string[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd: repoDir, env: gitEnv() });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new GitCommandError(["cat-file"], stderr, code));
      const out = Buffer.concat(chunks);
      const blobs: Buffer[] = [];
      let offset = 0;
      for (const spec of specs) {
        const nl = out.indexOf(0x0a, offset);
        const header = out.subarray(offset, nl).toString();
        const [, type, size] = header.split(" ");
        if (type !== "blob" || size === undefined) return reject(new Error(`cannot read ${spec}: ${header}`));
        const start = nl + 1;
        blobs.push(out.subarray(start, start + Number(size)));
        offset = start + Number(size) + 1;
      }
      resolve(blobs);
    });
    child.stdin.end(specs.map((s) => `${s}\n`).join(""));
  });
}

function invalid(field: "url" | "ref" | "path", message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { fields: { [`source.${field}`]: [message] } });
}

/** The remote's words, without the noise git adds ("fatal:", hints), for error messages. */
function gitSays(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.replace(/^(fatal|error|remote):\s*/i, "").trim())
    .filter((l) => l && !/^hint:/i.test(l));
  return lines.slice(0, 2).join(" ") || "no details";
}

/** One cache directory per repository URL; the hash keeps URLs (and anything in them) out of file names. */
export function gitCacheDir(url: string): string {
  return path.join(env().dataDir, "git-cache", createHash("sha256").update(url).digest("hex"));
}

// Fetches into one bare repository are serialized within the process; git's own lock files cover other processes.
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  const settled = next.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return next;
}

async function ensureBareRepo(dir: string, url: string): Promise<void> {
  if (fs.existsSync(path.join(dir, "HEAD"))) return;
  fs.mkdirSync(dir, { recursive: true });
  await git(["init", "--bare", "--quiet", dir]);
  await git(["remote", "add", "origin", url], { cwd: dir });
}

/**
 * Fetches `ref` (branch, tag or commit SHA) of `url` and returns the resolved commit, its author and the manifest
 * files (YAML/JSON, recursively, sorted) at `path`. Errors are 422s naming the field: ref not found, path not found,
 * repository unreachable.
 */
export async function fetchGitManifests(request: GitSourceRequest): Promise<GitManifests> {
  const url = ZGitUrl.parse(request.url);
  const ref = ZGitRef.parse(request.ref);
  const repoPath = ZGitPath.parse(request.path);
  const dir = gitCacheDir(url);
  const localRef = `refs/wharf/fetch-${randomBytes(6).toString("hex")}`;

  const commitSha = await serialized(dir, async () => {
    await ensureBareRepo(dir, url);
    const refspec = /^[0-9a-f]{40}$/i.test(ref) ? `${ref}:${localRef}` : `+${ref}:${localRef}`;
    try {
      await git(["fetch", "--quiet", "--no-tags", "--depth", "1", "origin", refspec], { cwd: dir, timeoutMs: FETCH_TIMEOUT_MS });
    } catch (err) {
      if (!(err instanceof GitCommandError)) throw err;
      const says = gitSays(err.stderr);
      if (/couldn't find remote ref|not our ref|no such remote ref|unadvertised object|invalid refspec|upload-pack: not our ref/i.test(err.stderr)) {
        throw invalid("ref", `The repository has no branch, tag or commit "${ref}".`);
      }
      if (err.exitCode === null) throw invalid("url", `Fetching ${url} took longer than ${FETCH_TIMEOUT_MS / 1000} s; the repository did not answer in time.`);
      throw invalid("url", `Wharf could not fetch from ${url}: ${says}`);
    }
    try {
      return (await git(["rev-parse", "--verify", `${localRef}^{commit}`], { cwd: dir })).trim();
    } catch {
      throw invalid("ref", `"${ref}" does not name a commit.`);
    } finally {
      await git(["update-ref", "-d", localRef], { cwd: dir }).catch(() => undefined);
    }
  });

  // Objects stay in the cache after the temporary ref is gone, so reading by SHA works until a gc (git gc --auto
  // keeps unreachable objects for two weeks).
  const meta = await git(["log", "-1", "--format=%H%x00%an%x00%ae%x00%cI%x00%B", commitSha], { cwd: dir });
  const [, authorName = "", authorEmail = "", committedAt = "", message = ""] = meta.split("\0");

  const listed = await git(["ls-tree", "-r", "-z", "--full-tree", commitSha, ...(repoPath === "." ? [] : ["--", repoPath])], { cwd: dir });
  const entries = listed
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [, type] = line.slice(0, tab).split(" ");
      return { type, file: line.slice(tab + 1) };
    })
    .filter((e) => e.type === "blob" && !e.file.includes("\n"));
  // ls-tree matches path prefixes literally; keep only the path itself and what is below it.
  const under = entries.filter((e) => repoPath === "." || e.file === repoPath || e.file.startsWith(`${repoPath}/`));
  if (under.length === 0) throw invalid("path", `The commit ${commitSha.slice(0, 12)} has no file or directory "${repoPath}".`);
  const files = under
    .map((e) => e.file)
    .filter((f) => MANIFEST_FILE.test(f))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) throw invalid("path", `"${repoPath}" holds no .yaml, .yml or .json files at commit ${commitSha.slice(0, 12)}.`);

  const blobs = await readBlobs(dir, files.map((f) => `${commitSha}:${f}`));
  const total = blobs.reduce((n, b) => n + b.length, 0);
  if (total > MANIFESTS_MAX_CHARS) throw invalid("path", `The manifests at "${repoPath}" are larger than 1.5 MB (${total} bytes).`);

  return {
    commitSha,
    authorName,
    authorEmail,
    message: message.trim(),
    committedAt: new Date(committedAt),
    files: files.map((file, i) => ({ path: file, content: (blobs[i] as Buffer).toString("utf8") })),
  };
}

/** The files as one multi-document YAML text (what a deployment stores and shows), each headed by its path. */
export function joinManifestFiles(files: { path: string; content: string }[]): string {
  return files
    .map((f) => {
      const body = f.content.replace(/\s+$/, "");
      // JSON files become one YAML document each; YAML is a superset of JSON.
      return `# Source: ${f.path}\n${body.startsWith("---") ? body.replace(/^---[^\n]*\n?/, "") : body}`;
    })
    .join("\n---\n")
    .concat("\n");
}
