import { gunzipSync } from "node:zlib";
import { gzipManifests, manifestsSha256 } from "@/lib/agent/applied-manifests";

/**
 * How a push deployment keeps its manifests: the exact text it was requested with (and the executor applies),
 * gzip-compressed in `manifestsGz` with the SHA-256 of its bytes in `manifestsSha256`. Rows stored before that keep
 * their text in `manifests`; gzip cannot be written by a migration's SQL, so readers take whichever is set. Plain Node:
 * the executor, the data layer and tests share it.
 */

/** The stored columns a reader selects; `manifestsGz` only where the text is needed (never in lists). */
export interface StoredManifestsColumns {
  manifests: string;
  manifestsGz: Uint8Array | null;
}

/** SHA-256 (hex) of the manifests' bytes as UTF-8: the digest of the downloadable file (the pull agent's too). */
export { manifestsSha256 };

/** The columns a new deployment row is written with: the text compressed, the old text column left empty. */
export function compressManifests(text: string): {
  manifests: string;
  manifestsGz: Uint8Array<ArrayBuffer>;
  manifestsSha256: string;
} {
  const bytes = Buffer.from(text, "utf8");
  const gz = gzipManifests(bytes);
  return { manifests: "", manifestsGz: new Uint8Array(gz), manifestsSha256: manifestsSha256(bytes) };
}

/** The manifests' bytes exactly as stored (and applied), from either column. */
export function manifestsBytesOf(row: StoredManifestsColumns): Buffer {
  return row.manifestsGz ? gunzipSync(row.manifestsGz) : Buffer.from(row.manifests, "utf8");
}

/** The manifests' text, from either column. */
export function manifestsTextOf(row: StoredManifestsColumns): string {
  return row.manifestsGz ? gunzipSync(row.manifestsGz).toString("utf8") : row.manifests;
}
