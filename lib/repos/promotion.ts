import { commitOfRevision, revisionIdOf, type TRepoSpec } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";

/** The image tags a revision id carries (`<sha>+<policy>=<tag>,…@<digest>`), by policy name. */
export function imagesOfRevision(revisionId: string): Record<string, string> {
  const plus = revisionId.indexOf("+");
  if (plus < 0) return {};
  const at = revisionId.indexOf("@", plus);
  const images: Record<string, string> = {};
  for (const part of revisionId.slice(plus + 1, at < 0 ? undefined : at).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) images[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return images;
}

/**
 * The revision a promotion asks the destination's agent to apply: the commit live in the source environment, with
 * the image tags its image policies chose there for the policies the destination has by the same name (the version
 * moves, as Kargo's freight does), made with the destination's own settings — its folder, values and render options
 * (environments differ in configuration, not in version), so its digest is the destination's current spec's.
 */
export function promotedRevisionId(sourceRevision: string, destinationSpec: TRepoSpec): string {
  const policies = new Set(destinationSpec.imagePolicies.map((p) => p.name));
  const images = Object.fromEntries(Object.entries(imagesOfRevision(sourceRevision)).filter(([n]) => policies.has(n)));
  return revisionIdOf(commitOfRevision(sourceRevision), images, specDigestOf(destinationSpec));
}
