import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { checkGitUrl, isManifestEntry, isMissingRef, runGit } from "@/lib/process/git";
import { redactUrls, ToolError, toolReason } from "@/lib/process/run-tool";
import {
  detectKind,
  listTree,
  RenderError,
  renderSource,
  writeTree,
  type HelmOptions,
  type SourceKind,
} from "@/lib/render";
import { ZGitPath, ZGitRef, ZGitUrl } from "./schemas";

/**
 * Fetches manifests from a Git repository with the real `git` CLI (no shell, no libgit), through the shared policy
 * of lib/process/git.ts. Each repository URL has a bare cache under `<dataDir>/git-cache/<sha256(url)>`; a request
 * fetches only the one commit it needs (`--depth 1`), so a repeated fetch from a cached repository transfers the
 * delta only.
 */

export interface GitSourceRequest {
  url: string;
  ref: string;
  /** A directory (read recursively) or a single file; "." is the repository root. */
  path: string;
  /** For a Helm chart at the path: the release name and namespace (the target's), values, the target's versions. */
  helm?: HelmOptions;
}

/**
 * Largest set of YAML/JSON files, and largest rendered output, a Git source may have: well above the 10 MB
 * kube-prometheus renders to, and bounded (the pasted-manifests limit, 1.5 MB, is a request body's).
 */
export const GIT_SOURCE_MAX_BYTES = 32 * 1024 * 1024;

export interface GitManifests {
  commitSha: string;
  authorName: string;
  authorEmail: string;
  message: string;
  committedAt: Date;
  /**
   * The manifests at the path, `path` relative to the repository root: its YAML and JSON files sorted by path, or
   * what kustomize or Helm rendered from it (lib/render).
   */
  files: { path: string; content: string }[];
  /** How the path was rendered. */
  kind: SourceKind;
}

const FETCH_TIMEOUT_MS = 120_000;
const LOCAL_TIMEOUT_MS = 30_000;

async function git(
  args: string[],
  opts: { cwd?: string; timeoutMs?: number; input?: string; allowFile?: boolean } = {},
): Promise<string> {
  const { stdout } = await runGit(args, {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    timeoutMs: opts.timeoutMs ?? LOCAL_TIMEOUT_MS,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    allow: { file: opts.allowFile ?? false },
  });
  return stdout.toString("utf8");
}

/** Reads blobs through one `git cat-file --batch` process instead of one process per file. */
async function readBlobs(repoDir: string, specs: string[]): Promise<Buffer[]> {
  const { stdout: out } = await runGit(["cat-file", "--batch"], {
    cwd: repoDir,
    input: specs.map((s) => `${s}\n`).join(""),
    timeoutMs: LOCAL_TIMEOUT_MS,
  });
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const spec of specs) {
    const nl = out.indexOf(0x0a, offset);
    const header = out.subarray(offset, nl).toString();
    const [, type, size] = header.split(" ");
    if (type !== "blob" || size === undefined) throw new Error(`cannot read ${spec}: ${header}`);
    const start = nl + 1;
    blobs.push(out.subarray(start, start + Number(size)));
    offset = start + Number(size) + 1;
  }
  return blobs;
}

function invalid(field: "url" | "ref" | "path", message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { fields: { [`source.${field}`]: [message] } });
}

/**
 * Validates a repository URL for fetching from the dashboard: its form (ZGitUrl: no credentials, allowed schemes)
 * and, for `file://`, the administrator's WHARF_GIT_LOCAL_ROOTS. Returns whether the URL is local (git then needs
 * the file transport). 422 on `field` otherwise.
 */
export function checkFetchableUrl(url: string, field = "source.url"): { url: string; local: boolean } {
  const parsed = ZGitUrl.safeParse(url);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Enter a valid repository URL.";
    throw new AppError("VALIDATION_FAILED", message, { fields: { [field]: [message] } });
  }
  const checked = checkGitUrl(parsed.data, env().WHARF_GIT_LOCAL_ROOTS);
  if (!checked.ok) throw new AppError("VALIDATION_FAILED", checked.message, { fields: { [field]: [checked.message] } });
  return { url: parsed.data, local: checked.local };
}

