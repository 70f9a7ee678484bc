import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { redactUrls, ToolError, toolReason, type ToolResult } from "../run-tool";
import { GitError } from "./error";
import { checkGitUrl, isMissingRef, runGit, type GitRunOptions } from "./policy";
import { listSourcePath, readManifestFiles, type SourcePath } from "./tree";

/**
 * The git client of push (lib/deployments/git-source.ts) and pull (lib/agent/git.ts): one bare repository per URL
 * under a root directory, fetched through the policy (./policy.ts) and read without a checkout (./tree.ts).
 * Credentials reach git only as file paths (a credential-store file, an SSH key), never as values in argv or env.
 */

/** Where the agent's Git credentials come from; paths only, the secrets never leave the files. */
export interface GitCredentials {
  /** git-credential-store file (`https://user:token@host` per line), used through `credential.helper=store`. */
  credentialStoreFile?: string;
  /** SSH private key for `ssh://` and `git@host:` URLs. */
  sshKeyFile?: string;
  /** known_hosts for SSH; without it, host keys are accepted on first use. */
  knownHostsFile?: string;
}

export interface GitClientOptions {
  /** Directory holding one bare repository per URL (the dashboard's `<dataDir>/git-cache`, the agent's `<state>/git`). */
  root: string;
  /** Absolute directories `file://` repositories may come from (WHARF_GIT_LOCAL_ROOTS); none by default. */
  localRoots?: readonly string[];
  /**
   * ssh:// and scp-like URLs: the agent only, which is given its own key. The dashboard refuses them: git there
   * would authenticate with whatever keys its host user has.
   */
  ssh?: boolean;
  credentials?: GitCredentials;
  /** Per fetch; default 120 s. Local reads have their own bound. */
  timeoutMs?: number;
  /** Where git's own words about an unreachable repository go (a log); the error says only UNREACHABLE. */
  log?: (line: string) => void;
}

export interface CommitInfo {
  sha: string;
  authorName: string;
  authorEmail: string;
  /** ISO 8601. */
  authorDate: string;
  /** ISO 8601. */
  committedAt: string;
  message: string;
}

const LOCAL_TIMEOUT_MS = 60_000;
const SHA = /^[0-9a-f]{40}$/i;

