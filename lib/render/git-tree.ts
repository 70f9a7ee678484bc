import fs from "node:fs";
import path from "node:path";
import { runGit } from "@/lib/process/git";
import { ToolError } from "@/lib/process/run-tool";
import { RenderError } from "./errors";

/** One entry of `git ls-tree -r -l`: a blob with its mode, object id, size and path from the repository root. */
export interface TreeEntry {
  mode: string;
  object: string;
  size: number;
  path: string;
}

/** Largest tree written for kustomize or Helm (their bases and charts may be anywhere in the repository). */
export const TREE_MAX_BYTES = 256 * 1024 * 1024;
/** Blobs are read this many bytes at a time, so memory stays bounded whatever the tree's size. */
const BATCH_BYTES = 16 * 1024 * 1024;
const LOCAL_TIMEOUT_MS = 60_000;

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
 * Whether an entry is written out for a tool to read: a regular file (never a symlink, whose target could be
 * anywhere on the machine, nor a submodule), at a path that stays inside the directory.
 */
export function isRegularEntry(entry: TreeEntry): boolean {
  return (
    (entry.mode === "100644" || entry.mode === "100755") &&
    !path.isAbsolute(entry.path) &&
    !entry.path.split("/").some((part) => part === ".." || part === "." || part === "" || part === ".git")
  );
}

/**
 * Writes the regular files of `entries` (from `listTree`) into `into`, read with `git cat-file --batch` a bounded
 * batch at a time: the tree kustomize and Helm read, without a checkout, a shell pipe or symlinks. Over `maxBytes`
 * in total is a SOURCE_TOO_LARGE error before anything is read.
 */
export async function writeTree(
  repoDir: string,
  entries: readonly TreeEntry[],
  into: string,
  maxBytes = TREE_MAX_BYTES,
): Promise<void> {
  const files = entries.filter(isRegularEntry);
  const total = files.reduce((n, e) => n + e.size, 0);
  if (total > maxBytes)
    throw new RenderError(
      "SOURCE_TOO_LARGE",
      `The repository's files are larger than ${Math.round(maxBytes / 1024 / 1024)} MiB (${total} bytes); a kustomization or Helm chart is rendered from the whole repository.`,
    );
  let batch: TreeEntry[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await writeBatch(repoDir, batch, into, batchBytes);
    batch = [];
    batchBytes = 0;
  };
  for (const entry of files) {
    if (batchBytes > 0 && batchBytes + entry.size > BATCH_BYTES) await flush();
    batch.push(entry);
    batchBytes += entry.size;
  }
  await flush();
}

async function writeBatch(repoDir: string, batch: TreeEntry[], into: string, bytes: number): Promise<void> {
  let stdout: Buffer;
  try {
    ({ stdout } = await runGit(["cat-file", "--batch"], {
      cwd: repoDir,
      input: batch.map((e) => `${e.object}\n`).join(""),
      timeoutMs: LOCAL_TIMEOUT_MS,
      // Each object adds a header line ("<sha> blob <size>\n") and a newline.
      maxOutputBytes: bytes + batch.length * 128,
    }));
  } catch (err) {
    throw new RenderError(
      "RENDER_FAILED",
      `Reading the repository failed: ${err instanceof ToolError ? err.reason : err instanceof Error ? err.message : String(err)}`,
    );
  }
  let offset = 0;
  for (const entry of batch) {
    const newline = stdout.indexOf(0x0a, offset);
    const [, type, size] = stdout.subarray(offset, newline).toString("utf8").split(" ");
    if (type !== "blob" || size === undefined)
      throw new RenderError("RENDER_FAILED", `Reading ${entry.path} from the repository failed.`);
    const start = newline + 1;
    const target = path.join(into, ...entry.path.split("/"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, stdout.subarray(start, start + Number(size)), { mode: 0o600 });
    offset = start + Number(size) + 1;
  }
}
