import fs from "node:fs";
import path from "node:path";
import { GitError, isRegularEntry, listTree, readBlobs, type TreeEntry } from "@/lib/process/git";
import { RenderError } from "./errors";

// Listing and reading a commit's files is the git client's (lib/process/git/tree.ts), one rule for push and pull.
export { isRegularEntry, listTree, type TreeEntry };

/** Largest tree written for kustomize or Helm (their bases and charts may be anywhere in the repository). */
export const TREE_MAX_BYTES = 256 * 1024 * 1024;
/** Blobs are read this many bytes at a time, so memory stays bounded whatever the tree's size. */
const BATCH_BYTES = 16 * 1024 * 1024;

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
  let blobs: Buffer[];
  try {
    blobs = await readBlobs(repoDir, batch, bytes);
  } catch (err) {
    throw new RenderError("RENDER_FAILED", err instanceof GitError ? err.message : `Reading the repository failed.`);
  }
  batch.forEach((entry, i) => {
    const target = path.join(into, ...entry.path.split("/"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, blobs[i] as Buffer, { mode: 0o600 });
  });
}
