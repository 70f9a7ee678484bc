/**
 * Semantic versions and npm-style ranges (`^1`, `~1.2`, `>=1.2.0 <2`, `1.x`, `1.2 - 1.4`, `a || b`), enough to choose
 * image tags. Tags may carry a leading `v`. Pre-releases follow npm's rule: `2.0.0-rc.1` only satisfies a range that
 * names a pre-release of 2.0.0 itself, so `^1` never picks a release candidate.
 */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: (string | number)[];
  /** The text it was parsed from (tag names keep their `v`). */
  raw: string;
}

const VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function identifier(part: string): string | number {
  return /^(0|[1-9]\d*)$/.test(part) ? Number(part) : part;
}

/** Parses `1.2.3`, `v1.2.3-rc.1+build`; undefined for anything else (e.g. `latest`, `1.2`). */
export function parseSemVer(text: string): SemVer | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor, patch, pre] = match;
  const nums = [Number(major), Number(minor), Number(patch)];
  if (nums.some((n) => !Number.isSafeInteger(n))) return undefined;
  return { major: nums[0]!, minor: nums[1]!, patch: nums[2]!, prerelease: pre ? pre.split(".").map(identifier) : [], raw: text };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence: negative when a < b. Build metadata is ignored. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return Math.sign(b.prerelease.length - a.prerelease.length);
  const length = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < length; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = compareIdentifiers(x, y);
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}

type Operator = ">=" | ">" | "<=" | "<" | "=";
interface Comparator {
  op: Operator;
  version: SemVer;
}
/** A range: any of several sets, each a conjunction of comparators. */
export type SemVerRange = Comparator[][];

interface Partial {
  major?: number;
  minor?: number;
  patch?: number;
  prerelease: (string | number)[];
}

const PARTIAL = /^v?(0|[1-9]\d*|[xX*])(?:\.(0|[1-9]\d*|[xX*]))?(?:\.(0|[1-9]\d*|[xX*]))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

function parsePartial(text: string, range: string): Partial {
  if (text === "" || text === "*" || text === "x" || text === "X") return { prerelease: [] };
  const match = PARTIAL.exec(text);
  if (!match) throw new SyntaxError(`invalid version "${text}" in range "${range}"`);
  const num = (part: string | undefined) => (part === undefined || /^[xX*]$/.test(part) ? undefined : Number(part));
  const major = num(match[1]);
  const minor = major === undefined ? undefined : num(match[2]);
  const patch = minor === undefined ? undefined : num(match[3]);
  return {
    ...(major === undefined ? {} : { major }),
    ...(minor === undefined ? {} : { minor }),
    ...(patch === undefined ? {} : { patch }),
    prerelease: patch !== undefined && match[4] ? match[4].split(".").map(identifier) : [],
  };
}

function v(major: number, minor: number, patch: number, prerelease: (string | number)[] = []): SemVer {
  return { major, minor, patch, prerelease, raw: `${major}.${minor}.${patch}${prerelease.length ? `-${prerelease.join(".")}` : ""}` };
}

/** `<x.y.z-0`: below every release and pre-release of x.y.z. */
function below(major: number, minor: number, patch: number): Comparator {
  return { op: "<", version: v(major, minor, patch, [0]) };
}

function lowerOf(p: Partial): SemVer {
  return v(p.major ?? 0, p.minor ?? 0, p.patch ?? 0, p.prerelease);
}

function desugar(token: string, range: string): Comparator[] {
  const caret = /^\^\s*(.*)$/.exec(token);
  if (caret) {
    const p = parsePartial(caret[1] ?? "", range);
    if (p.major === undefined) return [];
    const low = { op: ">=" as const, version: lowerOf(p) };
    if (p.major > 0 || p.minor === undefined) return [low, below(p.major + 1, 0, 0)];
    if (p.minor > 0 || p.patch === undefined) return [low, below(0, p.minor + 1, 0)];
    return [low, below(0, 0, p.patch + 1)];
  }
  const tilde = /^~>?\s*(.*)$/.exec(token);
  if (tilde) {
    const p = parsePartial(tilde[1] ?? "", range);
    if (p.major === undefined) return [];
    const low = { op: ">=" as const, version: lowerOf(p) };
    return p.minor === undefined ? [low, below(p.major + 1, 0, 0)] : [low, below(p.major, p.minor + 1, 0)];
  }
  const cmp = /^(>=|<=|>|<|=)?\s*(.*)$/.exec(token);
  const op = (cmp?.[1] ?? "=") as Operator;
  const p = parsePartial(cmp?.[2] ?? "", range);
  if (p.major === undefined) return op === "<" || op === ">" ? [{ op: "<", version: v(0, 0, 0, [0]) }] : [];
  const full = p.patch !== undefined;
  if (full) return [{ op, version: lowerOf(p) }];
  // A partial version stands for everything it covers: `1.2` is [1.2.0, 1.3.0).
  const next = p.minor === undefined ? v(p.major + 1, 0, 0) : v(p.major, p.minor + 1, 0);
  switch (op) {
    case "=":
      return [{ op: ">=", version: lowerOf(p) }, below(next.major, next.minor, next.patch)];
    case ">":
      return [{ op: ">=", version: next }];
    case ">=":
      return [{ op: ">=", version: lowerOf(p) }];
    case "<":
      return [below(p.major, p.minor ?? 0, 0)];
    case "<=":
      return [below(next.major, next.minor, next.patch)];
  }
}

/** Parses a range; throws SyntaxError naming the bad part. An empty string or `*` matches every release. */
export function parseRange(range: string): SemVerRange {
  return range.split("||").map((set) => {
    const text = set.trim().replace(/(>=|<=|>|<|=|\^|~>?)\s+/g, "$1");
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    if (hyphen) {
      const low = parsePartial(hyphen[1]!, range);
      const high = parsePartial(hyphen[2]!, range);
      const out: Comparator[] = [{ op: ">=", version: lowerOf(low) }];
      if (high.major !== undefined) {
        if (high.patch !== undefined) out.push({ op: "<=", version: lowerOf(high) });
        else out.push(...desugar(`<=${hyphen[2]}`, range));
      }
      return out;
    }
    return text === "" ? [] : text.split(/\s+/).flatMap((token) => desugar(token, range));
  });
}

function test(c: Comparator, version: SemVer): boolean {
  const order = compareSemVer(version, c.version);
  switch (c.op) {
    case ">=":
      return order >= 0;
    case ">":
      return order > 0;
    case "<=":
      return order <= 0;
    case "<":
      return order < 0;
    case "=":
      return order === 0;
  }
}

function sameCore(a: SemVer, b: SemVer): boolean {
  return a.major === b.major && a.minor === b.minor && a.patch === b.patch;
}

/** Whether `version` satisfies `range` (string or parsed), with npm's pre-release rule. */
export function satisfies(version: SemVer, range: string | SemVerRange): boolean {
  const sets = typeof range === "string" ? parseRange(range) : range;
  return sets.some((set) => {
    if (!set.every((c) => test(c, version))) return false;
    if (version.prerelease.length === 0) return true;
    // Synthetic `-0` bounds do not count as naming a pre-release.
    return set.some((c) => c.version.prerelease.length > 0 && !(c.version.prerelease.length === 1 && c.version.prerelease[0] === 0) && sameCore(c.version, version));
  });
}
