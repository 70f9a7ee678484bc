import { RE2JS, RE2JSException } from "re2js";
import { ZImagePolicies } from "./protocol";

/**
 * Image tag patterns (`tagPattern` of an image policy) are regular expressions a deployer writes and the agent runs
 * against every tag a registry lists. JavaScript's backtracking RegExp takes exponential time on patterns like
 * `^(a+)+$` (a tag of 34 `a`s and a `!` pinned the agent's only thread), so patterns are compiled with RE2 (re2js, a
 * pure-JS port: no native module in the agent) whose matching is linear in the tag's length. RE2 has no
 * backreferences or lookaround; such patterns are refused when the policy is registered, not at sync time.
 * Plain JS, shared by the dashboard's routes (ZCheckedImagePolicies) and the agent; never imported by browser code
 * (lib/agent/protocol.ts is bundled into forms and stays free of re2js, ~260 KB: tests/unit/client-imports.test.ts).
 */

/** Longest pattern accepted. Real tag patterns are a few dozen characters. */
export const TAG_PATTERN_MAX_CHARS = 256;

/**
 * Largest compiled program (RE2 instructions) accepted: matching costs tag length × program size, and counted
 * repeats inflate the program (`[a-z]{1,300}` alone is ~600 instructions). Typical patterns compile to under 100.
 */
export const TAG_PATTERN_MAX_PROGRAM = 400;

/** A compiled tag pattern. */
export interface TagPattern {
  /**
   * When `tag` matches, the part of it the policy orders by (the `order` group, else the first group, else the whole
   * match); undefined when it does not match.
   */
  orderKey(tag: string): string | undefined;
}

/** Why a pattern is refused, in words fit for a form field; undefined when it is acceptable. */
export function tagPatternProblem(pattern: string): string | undefined {
  const compiled = compile(pattern);
  return "problem" in compiled ? compiled.problem : undefined;
}

/** Compiles a tag pattern with RE2, or throws an Error whose message says why it is refused. */
export function compileTagPattern(pattern: string): TagPattern {
  const compiled = compile(pattern);
  if ("problem" in compiled) throw new Error(compiled.problem);
  const re = compiled.re;
  return {
    orderKey(tag) {
      const m = re.exec(tag) as (string[] & { groups?: Record<string, string | undefined> }) | null;
      if (!m) return undefined;
      return m.groups?.order ?? m[1] ?? m[0] ?? "";
    },
  };
}

function compile(pattern: string): { re: RE2JS } | { problem: string } {
  if (pattern.length > TAG_PATTERN_MAX_CHARS) return { problem: `Use at most ${TAG_PATTERN_MAX_CHARS} characters.` };
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err;
    // RE2's own message names the construct: "invalid or unsupported Perl syntax: `(?=`", "invalid escape sequence: `\1`".
    const detail = err.message.replace(/^error parsing regexp: /, "");
    return {
      problem: `Not a pattern Wharf can run in linear time (${detail}). Backreferences (\\1) and lookaround ((?=…), (?!…), (?<=…)) are not supported.`,
    };
  }
  if (re.programSize() > TAG_PATTERN_MAX_PROGRAM) {
    return {
      problem: `The pattern is too complex (${re.programSize()} instructions; at most ${TAG_PATTERN_MAX_PROGRAM}). Use smaller repeat counts.`,
    };
  }
  return { re };
}

/**
 * Image policies as a route accepts them: ZImagePolicies (shape, shared with the forms) plus the RE2 check of every
 * tag pattern, so a pattern the agent would refuse is a 422 on its field at registration, not a failed sync later.
 */
export const ZCheckedImagePolicies = ZImagePolicies.superRefine((list, ctx) => {
  list.forEach((p, i) => {
    const problem = p.tagPattern === undefined ? undefined : tagPatternProblem(p.tagPattern);
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: [i, "tagPattern"] });
  });
});