/** Quoted for the shell git runs `credential.helper` and GIT_SSH_COMMAND with. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// Work on one bare repository is serialized within the process (whichever client asks); git's lock files cover
// other processes.
const queues = new Map<string, Promise<unknown>>();

export class GitClient {
  readonly #opts: GitClientOptions;

  constructor(opts: GitClientOptions) {
    this.#opts = opts;
  }

  /** The repository of a URL: the hash keeps URLs (and anything in them) out of file names. */
  dirOf(url: string): string {
    return path.join(this.#opts.root, createHash("sha256").update(url).digest("hex"));
  }

  /** Refuses a `file://` URL outside the local roots before git ever sees it; says whether the URL is local. */
  checkUrl(url: string): { local: boolean } {
    const checked = checkGitUrl(url, this.#opts.localRoots ?? []);
    if (!checked.ok) throw new GitError("URL_NOT_ALLOWED", checked.message);
    return { local: checked.local };
  }

  /** Runs `fn` alone on the URL's repository (a fetch and the reads that must see its result). */
  locked<T>(url: string, fn: () => Promise<T>): Promise<T> {
    const key = this.dirOf(url);
    const next = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
    const settled = next.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return next;
  }

  /** git with the policy, in the URL's repository: transports per URL, credentials as paths. */
  run(url: string, args: string[], opts: Pick<GitRunOptions, "input" | "timeoutMs"> & { local?: boolean } = {}) {
    const creds = this.#opts.credentials ?? {};
    const ssh = this.#opts.ssh ?? false;
    const env: Record<string, string> = {};
    if (ssh && creds.sshKeyFile) {
      const knownHosts = creds.knownHostsFile
        ? `-o UserKnownHostsFile=${shellQuote(creds.knownHostsFile)} -o StrictHostKeyChecking=yes`
        : `-o UserKnownHostsFile=${shellQuote(path.join(this.#opts.root, "known_hosts"))} -o StrictHostKeyChecking=accept-new`;
      // -F /dev/null: no ssh_config of the machine (a ProxyCommand there would run with the key).
      env.GIT_SSH_COMMAND = `ssh -F /dev/null -i ${shellQuote(creds.sshKeyFile)} -o IdentitiesOnly=yes -o BatchMode=yes ${knownHosts}`;
    }
    return runGit(args, {
      cwd: this.dirOf(url),
      env,
      // The policy clears inherited credential helpers; then only the configured store is asked.
      config: creds.credentialStoreFile
        ? [`credential.helper=store --file=${shellQuote(creds.credentialStoreFile)}`]
        : [],
      allow: { ssh, file: opts.local ?? false },
      timeoutMs: opts.timeoutMs ?? LOCAL_TIMEOUT_MS,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
  }

  async #ensureRepo(url: string): Promise<void> {
    const dir = this.dirOf(url);
    if (fs.existsSync(path.join(dir, "HEAD"))) return;
    await rm(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await runGit(["init", "--quiet", "--bare", dir], { timeoutMs: LOCAL_TIMEOUT_MS });
  }

  /**
   * Fetches `refspecs` of `url` into its repository (created on first use). The URL is passed each time rather than
   * stored as a remote: a URL changed in Wharf is another repository anyway. REF_MISSING when the remote answered
   * without the ref; every other failure is one UNREACHABLE, so git's text (a closed port, a missing directory) cannot
   * serve as a port scanner or a file-exists oracle; its reason goes to the log. Call inside `locked`.
   */
  async fetch(url: string, refspecs: string[], opts: { depth?: number } = {}): Promise<void> {
    const { local } = this.checkUrl(url);
    await this.#ensureRepo(url);
    try {
      await this.run(
        url,
        [
          "fetch",
          "--quiet",
          "--no-tags",
          "--no-write-fetch-head",
          ...(opts.depth ? ["--depth", String(opts.depth)] : []),
          "--",
          url,
          ...refspecs,
        ],
        { local, timeoutMs: this.#opts.timeoutMs ?? 120_000 },
      );
    } catch (err) {
      if (isMissingRef(err)) throw new GitError("REF_MISSING", `${redactUrls(url)} has no such branch, tag or commit.`);
      const reason =
        err instanceof ToolError
          ? toolReason(err.stderr || err.reason)
          : err instanceof Error
            ? err.message
            : String(err);
      this.#opts.log?.(`git fetch of ${redactUrls(url)} failed: ${redactUrls(reason)}`);
      throw new GitError("UNREACHABLE", `could not reach the repository ${redactUrls(url)}`);
    }
  }

  /**
   * Fetches one branch, tag or commit SHA (`depth` 1: only that commit's objects) and returns the commit it names,
   * through a temporary ref removed afterwards; objects stay until a gc (two weeks for unreachable ones).
   */
  async fetchRef(url: string, ref: string, opts: { depth?: number } = {}): Promise<string> {
    return this.locked(url, async () => {
      const temp = `refs/wharf/fetch-${randomBytes(6).toString("hex")}`;
      await this.fetch(url, [SHA.test(ref) ? `${ref}:${temp}` : `+${ref}:${temp}`], opts).catch((err: unknown) => {
        throw err instanceof GitError && err.code === "REF_MISSING"
          ? new GitError("REF_MISSING", `The repository has no branch, tag or commit "${ref}".`)
          : err;
      });
      try {
        return (await this.run(url, ["rev-parse", "--verify", `${temp}^{commit}`])).stdout.toString("utf8").trim();
      } catch {
        throw new GitError("REF_MISSING", `"${ref}" does not name a commit.`);
      } finally {
        await this.run(url, ["update-ref", "-d", temp]).catch(() => undefined);
      }
    });
  }

  /** The commit `rev` names in the URL's repository, or undefined when it holds no such commit. */
  async commit(url: string, rev: string): Promise<CommitInfo | undefined> {
    let result: ToolResult;
    try {
      result = await this.run(url, [
        "show",
        "-s",
        "--format=%H%x00%an%x00%ae%x00%aI%x00%cI%x00%B",
        `${rev}^{commit}`,
        "--",
      ]);
    } catch {
      return undefined;
    }
    const [sha = "", authorName = "", authorEmail = "", authorDate = "", committedAt = "", ...message] = result.stdout
      .toString("utf8")
      .split("\0");
    return { sha: sha.trim(), authorName, authorEmail, authorDate, committedAt, message: message.join("\0").trim() };
  }

  /** Whether `ancestor` is a strict-or-equal ancestor of `descendant`; a broken object counts as "not". */
  isAncestor(url: string, ancestor: string, descendant: string): Promise<boolean> {
    return this.run(url, ["merge-base", "--is-ancestor", ancestor, descendant]).then(
      () => true,
      () => false,
    );
  }

  /** The regular files at `p` in `commit` (PATH_INVALID, PATH_MISSING: see ./tree.ts). */
  listPath(url: string, commit: string, p: string): Promise<SourcePath> {
    return listSourcePath(this.dirOf(url), commit, p);
  }

  /** The YAML/JSON files of a listed path with their text, sorted by path; TOO_LARGE over `maxBytes`. */
  readManifestFiles(url: string, source: SourcePath, maxBytes: number): Promise<{ path: string; content: string }[]> {
    return readManifestFiles(this.dirOf(url), source, maxBytes);
  }
}
