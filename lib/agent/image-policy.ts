import { refOf, type KubeObject, type ObjectRef } from "@/lib/kube";
import { isRecord } from "@/lib/kube/types";
import { AgentError } from "./errors";
import { compareSemVer, parseRange, parseSemVer, satisfies, type SemVer } from "./semver";
import { compileTagPattern, type TagPattern } from "./tag-pattern";

/** The OCI distribution spec's limit on a tag's length. */
export const MAX_TAG_CHARS = 128;

/** Which workloads (and optionally which container) a policy may update; absent fields match anything. */
export interface ImagePolicyTarget {
  kind?: string;
  namespace?: string;
  name?: string;
  container?: string;
}

/** An image policy as the agent evaluates it. */
export interface ImagePolicySpec {
  /** Registry repository, e.g. `ghcr.io/acme/web` or `127.0.0.1:5000/shop/web` (no tag). */
  image: string;
  /** npm-style semver range (`^1`, `~1.4`, `>=2 <3`); takes precedence over `tagPattern`. */
  semverRange?: string;
  /** RE2 regular expression tags must match; a capture group (named `order` or the first) is what is ordered. */
  tagPattern?: string;
  /** Ordering for `tagPattern` tags: numeric (digit runs compared as numbers) or alphabetical. Default numeric. */
  ordering?: "numeric" | "alphabetical";
  /** Workloads/containers to update; empty or absent: every container running this image in the rendered set. */
  targets?: ImagePolicyTarget[];
}

/** An image reference split into the registry host and the repository path within it. */
export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = "docker.io";

/**
 * Parses `nginx`, `nginx:1.27`, `ghcr.io/a/b:tag`, `127.0.0.1:5000/x@sha256:…` the way container runtimes do:
 * the first component is a registry host only if it has a dot or a port, or is `localhost`; Docker Hub's
 * single-component names live under `library/`.
 */
export function parseImageReference(text: string): ImageReference {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  let registry = DOCKER_HUB;
  let repository = rest;
  if (first && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    repository = rest.slice(slash + 1);
  }
  if (registry === DOCKER_HUB && !repository.includes("/")) repository = `library/${repository}`;
  if (
    !repository ||
    !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)
  ) {
    throw new AgentError("IMAGE_POLICY_INVALID", `"${text}" is not a valid image reference`);
  }
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function sameRepository(a: ImageReference, b: ImageReference): boolean {
  const host = (r: string) => (r === "index.docker.io" || r === "registry-1.docker.io" ? DOCKER_HUB : r);
  return host(a.registry) === host(b.registry) && a.repository === b.repository;
}

