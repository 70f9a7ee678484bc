import "server-only";
import { gunzipSync } from "node:zlib";
import { manifestsSha256 } from "@/lib/agent/applied-manifests";
import { MANIFESTS_MAX_BYTES, ZSha256Hex, type TManifestsStatus, type TManifestsStored } from "@/lib/agent/protocol";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";

/** Whether Wharf holds the applied manifests of a digest (`GET /api/agent/v1/manifests/<sha256>`). */
export async function manifestsHeld(opts: { sha256: string }): Promise<TManifestsStatus> {
  const sha256 = ZSha256Hex.parse(opts.sha256);
  const row = await db().appliedManifestsBlob.findUnique({ where: { sha256 }, select: { sha256: true } });
  return { sha256, held: row !== null };
}

/**
 * Stores applied manifests an agent uploaded (`PUT /api/agent/v1/manifests/<sha256>`), once per digest: the gzip is
 * kept as sent, but only after it inflated (within MANIFESTS_MAX_BYTES, so a small gzip cannot expand without bound)
 * to bytes whose SHA-256 is the digest it is filed under — the download then serves exactly what the agent applied,
 * and no agent can file other text under a digest a sync event names. The route caps the gzip itself
 * (MANIFESTS_GZ_MAX_BYTES, 413 before anything is stored). Content-addressed, so any enrolled agent may upload: the
 * text says nothing until a sync event of the agent's own scope names its digest.
 */
export async function storeAppliedManifests(opts: { sha256: string; gz: Uint8Array }): Promise<TManifestsStored> {
  const sha256 = ZSha256Hex.parse(opts.sha256);
  if (await db().appliedManifestsBlob.findUnique({ where: { sha256 }, select: { sha256: true } }))
    return { sha256, stored: false };
  let bytes: Buffer;
  try {
    bytes = gunzipSync(opts.gz, { maxOutputLength: MANIFESTS_MAX_BYTES });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `The manifests are larger than ${MANIFESTS_MAX_BYTES / (1024 * 1024)} MiB once decompressed.`,
      );
    throw new AppError("VALIDATION_FAILED", "Send the manifests as a gzip stream.");
  }
  const actual = manifestsSha256(bytes);
  if (actual !== sha256)
    throw new AppError(
      "VALIDATION_FAILED",
      `The manifests' SHA-256 is ${actual}, not ${sha256}: nothing stored. Upload them under their own digest.`,
    );
  try {
    await db().appliedManifestsBlob.create({
      data: { sha256, gz: new Uint8Array(opts.gz), bytes: bytes.length },
    });
    return { sha256, stored: true };
  } catch (err) {
    // Another upload of the same render (another agent, or a retry) stored it first: the same bytes either way.
    if (isUniqueViolation(err)) return { sha256, stored: false };
    throw err;
  }
}
