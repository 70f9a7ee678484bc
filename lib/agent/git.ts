import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GIT_MANIFESTS_MAX_BYTES, GitClient, GitError, type GitCredentials, type SourcePath } from "@/lib/process/git";
import { findOnPath } from "@/lib/process/run-tool";
import {
  detectKind,
  listTree,
  RenderError,
  renderSource,
  writeTree,
  type HelmOptions,
  type RenderToolPaths,
  type SourceKind,
} from "@/lib/render";
import { AgentError, redactUrls } from "./errors";

export type { GitCredentials };

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
  /** Per fetch; default 120 s. */
  timeoutMs?: number;
  /** helm and kustomize (or kubectl) for charts and kustomizations; default: found on PATH. */
  tools?: RenderToolPaths;
  /**
   * Absolute directories `file://` repositories may come from (the agent's WHARF_GIT_LOCAL_ROOTS); none by default,
   * so a repository registered in Wharf cannot make the agent read its pod's or node's files.
   */
  localRoots?: readonly string[];
  /** Where git's own words about an unreachable repository go (the agent's log); the reported error is generic. */
  log?: (line: string) => void;
}

/** Largest manifest set read from one path (and rendered from it): the git client's cap, the dashboard's too. */
const MAX_TOTAL_BYTES = GIT_MANIFESTS_MAX_BYTES;

export { findOnPath };

/**
 * The agent's side of the git client (lib/process/git): one bare mirror per repository URL under the state
 * directory, fetched incrementally (only new objects travel), read without any checkout; ssh allowed with the
 * agent's key, credentials as file paths only. Errors become the agent's codes.
 */
export class GitCache {
  readonly #opts: GitCacheOptions;
  readonly #git: GitClient;

  constructor(opts: GitCacheOptions) {
    this.#opts = opts;
    fs.mkdirSync(opts.dir, { recursive: true });
    // Mirrors of earlier agents were named <24 hex>.git; the client keys by the whole hash, so they are refetched.
    for (const name of fs.readdirSync(opts.dir))
      if (/^[0-9a-f]{24}\.git$/.test(name)) fs.rmSync(path.join(opts.dir, name), { recursive: true, force: true });
    this.#git = new GitClient({
      root: opts.dir,
      localRoots: opts.localRoots ?? [],
      ssh: true,
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      timeoutMs: opts.timeoutMs ?? 120_000,
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  /** The mirror directory for a URL. */
  mirrorDir(url: string): string {
    return this.#git.dirOf(url);
  }

  #agentError(err: unknown, url: string, what: string): unknown {
    if (!(err instanceof GitError)) return err;
    const repo = redactUrls(url);
    switch (err.code) {
      case "URL_NOT_ALLOWED":
        return new AgentError("GIT_FAILED", `repository ${repo} is not allowed: ${err.message}`);
      case "UNREACHABLE":
        // One message for a closed port, an empty reply, a timeout, a missing repository or anything else the
        // remote said: the sync history is shown in Wharf. git's reason went to the agent's log.
        return new AgentError("GIT_UNREACHABLE", `could not reach the repository ${repo}`);
      case "REF_MISSING":
        return new AgentError("GIT_BRANCH_MISSING", `branch ${what} not found in ${repo}`);
      case "PATH_INVALID":
      case "PATH_MISSING":
        return new AgentError("GIT_PATH_MISSING", `path ${what} not found in ${repo}: ${err.message}`);
      case "TOO_LARGE":
        return new AgentError("MANIFESTS_INVALID", `manifests exceed ${MAX_TOTAL_BYTES / 1024 / 1024} MiB`);
      default:
        return new AgentError("GIT_FAILED", err.message);
    }
  }

