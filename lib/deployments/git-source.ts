import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import {
  checkGitUrl,
  GIT_MANIFESTS_MAX_BYTES,
  GitClient,
  GitError,
  readManifestFiles,
  type SourcePath,
} from "@/lib/process/git";
import { redactUrls } from "@/lib/process/run-tool";
import {
  detectKind,
  KUSTOMIZATION_FILES,
  listTree,
  RenderError,
  renderSource,
  writeTree,
  type HelmOptions,
  type SourceKind,
} from "@/lib/render";
import { ZGitPath, ZGitRef, ZGitUrl } from "./schemas";

/**
 * Push's side of the git client (lib/process/git): manifests from a Git repository at a ref and path. Each URL has a
 * bare cache under `<dataDir>/git-cache/<sha256(url)>`; a request fetches only the one commit it needs
 * (`--depth 1`), so a repeated fetch from a cached repository transfers the delta only. No ssh (the dashboard has no
 * key of its own), `file://` only inside WHARF_GIT_LOCAL_ROOTS; errors are 422s on the source's field.
 */

export interface GitSourceRequest {
  url: string;
  ref: string;
  /** A directory (read recursively) or a single file; "." is the repository root. */
  path: string;
  /**
   * How to render the path (the application's render options): `auto` (default) makes a folder with a Chart.yaml a
   * chart and one with a kustomization a kustomization, else reads its YAML/JSON files; `plain` reads the files
   * whatever else is there; `kustomize` and `helm` insist on their file (422 on the path without it).
   */
  kind?: "auto" | SourceKind;
  /**
   * For a Helm chart at the path: the release name and namespace (the target's), values, the target's versions.
   * A function is called only when the path renders as a chart (the target's versions cost a credential decrypt and
   * a round trip to its cluster, which plain folders and kustomizations do not need).
   */
  helm?: HelmOptions | (() => Promise<HelmOptions>);
}

/** Largest set of YAML/JSON files, and largest rendered output, a Git source may have: the git client's cap. */
export const GIT_SOURCE_MAX_BYTES = GIT_MANIFESTS_MAX_BYTES;

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

