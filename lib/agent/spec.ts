import { createHash } from "node:crypto";
import type { TRepoSpec } from "./protocol";

/**
 * Digest of a repository's apply-relevant spec (protocol.ts ZRepoSpec), part of every revision id. The agent and
 * the dashboard compute it alike, so both name the same revision. The input is a fixed-order array, as the audit
 * chain's is, so key order never matters and a field added to the spec later changes every digest (a new revision,
 * approved anew) rather than silently not counting. 128 bits: someone who may change a repository's settings must
 * not be able to craft two specs with one digest, get the harmless one approved and switch to the other.
 */
export function specDigestOf(spec: TRepoSpec): string {
  const canonical = JSON.stringify([
    spec.url,
    spec.branch,
    spec.path,
    spec.prune,
    spec.imagePolicies.map((p) => [
      p.name,
      p.repository,
      p.semver ?? null,
      p.tagPattern ?? null,
      p.order ?? null,
      p.targets.map((t) => [t.kind ?? null, t.name ?? null, t.container ?? null]),
    ]),
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 32);
}
