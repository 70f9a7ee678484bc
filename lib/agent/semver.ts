/**
 * Semantic versions and npm-style ranges (`^1`, `~1.2`, `>=1.2.0 <2`, `1.x`, `1.2 - 1.4`, `a || b`), enough to choose
 * image tags: a thin wrapper over npm's own `semver` package. Tags may carry a leading `v`. Pre-releases follow npm's
 * rule: `2.0.0-rc.1` only satisfies a range that names a pre-release of 2.0.0 itself, so `^1` never picks a release
 * candidate.
 */
import { Range, SemVer as NpmSemVer, compare } from "semver";

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: (string | number)[];
  /** The text it was parsed from (tag names keep their `v`). */
  raw: string;
}

/** A parsed range, for testing many versions against it without parsing it again. */
export type SemVerRange = Range;

// Rebuilt from the fields (not `raw`) so a SemVer literal compares by what it says.
function npm(version: SemVer): NpmSemVer {
  const pre = version.prerelease.length ? `-${version.prerelease.join(".")}` : "";
  return new NpmSemVer(`${version.major}.${version.minor}.${version.patch}${pre}`);
}

/** Parses `1.2.3`, `v1.2.3-rc.1+build`; undefined for anything else (e.g. `latest`, `1.2`). */
export function parseSemVer(text: string): SemVer | undefined {
  let parsed: NpmSemVer;
  try {
    // Strict (not loose) mode: exactly `[v]MAJOR.MINOR.PATCH[-pre][+build]`, no leading zeros; it throws on
    // anything else, including components past 2^53.
    parsed = new NpmSemVer(text);
  } catch {
    return undefined;
  }
  // `raw` stays the caller's text: the chosen tag is written back exactly as the registry lists it.
  return {
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: [...parsed.prerelease],
    raw: text,
  };
}

/** Semver precedence: negative when a < b. Build metadata is ignored. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  return compare(npm(a), npm(b));
}

/** Parses a range; throws SyntaxError naming the bad part. An empty string or `*` matches every release. */
export function parseRange(range: string): SemVerRange {
  try {
    return new Range(range);
  } catch (err) {
    // semver says "Invalid comparator: ^one"; image policies report the version part the user got wrong.
    const comparator = /Invalid comparator: (.*)$/.exec(err instanceof Error ? err.message : "")?.[1];
    const part = comparator?.replace(/^(?:[<>]=?|=|\^|~>?)\s*/, "") ?? range;
    throw new SyntaxError(`invalid version "${part}" in range "${range}"`);
  }
}

/** Whether `version` satisfies `range` (string or parsed), with npm's pre-release rule. */
export function satisfies(version: SemVer, range: string | SemVerRange): boolean {
  return (typeof range === "string" ? parseRange(range) : range).test(npm(version));
}