/** The client over one of the dashboard's caches: git-cache (shallow, per ref) or git-history (full, for ordering). */
function client(cache: "git-cache" | "git-history"): GitClient {
  return new GitClient({
    root: path.join(env().dataDir, cache),
    localRoots: env().WHARF_GIT_LOCAL_ROOTS,
    // git's own words about an unreachable remote: the server log only (see sourceError).
    log: (line) => console.error(`[wharf] ${line}`),
  });
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
 * The client's refusals as 422s on the source's field. UNREACHABLE is one message for a closed port, an empty reply,
 * a timeout, a missing repository or refused credentials: git's words would make the dashboard a port scanner and a
 * file-exists oracle, so the client logged them and nothing else shows them.
 */
function sourceError(err: unknown, url: string): unknown {
  if (!(err instanceof GitError)) return err;
  switch (err.code) {
    case "UNREACHABLE":
      return invalid("url", `Wharf could not reach the repository ${redactUrls(url)}.`);
    case "URL_NOT_ALLOWED":
      return invalid("url", err.message);
    case "REF_MISSING":
      return invalid("ref", err.message);
    case "FAILED":
      return err;
    default:
      return invalid("path", err.message);
  }
}

/** One cache directory per repository URL (the client's key: a hash, so nothing of the URL is in a file name). */
export function gitCacheDir(url: string): string {
  return client("git-cache").dirOf(url);
}

/**
 * Fetches `ref` (branch, tag or commit SHA) of `url` and returns the resolved commit, its author and the manifest
 * files (YAML/JSON, recursively, sorted) at `path`. Errors are 422s naming the field: ref not found, path not found,
 * repository unreachable.
 */
export async function fetchGitManifests(request: GitSourceRequest): Promise<GitManifests> {
  const { url } = checkFetchableUrl(request.url);
  const ref = ZGitRef.parse(request.ref);
  const repoPath = ZGitPath.parse(request.path);
  const git = client("git-cache");
  const dir = git.dirOf(url);
  const fail = (err: unknown) => {
    throw sourceError(err, url);
  };
  const commitSha = await git.fetchRef(url, ref, { depth: 1 }).catch(fail);
  const meta = await git.commit(url, commitSha);
  const { authorName = "", authorEmail = "", committedAt = "", message = "" } = meta ?? {};
  // The client's listing: regular files at or below the path only (no symlinks, nothing beside it).
  const source = await git.listPath(url, commitSha, repoPath).catch(fail);
  const { isFile, names: topLevel } = source;
  const kind = request.kind && request.kind !== "auto" ? request.kind : isFile ? "plain" : detectKind(topLevel);
  // Checked here, before a chart's helm options are asked for (they may reach the target's cluster).
  if (kind === "helm" && (isFile || !topLevel.includes("Chart.yaml")))
    throw invalid("path", `The application renders "${repoPath}" with Helm, and it has no Chart.yaml.`);
  if (kind === "kustomize" && (isFile || !KUSTOMIZATION_FILES.some((f) => topLevel.includes(f))))
    throw invalid("path", `The application renders "${repoPath}" with kustomize, and it has no kustomization.yaml.`);
  const files =
    kind === "plain"
      ? await readPlainFiles(dir, commitSha, source)
      : await renderFromTree(dir, commitSha, repoPath, {
          kind,
          ...(kind === "helm" && request.helm
            ? { helm: typeof request.helm === "function" ? await request.helm() : request.helm }
            : {}),
        });

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

/** The YAML/JSON files below the path, read straight from git (no checkout): the client's rule, the agent's too. */
async function readPlainFiles(
  dir: string,
  commitSha: string,
  source: SourcePath,
): Promise<{ path: string; content: string }[]> {
  const files = await readManifestFiles(dir, source, GIT_SOURCE_MAX_BYTES).catch((err: unknown) => {
    throw err instanceof GitError ? invalid("path", err.message) : err;
  });
  if (files.length === 0)
    throw invalid(
      "path",
      `"${source.path || "."}" holds no .yaml, .yml or .json files at commit ${commitSha.slice(0, 12)}.`,
    );
  return files;
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
  render: { kind: "kustomize" | "helm"; helm?: HelmOptions },
): Promise<{ path: string; content: string }[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), "wharf-source-"));
  try {
    await writeTree(dir, await listTree(dir, commitSha), work);
    const rendered = await renderSource({
      dir: work,
      path: repoPath,
      kind: render.kind,
      ...(render.helm ? { helm: render.helm } : {}),
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
  const { url } = checkFetchableUrl(opts.url);
  // A full-history cache of its own: the manifest cache is shallow, which makes ancestry unanswerable.
  const git = client("git-history");
  return git.locked(url, async () => {
    let branchHead: string | null = null;
    try {
      await git.fetch(url, [`+refs/heads/${opts.branch}:refs/heads/${opts.branch}`]);
      branchHead = (await git.commit(url, `refs/heads/${opts.branch}`))?.sha ?? null;
    } catch (err) {
      if (!(err instanceof GitError && err.code === "REF_MISSING")) throw sourceError(err, url);
    }
    const has = async (sha: string) => (await git.commit(url, sha)) !== undefined;
    for (const sha of [opts.current, opts.pushed])
      if (!(await has(sha))) await git.fetch(url, [sha]).catch(() => undefined);
    if (!(await has(opts.current)) || !(await has(opts.pushed)) || opts.current === opts.pushed)
      return { descends: false, branchHead };
    // Ancestor or not; a broken object counts as "not", which refuses the push.
    return { descends: await git.isAncestor(url, opts.current, opts.pushed), branchHead };
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
