import { ToolError } from "../run-tool";
import { GitError } from "./error";
import { runGit } from "./policy";

/**
 * Reading a commit's files without a checkout, one rule for push and pull: regular files only (a symlink's blob is
 * a path that could point anywhere on the machine; a submodule is another repository), nothing outside the asked
 * path, no name git could not have checked out, and a size cap checked from the tree before any blob is read.
 */

/** One entry of `git ls-tree -r -l`: a blob with its mode, object id, size and path from the repository root. */
export interface TreeEntry {
  mode: string;
  object: string;
  size: number;
  path: string;
}

const LOCAL_TIMEOUT_MS = 60_000;

/**
 * Largest set of YAML/JSON files read from one source path, and the rendered output both sides allow: well above the
 * 10 MB kube-prometheus renders to, and bounded, so a repository of binaries cannot exhaust the dashboard's or the
 * agent's memory (the pasted-manifests limit, 1.5 MB, is a request body's).
 */
export const GIT_MANIFESTS_MAX_BYTES = 32 * 1024 * 1024;

/** YAML and JSON: what is read as manifests. */
export const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Every blob of `commit` (below `under`, when given), as `git ls-tree -r -l --full-tree` lists it. */
export async function listTree(repoDir: string, commit: string, under = ""): Promise<TreeEntry[]> {
  const { stdout } = await runGit(
    ["ls-tree", "-r", "-l", "-z", "--full-tree", commit, ...(under ? ["--", under] : [])],
    { cwd: repoDir, timeoutMs: LOCAL_TIMEOUT_MS },
  );
  return stdout
    .toString("utf8")
    .split("\0")
    .filter(Boolean)
    .flatMap((line) => {
      const tab = line.indexOf("\t");
      const [mode = "", type = "", object = "", size = ""] = line.slice(0, tab).split(/ +/);
      const file = line.slice(tab + 1);
      return type === "blob" && !file.includes("\n") ? [{ mode, object, size: Number(size) || 0, path: file }] : [];
    });
}

/**
 * Whether an entry may be read or written out: a regular file (never a symlink nor a submodule), at a path that
 * stays inside the repository (a crafted tree can hold `..`, empty or `.git` names that no checkout would accept).
 */
export function isRegularEntry(entry: TreeEntry): boolean {
  return (
    (entry.mode === "100644" || entry.mode === "100755") &&
    !entry.path.startsWith("/") &&
    !entry.path.split("/").some((part) => part === ".." || part === "." || part === "" || part === ".git")
  );
}

/**
 * Whether a file is read as a manifest, by its path below the source path and its git mode: a YAML/JSON regular
 * file, outside hidden files and directories. Hidden ones are skipped on both sides (the safer choice): .github and
 * .gitlab-ci.yml are YAML but not Kubernetes objects, and a dot-file is what a reviewer listing the folder misses.
 */
export function isManifestEntry(relativePath: string, mode: string): boolean {
  return (
    MANIFEST_FILE.test(relativePath) &&
    (mode === "100644" || mode === "100755") &&
    !relativePath.split("/").some((part) => part.startsWith("."))
  );
}

/**
 * A source path as the repository names it: "" for the root ("", ".", "/"), otherwise "/"-separated segments.
 * `..`, `.` or empty segments inside, backslashes and control characters are refused: the path never leaves the
 * repository, whatever git would make of it.
 */
export function cleanRepoPath(p: string): string {
  const trimmed = p
    .trim()
    .replace(/^\.?\/+/, "")
    .replace(/\/+$/, "");
  if (trimmed === "" || trimmed === ".") return "";
  if (/[\\\0-\x1f]/.test(trimmed) || trimmed.split("/").some((part) => part === "" || part === "." || part === ".."))
    throw new GitError("PATH_INVALID", `The path "${p}" leaves the repository; use a path inside it, without "..".`);
  return trimmed;
}

/** The regular files at a source path of one commit. */
export interface SourcePath {
  /** The cleaned path, "" for the repository root. */
  path: string;
  /** The path names one file rather than a folder. */
  isFile: boolean;
  /** Regular files at or below the path (never a symlink), from the repository root, sorted. */
  entries: TreeEntry[];
  /** Names directly in the folder (a Chart.yaml, a kustomization file …); for a file, its own name. */
  names: string[];
}

