import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { fastParseDocuments } from "@/lib/kube/fast-yaml";
import { kubePrometheusLike } from "@/tests/support/render-fixtures";

// lib/kube/fast-yaml.ts reads renderer-style YAML without `yaml`; whatever it accepts must be valid YAML that `yaml`
// reads to the same values (dates as lib/kube normalizes them), documents and lines. Compared here on the
// kube-prometheus-like fixture, on random values printed by `yaml` in many styles, and on random damage to those.

function normalized(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, "Z");
  if (Array.isArray(value)) return value.map(normalized);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalized(v)]));
  return value;
}

/** undefined when the fast reader gave up; otherwise whether it agrees with `yaml` (a message when not). */
function compare(text: string): true | string | undefined {
  const fast = fastParseDocuments(text);
  if (!fast) return undefined;
  const docs = parseAllDocuments(text, { version: "1.1", merge: true, prettyErrors: false });
  const slow = Array.isArray(docs) ? docs : [];
  const errors = slow.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length > 0) return `accepted invalid YAML (${errors[0]}): ${JSON.stringify(text)}`;
  const values = slow.map((d) => normalized(d.toJS()));
  const mine = fast.map((d) => normalized(d.value));
  if (!isDeepStrictEqual(values, mine))
    return `read differently (${JSON.stringify(values)} and ${JSON.stringify(mine)}): ${JSON.stringify(text)}`;
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  for (const [i, doc] of slow.entries()) {
    const read = fast[i];
    if (!doc.contents || read?.value === null) continue;
    if (lineOf(doc.contents.range[0]) !== read?.line) return `another line for document ${i}: ${JSON.stringify(text)}`;
  }
  return true;
}

let seed = 7;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const STRINGS = [
  "",
  " ",
  "a",
  "yes",
  "No",
  "on",
  "0644",
  "0x1F",
  "1e3",
  "1:20",
  "~",
  "null",
  "2024-01-02",
  "2024-01-02T03:04:05Z",
  "a: b",
  "a #b",
  "#x",
  "- x",
  "'q'",
  '"d"',
  "multi\nline",
  "multi\n\nblank\n",
  "trail\n\n",
  "  lead\n  more\n",
  "tab\there",
  "x\\y",
  "ünï 🎉",
  "a'b",
  "{x}",
  "[y]",
  "&a",
  "*b",
  "!t",
  "%p",
  "@at",
  "`bt`",
  "key:",
  ":start",
  "?q",
  ".inf",
  "-.5",
  "+1",
  "1_000",
  "0b101",
  "<<",
  "a,b",
  "end ",
  "long words ".repeat(12),
  "\ttab",
  "C:\\path",
  "\u0001",
  "line\u2028sep",
  'json {\n    "a": [\n        1\n    ]\n}',
] as const;
function value(depth: number): unknown {
  const r = random();
  if (depth > 4 || r < 0.45) {
    const k = random();
    if (k < 0.65) return pick(STRINGS);
    if (k < 0.8) return Math.floor(random() * 2000) - 1000;
    if (k < 0.85) return random() * 100;
    if (k < 0.93) return random() < 0.5;
    return null;
  }
  const n = Math.floor(random() * 5);
  if (r < 0.72)
    return Object.fromEntries(
      Array.from({ length: n }, () => [
        random() < 0.7 ? `k${Math.floor(random() * 20)}` : pick(STRINGS),
        value(depth + 1),
      ]),
    );
  return Array.from({ length: n }, () => value(depth + 1));
}
const STYLES = [
  {},
  { lineWidth: 20, minContentWidth: 5 },
  { blockQuote: "literal" },
  { blockQuote: "folded", lineWidth: 30 },
  { defaultStringType: "QUOTE_DOUBLE" },
  { defaultStringType: "QUOTE_SINGLE" },
  { indentSeq: false },
  { indent: 4 },
  { blockQuote: false, lineWidth: 15 },
] as const;
const sample = (i: number) =>
  stringify(
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `n${i}` }, data: value(0), list: value(1) },
    { version: "1.1", ...STYLES[i % STYLES.length] },
  );

describe("fastParseDocuments", () => {
  it("reads the whole kube-prometheus-like fixture, as yaml does", () => {
    const files = Object.values(kubePrometheusLike({ scale: 0.2 }));
    for (const text of [...files, files.join("---\n")]) expect(compare(text)).toBe(true);
    // `yaml` reads the fixture in ~1 s idle: the unit project's 5 s default failed it on a loaded machine (load 12).
  }, 30_000);

  it("reads documents, comments and markers as yaml counts them", () => {
    const text = "# head\n---\na: 1\n---\n# only a comment\n---\n- x\n- z\n...\nb: |+\n  kept\n\n";
    expect(compare(text)).toBe(true);
    expect(fastParseDocuments(text)?.map((d) => d.value)).toEqual([{ a: 1 }, null, ["x", "z"], { b: "kept\n\n" }]);
    expect(fastParseDocuments("kind: List\nitems:\n- a: 1\n-\n  b: 2\n")?.[0]?.itemLines).toEqual([3, 5]);
  });

  it("gives up on what it does not read: anchors, tags, merge keys, flow content, non-string and duplicate keys", () => {
    for (const text of [
      "a: &x 1\nb: *x\n",
      "a: !!binary aGk=\n",
      "<<: {a: 1}\n",
      "a: {b: 1}\n",
      "1: a\n",
      "a: 1\na: 2\n",
      "%YAML 1.1\n---\na: 1\n",
      "a:\n\tb: 1\n",
      "a: 1\r\n",
      "__proto__: {}\n",
    ])
      expect(fastParseDocuments(text), text).toBeUndefined();
  });

  it(
    "agrees with yaml on random values in many styles, and never accepts what yaml refuses",
    { timeout: 120_000 },
    () => {
      let accepted = 0;
      for (let i = 0; i < 3000; i++) {
        const result = compare(sample(i));
        if (typeof result === "string") expect.fail(result);
        if (result) accepted++;
      }
      expect(accepted).toBeGreaterThan(1500);
      const pieces = [
        " ",
        ":",
        ": ",
        "- ",
        "'",
        '"',
        "#",
        " #",
        "\t",
        "\n",
        "\n  ",
        "|",
        ">",
        "{",
        "}",
        "[",
        "]",
        ",",
        "&a ",
        "*a",
        "!!str ",
        "? ",
        "\\",
        "---\n",
        "...\n",
        "<<: ",
      ];
      for (let i = 0; i < 6000; i++) {
        let text = sample(i);
        for (let e = 0; e < 1 + Math.floor(random() * 3); e++) {
          const at = Math.floor(random() * text.length);
          const r = random();
          if (r < 0.4) text = text.slice(0, at) + pick(pieces) + text.slice(at);
          else if (r < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
          else text = text.slice(0, at) + pick(pieces) + text.slice(at + 1);
        }
        const result = compare(text);
        if (typeof result === "string") expect.fail(result);
      }
    },
  );
});