function compareNumeric(a: string, b: string): number {
  const parts = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const bothNumbers = /^\d/.test(p) && /^\d/.test(q);
    let order: number;
    if (bothNumbers) {
      // BigInt: date-stamped tags (20240131123000) exceed what doubles compare exactly.
      const difference = BigInt(p) - BigInt(q);
      order = difference > 0n ? 1 : difference < 0n ? -1 : 0;
    } else {
      order = p < q ? -1 : p > q ? 1 : 0;
    }
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * The newest tag the policy allows, or undefined when none qualifies. Semver policies consider only valid semver
 * tags (leading `v` allowed) and pick the highest precedence; regex policies order the captured part (or the whole
 * tag) numerically or alphabetically. Patterns run on RE2 (./tag-pattern.ts): linear time whatever the pattern.
 */
export function selectTag(
  allTags: string[],
  policy: Pick<ImagePolicySpec, "semverRange" | "tagPattern" | "ordering">,
): string | undefined {
  // Longer than any valid tag (OCI: 128 characters): never a candidate, and not worth matching.
  const tags = allTags.filter((tag) => tag.length <= MAX_TAG_CHARS);
  if (policy.semverRange !== undefined) {
    let range;
    try {
      range = parseRange(policy.semverRange);
    } catch (err) {
      throw new AgentError(
        "IMAGE_POLICY_INVALID",
        `invalid semver range: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    let best: SemVer | undefined;
    for (const tag of tags) {
      const version = parseSemVer(tag);
      if (version && satisfies(version, range) && (!best || compareSemVer(version, best) > 0)) best = version;
    }
    return best?.raw;
  }
  if (policy.tagPattern === undefined)
    throw new AgentError("IMAGE_POLICY_INVALID", "an image policy needs a semver range or a tag pattern");
  let pattern: TagPattern;
  try {
    pattern = compileTagPattern(policy.tagPattern);
  } catch (err) {
    throw new AgentError(
      "IMAGE_POLICY_INVALID",
      `invalid tag pattern: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const compare =
    policy.ordering === "alphabetical" ? (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0) : compareNumeric;
  let best: { tag: string; key: string } | undefined;
  for (const tag of tags) {
    const key = pattern.orderKey(tag);
    if (key === undefined) continue;
    if (!best || compare(key, best.key) > 0 || (compare(key, best.key) === 0 && tag > best.tag)) best = { tag, key };
  }
  return best?.tag;
}

/** Pod specs inside a workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob…). */
function podSpecsOf(obj: KubeObject): Record<string, unknown>[] {
  const spec = isRecord(obj.spec) ? obj.spec : undefined;
  if (!spec) return [];
  if (obj.kind === "Pod") return [spec];
  const template = isRecord(spec.template) ? spec.template : undefined;
  if (template && isRecord(template.spec)) return [template.spec];
  const jobTemplate = isRecord(spec.jobTemplate) ? spec.jobTemplate : undefined;
  const jobSpec = jobTemplate && isRecord(jobTemplate.spec) ? jobTemplate.spec : undefined;
  const jobPod = jobSpec && isRecord(jobSpec.template) ? jobSpec.template : undefined;
  return jobPod && isRecord(jobPod.spec) ? [jobPod.spec] : [];
}

function targetMatches(targets: ImagePolicyTarget[] | undefined, obj: KubeObject, container: string): boolean {
  if (!targets || targets.length === 0) return true;
  return targets.some(
    (t) =>
      (t.kind === undefined || t.kind === obj.kind) &&
      (t.name === undefined || t.name === obj.metadata.name) &&
      (t.namespace === undefined || t.namespace === (obj.metadata.namespace ?? "default")) &&
      (t.container === undefined || t.container === container),
  );
}

/** One container whose image a policy changed. */
export interface ImageChange {
  ref: ObjectRef;
  container: string;
  from: string;
  to: string;
}

/**
 * Sets `image:tag` on every targeted container that runs the policy's repository, on copies of the objects.
 * Containers running another image are never touched, even when targeted by name.
 */
export function overrideImages(
  objects: KubeObject[],
  policy: ImagePolicySpec,
  tag: string,
): { objects: KubeObject[]; changes: ImageChange[] } {
  const wanted = parseImageReference(policy.image);
  const changes: ImageChange[] = [];
  const out = objects.map((original) => {
    if (podSpecsOf(original).length === 0) return original;
    const obj = structuredClone(original);
    for (const podSpec of podSpecsOf(obj)) {
      for (const field of ["initContainers", "containers"] as const) {
        const containers = Array.isArray(podSpec[field]) ? (podSpec[field] as unknown[]) : [];
        for (const container of containers) {
          if (!isRecord(container) || typeof container.image !== "string" || typeof container.name !== "string")
            continue;
          let current: ImageReference;
          try {
            current = parseImageReference(container.image);
          } catch {
            continue;
          }
          if (!sameRepository(current, wanted) || !targetMatches(policy.targets, obj, container.name)) continue;
          // Keep the spelling the manifest used for the repository; only the tag (and any digest pin) changes.
          const base = container.image.replace(/@.*$/, "").replace(/:[^:/]*$/, "");
          const next = `${base}:${tag}`;
          if (next !== container.image) {
            changes.push({ ref: refOf(obj), container: container.name, from: container.image, to: next });
            container.image = next;
          }
        }
      }
    }
    return obj;
  });
  return { objects: out, changes };
}
