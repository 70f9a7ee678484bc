import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import YAML from "yaml";
import type { KubeObject } from "@/lib/kube";
import type { TAppliedManifestsRef } from "./protocol";

/**
 * The record of what a sync applied (issue 16, Must 4): the rendered objects as one YAML file, named by the SHA-256
 * of its bytes. The digest and gzip are the same for push deployments (lib/deployments/stored-manifests.ts builds on
 * these), so a downloaded file checks the same way whichever side applied it. Plain Node.
 */

/** SHA-256 (hex) of the manifests' bytes: the digest of the downloadable file. */
export function manifestsSha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** gzip of the manifests' bytes. Level 9: written once, read rarely; repetitive YAML shrinks several-fold either way. */
export function gzipManifests(bytes: Uint8Array): Buffer {
  return gzipSync(bytes, { level: 9 });
}

/**
 * The objects an apply sent, in its order, as multi-document YAML. Deterministic (same objects, same bytes), so an
 * unchanged render has the same digest sync after sync and is uploaded once.
 */
export function appliedManifestsText(objects: readonly KubeObject[]): string {
  return objects.map((o) => YAML.stringify(o, { lineWidth: 0 })).join("---\n");
}

/**
 * Applied manifests waiting to be uploaded, one gzip file per digest under `<stateDir>/manifests`, so the upload
 * survives a restart or a Wharf outage like the event that names them (lib/agent/event-buffer.ts). A file goes once
 * Wharf holds its digest, or refused it for good (too large, or a Wharf older than the record): the event keeps the
 * digest either way.
 */
export class ManifestsSpool {
  readonly #dir: string;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#dir = dir;
  }

  #file(sha256: string): string {
    return path.join(this.#dir, `${sha256}.yaml.gz`);
  }

  /**
   * Keeps the objects' manifests (once per digest) and returns what the event names them by. A failed write (a full
   * disk) loses only the text: the sync it records already happened, and its event still carries the digest.
   */
  keep(objects: readonly KubeObject[], onWriteError?: (err: unknown) => void): TAppliedManifestsRef {
    const bytes = Buffer.from(appliedManifestsText(objects), "utf8");
    const sha256 = manifestsSha256(bytes);
    const file = this.#file(sha256);
    try {
      if (!fs.existsSync(file)) {
        const tmp = `${file}.tmp`;
        fs.writeFileSync(tmp, gzipManifests(bytes), { mode: 0o600 });
        fs.renameSync(tmp, file);
      }
    } catch (err) {
      onWriteError?.(err);
    }
    return { sha256, bytes: bytes.length };
  }

  /** The gzip kept for a digest, or undefined when none is waiting. */
  read(sha256: string): Buffer | undefined {
    try {
      return fs.readFileSync(this.#file(sha256));
    } catch {
      return undefined;
    }
  }

  remove(sha256: string): void {
    fs.rmSync(this.#file(sha256), { force: true });
  }

  /** Removes files no waiting event names (their events were dropped by overflow, or a crash left a `.tmp`). */
  prune(wanted: ReadonlySet<string>): void {
    for (const name of fs.readdirSync(this.#dir)) {
      const sha256 = name.endsWith(".yaml.gz") ? name.slice(0, -".yaml.gz".length) : null;
      if (sha256 === null || !wanted.has(sha256)) fs.rmSync(path.join(this.#dir, name), { force: true });
    }
  }
}
