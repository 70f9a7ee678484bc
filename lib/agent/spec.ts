import { createHash } from "node:crypto";
import { renderOf, type TRepoSpec } from "./protocol";

/**
 * A value rebuilt with its object keys inserted in sorted order at every level, so inline Helm values hash alike
 * whatever order they were stored in (objects stay objects and arrays arrays: the two never hash alike).
 */
function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonicalJson((value as Record<string, unknown>)[k])]),
    );
  return value ?? null;
}

/**
 * Digest of a repository's apply-relevant spec (protocol.ts ZRepoSpec), part of every revision id. The agent and
 * the dashboard compute it alike, so both name the same revision. The input is a fixed-order array, as the audit
 * chain's is, so key order never matters and a field added to the spec later changes every digest (a new revision,
 * approved anew) rather than silently not counting — except render options at their default, which are left out
 * entirely: the digest of every repository that keeps them is the one it had before they existed, so upgrading does
 * not make every approval-gated target's applied revision a new one awaiting approval. 128 bits: someone who may
 * change a repository's settings must not be able to craft two specs with one digest, get the harmless one approved
 * and switch to the other.
 */
export function specDigestOf(spec: TRepoSpec): string {
  const render = renderOf(spec.render);
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
    ...(render
      ? [
          [
            render.kind,
            render.helm?.releaseName ?? null,
            render.helm?.valuesFiles ?? [],
            canonicalJson(render.helm?.values ?? {}),
            (render.helm?.repositories ?? []).map((r) => [r.name, r.url]),
          ],
        ]
      : []),
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 32);
}