/**
 * The one message for a remote that did not answer like a git server with this repository (closed port, empty
 * reply, timeout, missing repository, refused credentials): git's own words would make the dashboard a port scanner
 * and a file-exists oracle, so they go to the server log (URL credentials redacted) and nowhere else.
 */
function unreachable(url: string, err: unknown): AppError {
  const detail =
    err instanceof ToolError ? toolReason(err.stderr || err.reason) : err instanceof Error ? err.message : String(err);
  console.error(`[wharf] git fetch of ${redactUrls(url)} failed: ${redactUrls(detail)}`);
  return invalid("url", `Wharf could not reach the repository ${redactUrls(url)}.`);
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

/** Fetches `refspec` from the cache's origin; a failure is "no such ref" (422 on ref) or the generic unreachable. */
async function fetchInto(dir: string, url: string, local: boolean, args: string[], ref: string): Promise<void> {
  try {
    await git(["fetch", "--quiet", "--no-tags", ...args], { cwd: dir, timeoutMs: FETCH_TIMEOUT_MS, allowFile: local });
  } catch (err) {
    if (isMissingRef(err)) throw invalid("ref", `The repository has no branch, tag or commit "${ref}".`);
    throw unreachable(url, err);
  }
}

/**
 * Fetches `ref` (branch, tag or commit SHA) of `url` and returns the resolved commit, its author and the manifest
 * files (YAML/JSON, recursively, sorted) at `path`. Errors are 422s naming the field: ref not found, path not found,
 * repository unreachable.
 */
export async function fetchGitManifests(request: GitSourceRequest): Promise<GitManifests> {
  const { url, local } = checkFetchableUrl(request.url);
  const ref = ZGitRef.parse(request.ref);
  const repoPath = ZGitPath.parse(request.path);
  const dir = gitCacheDir(url);
  const localRef = `refs/wharf/fetch-${randomBytes(6).toString("hex")}`;

  const commitSha = await serialized(dir, async () => {
    await ensureBareRepo(dir, url);
    const refspec = /^[0-9a-f]{40}$/i.test(ref) ? `${ref}:${localRef}` : `+${ref}:${localRef}`;
    await fetchInto(dir, url, local, ["--depth", "1", "origin", refspec], ref);
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

  const listed = await git(
    ["ls-tree", "-r", "-z", "--full-tree", commitSha, ...(repoPath === "." ? [] : ["--", repoPath])],
    { cwd: dir },
  );
  const entries = listed
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode = "", type] = line.slice(0, tab).split(" ");
      return { mode, type, file: line.slice(tab + 1) };
    })
    .filter((e) => e.type === "blob" && !e.file.includes("\n"));
  // ls-tree matches path prefixes literally; keep only the path itself and what is below it.
  const under = entries.filter((e) => repoPath === "." || e.file === repoPath || e.file.startsWith(`${repoPath}/`));
  if (under.length === 0)
    throw invalid("path", `The commit ${commitSha.slice(0, 12)} has no file or directory "${repoPath}".`);
  const names = under.map((e) => (repoPath === "." ? e.file : e.file.slice(repoPath.length + 1)));
  const kind = under.some((e) => e.file === repoPath) ? "plain" : detectKind(names.filter((n) => !n.includes("/")));
  const files =
    kind === "plain"
      ? await readPlainFiles(dir, commitSha, repoPath, under)
      : await renderFromTree(dir, commitSha, repoPath, request.helm);

  return {
    commitSha,
    authorName,
    authorEmail,
    message: message.trim(),
    committedAt: new Date(committedAt),
    files,
    kind,
  };
}

/** The YAML/JSON files below the path, read straight from git (no checkout): the same rule as the agent's. */
async function readPlainFiles(
  dir: string,
  commitSha: string,
  repoPath: string,
  under: { mode: string; file: string }[],
): Promise<{ path: string; content: string }[]> {
  // No symlinks, nothing hidden below the path (lib/process/git.ts isManifestEntry).
  const files = under
    .filter((e) =>
      isManifestEntry(repoPath === "." || e.file === repoPath ? e.file : e.file.slice(repoPath.length + 1), e.mode),
    )
    .map((e) => e.file)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0)
    throw invalid("path", `"${repoPath}" holds no .yaml, .yml or .json files at commit ${commitSha.slice(0, 12)}.`);

  const blobs = await readBlobs(
    dir,
    files.map((f) => `${commitSha}:${f}`),
  );
  const total = blobs.reduce((n, b) => n + b.length, 0);
  if (total > GIT_SOURCE_MAX_BYTES)
    throw invalid(
      "path",
      `The manifests at "${repoPath}" are larger than ${GIT_SOURCE_MAX_BYTES / 1024 / 1024} MiB (${total} bytes).`,
    );
  return files.map((file, i) => ({ path: file, content: (blobs[i] as Buffer).toString("utf8") }));
}