  async #commitInfo(url: string, rev: string): Promise<CommitInfo | undefined> {
    const c = await this.#git.commit(url, rev);
    return (
      c && { sha: c.sha, authorName: c.authorName, authorEmail: c.authorEmail, date: c.authorDate, message: c.message }
    );
  }

  /**
   * Brings the mirror up to date with `branch` and returns the commit to deploy: the branch head, or `revision`
   * (a pinned commit, for rollbacks) when given — fetched by SHA if the branch no longer contains it.
   */
  async fetch(url: string, branch: string, revision?: string): Promise<CommitInfo> {
    return this.#git.locked(url, async () => {
      try {
        this.#git.checkUrl(url);
        if (revision) {
          const known = await this.#commitInfo(url, revision);
          if (known) return known;
        }
        await this.#git.fetch(url, [`+refs/heads/${branch}:refs/heads/${branch}`]);
      } catch (err) {
        throw this.#agentError(err, url, branch);
      }
      if (!revision) {
        const head = await this.#commitInfo(url, `refs/heads/${branch}`);
        if (!head) throw new AgentError("GIT_BRANCH_MISSING", `branch ${branch} not found in ${redactUrls(url)}`);
        return head;
      }
      let pinned = await this.#commitInfo(url, revision);
      if (!pinned && /^[0-9a-f]{40}$/i.test(revision)) {
        await this.#git.fetch(url, [revision]).catch(() => undefined);
        pinned = await this.#commitInfo(url, revision);
      }
      if (!pinned) throw new AgentError("GIT_REVISION_MISSING", `revision ${revision} not found in ${redactUrls(url)}`);
      return pinned;
    });
  }

  /**
   * Manifests under `dirPath` at `sha`: every .yaml/.yml/.json regular file, recursively (hidden files and
   * directories such as .github skipped, symlinks never read: the git client's rule, the dashboard's too), or — when
   * the directory has a kustomization file or a Chart.yaml — what lib/render's kustomize or helm renders from it
   * (`render.helm` gives the release, asked only for a chart). `dirPath` may also name a single file.
   * `render.kind` other than `auto` (the application's render options) insists on one renderer.
   */
  async readManifests(
    url: string,
    sha: string,
    dirPath: string,
    render: { kind?: "auto" | SourceKind; helm?: () => Promise<HelmOptions> } = {},
  ): Promise<ManifestFile[]> {
    const dir = this.mirrorDir(url);
    let source: SourcePath;
    try {
      source = await this.#git.listPath(url, sha, dirPath);
    } catch (err) {
      if (err instanceof GitError && err.code === "PATH_MISSING")
        throw new AgentError(
          "GIT_PATH_MISSING",
          `path ${dirPath || "/"} not found at ${sha.slice(0, 12)} in ${redactUrls(url)}`,
        );
      throw this.#agentError(err, url, dirPath);
    }
    const clean = source.path;
    const kind: SourceKind =
      render.kind && render.kind !== "auto" ? render.kind : source.isFile ? "plain" : detectKind(source.names);
    if (kind !== "plain")
      return this.#render(dir, sha, clean, kind, kind === "helm" ? await render.helm?.() : undefined);
    return this.#git.readManifestFiles(url, source, MAX_TOTAL_BYTES).catch((err: unknown) => {
      throw this.#agentError(err, url, dirPath);
    });
  }

  /**
   * A kustomization or chart: the commit's regular files (never symlinks) written to a private directory, since
   * bases and charts may be anywhere in the repository, and rendered by lib/render.
   */
  async #render(
    dir: string,
    sha: string,
    clean: string,
    kind: SourceKind,
    helm: HelmOptions | undefined,
  ): Promise<ManifestFile[]> {
    const work = await mkdtemp(path.join(os.tmpdir(), "wharf-render-"));
    try {
      await writeTree(dir, await listTree(dir, sha), work);
      const rendered = await renderSource({
        dir: work,
        path: clean,
        kind,
        ...(helm ? { helm } : {}),
        tools: this.#opts.tools ?? {},
        limits: { timeoutMs: this.#opts.timeoutMs ?? 120_000, maxOutputBytes: MAX_TOTAL_BYTES },
        // renderManifests parses the files (lib/agent/render.ts).
        parse: false,
      });
      return rendered.files;
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      const tool = kind === "helm" ? "HELM" : "KUSTOMIZE";
      throw new AgentError(
        err.code === "RENDER_TOOL_MISSING"
          ? `${tool}_UNAVAILABLE`
          : err.code === "MANIFESTS_INVALID"
            ? "MANIFESTS_INVALID"
            : `${tool}_FAILED`,
        err.message,
        { details: { problems: err.problems } },
      );
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}