/** Lists `path` at `commit`: PATH_INVALID when it leaves the repository, PATH_MISSING when it names no file. */
export async function listSourcePath(repoDir: string, commit: string, p: string): Promise<SourcePath> {
  const clean = cleanRepoPath(p);
  const entries = (await listTree(repoDir, commit, clean))
    .filter(isRegularEntry)
    // ls-tree matches the path itself and what is below it; kept explicit so nothing beside it is ever read.
    .filter((e) => clean === "" || e.path === clean || e.path.startsWith(`${clean}/`))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (entries.length === 0)
    throw new GitError("PATH_MISSING", `The commit ${commit.slice(0, 12)} has no file or directory "${clean || "."}".`);
  const isFile = clean !== "" && entries.some((e) => e.path === clean);
  const prefix = clean && !isFile ? `${clean}/` : "";
  const names = isFile
    ? [clean.slice(clean.lastIndexOf("/") + 1)]
    : entries.map((e) => e.path.slice(prefix.length)).filter((n) => !n.includes("/"));
  return { path: clean, isFile, entries: isFile ? entries.filter((e) => e.path === clean) : entries, names };
}

/** The manifest files of a listed path: YAML/JSON regular files, hidden ones skipped (see isManifestEntry). */
export function manifestEntries(source: SourcePath): TreeEntry[] {
  const prefix = source.path && !source.isFile ? `${source.path}/` : "";
  return source.entries.filter((e) => isManifestEntry(e.path.slice(prefix.length), e.mode));
}

/**
 * Reads blobs through one `git cat-file --batch` process. Over `maxBytes` in total (by the sizes ls-tree gave) is a
 * TOO_LARGE error before anything is read; the output cap holds even if the tree lied.
 */
export async function readBlobs(repoDir: string, entries: readonly TreeEntry[], maxBytes: number): Promise<Buffer[]> {
  if (entries.length === 0) return [];
  const total = entries.reduce((n, e) => n + e.size, 0);
  const tooLarge = (bytes: number | string) =>
    new GitError("TOO_LARGE", `The files are larger than ${Math.round(maxBytes / 1024 / 1024)} MiB (${bytes} bytes).`);
  if (total > maxBytes) throw tooLarge(total);
  let stdout: Buffer;
  try {
    ({ stdout } = await runGit(["cat-file", "--batch"], {
      cwd: repoDir,
      input: entries.map((e) => `${e.object}\n`).join(""),
      timeoutMs: LOCAL_TIMEOUT_MS,
      // Each object adds a header line ("<sha> blob <size>\n") and a newline.
      maxOutputBytes: total + entries.length * 128,
    }));
  } catch (err) {
    if (err instanceof ToolError && err.kind === "output-limit") throw tooLarge(`more than ${total}`);
    throw new GitError("FAILED", `Reading the repository failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const newline = stdout.indexOf(0x0a, offset);
    const [, type, size] = stdout.subarray(offset, newline).toString("utf8").split(" ");
    if (newline < 0 || type !== "blob" || size === undefined)
      throw new GitError("FAILED", `Reading ${entry.path} from the repository failed.`);
    const start = newline + 1;
    blobs.push(stdout.subarray(start, start + Number(size)));
    offset = start + Number(size) + 1;
  }
  return blobs;
}

/**
 * The manifest files of a listed path with their text, sorted by path: YAML/JSON regular files, hidden ones skipped
 * (see isManifestEntry). TOO_LARGE, naming the path, over `maxBytes`.
 */
export async function readManifestFiles(
  repoDir: string,
  source: SourcePath,
  maxBytes: number,
): Promise<{ path: string; content: string }[]> {
  const entries = manifestEntries(source);
  let blobs: Buffer[];
  try {
    blobs = await readBlobs(repoDir, entries, maxBytes);
  } catch (err) {
    if (!(err instanceof GitError) || err.code !== "TOO_LARGE") throw err;
    const total = entries.reduce((n, e) => n + e.size, 0);
    throw new GitError(
      "TOO_LARGE",
      `The manifests at "${source.path || "."}" are larger than ${Math.round(maxBytes / 1024 / 1024)} MiB (${total} bytes).`,
    );
  }
  return entries.map((e, i) => ({ path: e.path, content: (blobs[i] as Buffer).toString("utf8") }));
}