/**
 * A kustomization or Helm chart: the commit's regular files are written to a private temporary directory (bases and
 * charts may be anywhere in the repository; never symlinks) and lib/render runs kustomize or helm on the path.
 * Render errors are 422s on `source.path` that name the file and line.
 */
async function renderFromTree(
  dir: string,
  commitSha: string,
  repoPath: string,
  helm: HelmOptions | undefined,
): Promise<{ path: string; content: string }[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), "wharf-source-"));
  try {
    await writeTree(dir, await listTree(dir, commitSha), work);
    const rendered = await renderSource({
      dir: work,
      path: repoPath,
      ...(helm ? { helm } : {}),
      limits: { maxOutputBytes: GIT_SOURCE_MAX_BYTES },
      // requestDeployment parses and checks the files against the target's rules (one parse, not two).
      parse: false,
    });
    return rendered.files;
  } catch (err) {
    if (err instanceof RenderError) throw invalid("path", err.message);
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** How a pushed commit relates to the one a binding last acted on, learnt from the repository itself. */
export interface PushedCommitOrder {
  /** `current` is a strict ancestor of `pushed`: the branch moved forward. */
  descends: boolean;
  /** The branch's head as fetched now; null when the branch no longer exists. */
  branchHead: string | null;
}

/** A full-history bare copy per URL (the manifest cache is shallow, which makes ancestry unanswerable). */
function historyDir(url: string): string {
  return path.join(env().dataDir, "git-history", createHash("sha256").update(url).digest("hex"));
}

async function hasCommit(dir: string, sha: string): Promise<boolean> {
  return git(["cat-file", "-e", `${sha}^{commit}`], { cwd: dir }).then(
    () => true,
    () => false,
  );
}

/**
 * Fetches `branch` (full history, into a cache of its own) and answers whether `pushed` descends from `current`,
 * and what the branch head is now: the ordering check of push webhooks (lib/deployments/data/receive-git-webhook.ts).
 * Commits no longer on the branch are fetched by SHA where the server allows it; one that cannot be found counts
 * as not descending. Errors: 422 on the URL (one generic "could not reach" message, as for manifests).
 */
export async function comparePushedCommit(opts: {
  url: string;
  branch: string;
  current: string;
  pushed: string;
}): Promise<PushedCommitOrder> {
  const { url, local } = checkFetchableUrl(opts.url);
  const dir = historyDir(url);
  return serialized(dir, async () => {
    await ensureBareRepo(dir, url);
    let branchHead: string | null = null;
    try {
      await git(["fetch", "--quiet", "--no-tags", "origin", `+refs/heads/${opts.branch}:refs/heads/${opts.branch}`], {
        cwd: dir,
        timeoutMs: FETCH_TIMEOUT_MS,
        allowFile: local,
      });
      branchHead = (await git(["rev-parse", "--verify", `refs/heads/${opts.branch}^{commit}`], { cwd: dir })).trim();
    } catch (err) {
      if (!isMissingRef(err)) throw unreachable(url, err);
    }
    for (const sha of [opts.current, opts.pushed]) {
      if (!(await hasCommit(dir, sha))) {
        await git(["fetch", "--quiet", "--no-tags", "origin", sha], {
          cwd: dir,
          timeoutMs: FETCH_TIMEOUT_MS,
          allowFile: local,
        }).catch(() => undefined);
      }
    }
    if (!(await hasCommit(dir, opts.current)) || !(await hasCommit(dir, opts.pushed)) || opts.current === opts.pushed)
      return { descends: false, branchHead };
    // Exit 0: ancestor; 1: not; anything else (a broken object) is treated as "not", which refuses the push.
    const descends = await git(["merge-base", "--is-ancestor", opts.current, opts.pushed], { cwd: dir }).then(
      () => true,
      () => false,
    );
    return { descends, branchHead };
  });
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
