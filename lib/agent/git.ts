import { createHash } from "node:crypto";
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { checkGitUrl, isManifestEntry, isMissingRef, runGit } from "@/lib/process/git";
import { findOnPath, ToolError, toolReason } from "@/lib/process/run-tool";
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

/** Largest manifest set read from one path, so a repository of binaries cannot exhaust the agent's memory. */
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

interface RunResult {
  stdout: Buffer;
  stderr: string;
}

export { findOnPath };

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

  /** git's variables beyond the shared policy: only the SSH command when a key is configured. */
  #env(): Record<string, string> {
    const creds = this.#opts.credentials ?? {};
    if (!creds.sshKeyFile) return {};
    const knownHosts = creds.knownHostsFile
      ? `-o UserKnownHostsFile=${creds.knownHostsFile} -o StrictHostKeyChecking=yes`
      : `-o UserKnownHostsFile=${path.join(this.#opts.dir, "known_hosts")} -o StrictHostKeyChecking=accept-new`;
    return { GIT_SSH_COMMAND: `ssh -i ${creds.sshKeyFile} -o IdentitiesOnly=yes -o BatchMode=yes ${knownHosts}` };
  }

  #run(
    args: string[],
    opts: { cwd?: string; input?: string; stdoutTo?: NodeJS.WritableStream; allowFile?: boolean } = {},
  ): Promise<RunResult> {
    const store = this.#opts.credentials?.credentialStoreFile;
    return runGit(args, {
      cwd: opts.cwd ?? this.#opts.dir,
      // HOME is the mirror directory: nothing of the agent user's home is read.
      home: this.#opts.dir,
      env: this.#env(),
      // The policy clears inherited credential helpers; then only the configured store is asked.
      config: store ? [`credential.helper=store --file=${store}`] : [],
      allow: { ssh: true, file: opts.allowFile ?? false },
      timeoutMs: this.#opts.timeoutMs ?? 120_000,
      maxOutputBytes: MAX_TOTAL_BYTES * 2,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      ...(opts.stdoutTo ? { stdoutTo: opts.stdoutTo } : {}),
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

  /** Refuses a `file://` URL outside the agent's local roots before git ever sees it. */
  #checkUrl(url: string): boolean {
    const checked = checkGitUrl(url, this.#opts.localRoots ?? []);
    if (!checked.ok)
      throw new AgentError("GIT_FAILED", `repository ${redactUrls(url)} is not allowed: ${checked.message}`);
    return checked.local;
  }

  async #fetchBranch(dir: string, url: string, branch: string): Promise<void> {
    const allowFile = this.#checkUrl(url);
    try {
      // The URL is passed each time rather than stored as a remote: one process less per new mirror, and a URL
      // changed in Wharf maps to a new mirror anyway.
      await this.#run(
        [
          "fetch",
          "--quiet",
          "--no-tags",
          "--no-write-fetch-head",
          "--",
          url,
          `+refs/heads/${branch}:refs/heads/${branch}`,
        ],
        { cwd: dir, allowFile },
      );
    } catch (err) {
      if (isMissingRef(err))
        throw new AgentError("GIT_BRANCH_MISSING", `branch ${branch} not found in ${redactUrls(url)}`);
      // One message for a closed port, an empty reply, a timeout, a missing repository or anything else the remote
      // said: the sync history is shown in Wharf, and git's words there would let whoever registers URLs scan the
      // cluster's network. git's reason goes to the agent's log.
      const reason = err instanceof ToolError ? toolReason(err.stderr || err.reason) : String(err);
      this.#opts.log?.(`git: fetch of ${redactUrls(url)} failed: ${reason}`);
      throw new AgentError("GIT_UNREACHABLE", `could not reach the repository ${redactUrls(url)}`);
    }
  }

  async #commitInfo(dir: string, rev: string): Promise<CommitInfo | undefined> {
    try {
      const { stdout } = await this.#run(
        ["show", "-s", "--format=%H%x00%an%x00%ae%x00%aI%x00%B", `${rev}^{commit}`, "--"],
        { cwd: dir },
      );
      const [sha, authorName, authorEmail, date, ...message] = stdout.toString("utf8").split("\0");
      return {
        sha: sha!.trim(),
        authorName: authorName ?? "",
        authorEmail: authorEmail ?? "",
        date: date ?? "",
        message: message.join("\0").trim(),
      };
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
        await this.#run(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--", url, revision], {
          cwd: dir,
          allowFile: this.#checkUrl(url),
        }).catch(() => undefined);
        pinned = await this.#commitInfo(dir, revision);
      }
      if (!pinned) throw new AgentError("GIT_REVISION_MISSING", `revision ${revision} not found in ${redactUrls(url)}`);
      return pinned;
    });
  }

  /**
   * Manifests under `dirPath` at `sha`: every .yaml/.yml/.json file, recursively (hidden directories such as .github
   * skipped: their YAML is not Kubernetes), or — when the directory has a kustomization file or a Chart.yaml — what
   * lib/render's kustomize or helm renders from it (`render.helm` gives the release, asked only for a chart). `dirPath` may also name a
   * single file. `render.kind` other than `auto` (the application's render options) insists on one renderer.
   */
  async readManifests(
    url: string,
    sha: string,
    dirPath: string,
    render: { kind?: "auto" | SourceKind; helm?: () => Promise<HelmOptions> } = {},
  ): Promise<ManifestFile[]> {
    const dir = this.mirrorDir(url);
    const clean = normalizePath(dirPath);
    const { stdout } = await this.#run(["ls-tree", "-r", "-z", "--full-tree", sha, "--", ...(clean ? [clean] : [])], {
      cwd: dir,
    });
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
    if (entries.length === 0)
      throw new AgentError(
        "GIT_PATH_MISSING",
        `path ${clean || "/"} not found at ${sha.slice(0, 12)} in ${redactUrls(url)}`,
      );
    const prefix = clean && entries.some((e) => e.path !== clean) ? `${clean}/` : "";
    const kind: SourceKind =
      render.kind && render.kind !== "auto"
        ? render.kind
        : prefix
          ? detectKind(entries.map((e) => e.path.slice(prefix.length)).filter((n) => !n.includes("/")))
          : clean
            ? "plain"
            : detectKind(entries.map((e) => e.path).filter((n) => !n.includes("/")));
    if (kind !== "plain")
      return this.#render(dir, sha, clean, kind, kind === "helm" ? await render.helm?.() : undefined);
    const wanted = entries.filter((entry) => isManifestEntry(entry.path.slice(prefix.length), entry.mode));
    const contents = await this.#readBlobs(
      dir,
      wanted.map((e) => e.object),
    );
    return wanted.map((entry, index) => ({ path: entry.path, content: contents[index] ?? "" }));
  }

  async #readBlobs(dir: string, objects: string[]): Promise<string[]> {
    if (objects.length === 0) return [];
    const tooLarge = () => new AgentError("MANIFESTS_INVALID", `manifests exceed ${MAX_TOTAL_BYTES / 1024 / 1024} MiB`);
    const { stdout } = await this.#run(["cat-file", "--batch"], { cwd: dir, input: `${objects.join("\n")}\n` }).catch(
      (err: unknown) => {
        throw err instanceof ToolError && err.kind === "output-limit" ? tooLarge() : err;
      },
    );
    if (stdout.length > MAX_TOTAL_BYTES + objects.length * 64) throw tooLarge();
    const out: string[] = [];
    let offset = 0;
    for (let i = 0; i < objects.length; i++) {
      const newline = stdout.indexOf(0x0a, offset);
      const header = stdout.subarray(offset, newline).toString("utf8").split(" ");
      const size = Number(header[2]);
      if (header[1] !== "blob" || !Number.isFinite(size))
        throw new AgentError("GIT_FAILED", `unexpected git cat-file output for ${objects[i]}`);
      out.push(stdout.subarray(newline + 1, newline + 1 + size).toString("utf8"));
      offset = newline + 1 + size + 1;
    }
    return out;
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

function normalizePath(p: string): string {
  return p
    .replace(/\\/g, "/")
    .split("/")
    .filter((part) => part && part !== ".")
    .join("/");
}
