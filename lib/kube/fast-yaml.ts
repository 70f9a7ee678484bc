import { Document, isScalar } from "yaml";

/**
 * A fast reader for the plain block YAML that renderers print (helm, kustomize, jsonnet, controller-gen): block
 * mappings and sequences, plain, quoted and block scalars, `{}` and `[]`. The `yaml` package's tokenizer, not Wharf's
 * checks, was the cost of a large source: 9.6 MB of kube-prometheus-like manifests took 3.6 s to 11 s on the busy
 * 2-core CI machine, and take 0.8 s to 1.1 s here (`npm run bench -- parse`). It gives up (returns undefined) on
 * anything else: anchors, aliases, tags, merge keys, flow collections with content, complex or non-string keys,
 * duplicate keys, `__proto__`, tabs or CR in the layout, directives, indentation indicators, block scalars of blank
 * lines only, very deep nesting. The caller then parses the whole input with `yaml` (./yaml.ts, with its alias bound
 * and its error positions), so this reader never reports an error and never decides what is valid: whatever it
 * accepts, `yaml` reads to the same values, documents and lines (tests/unit/kube/fast-yaml.test.ts compares the two on
 * the fixtures, on random values printed in many styles, and on random damage to those).
 */

/** One document: its value (null when it holds nothing) and the 1-based lines of the root and of its list items. */
export interface FastDocument {
  value: unknown;
  line: number;
  /** For a root sequence, or a root mapping's `items` sequence: the line each item starts on. */
  itemLines: number[];
}

const MAX_DEPTH = 64;

// YAML trims spaces and tabs only; String#trim also takes U+2028 and other Unicode spaces that are content in YAML.
const TRAILING_SPACE = /[ \t]+$/;
const LEADING_SPACE = /^[ \t]+/;
/** What may follow a quoted scalar on its line: nothing, or a comment after white space. */
const AFTER_SCALAR = /^(?:[ \t]+(?:#.*)?)?$/;

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

// The YAML 1.1 scalar types of `yaml` itself, so a plain scalar resolves exactly as it would there.
const schema = new Document(undefined, { version: "1.1", merge: true }).schema;
interface PlainTag {
  test?: RegExp;
  resolve?: (value: string, onError: (message: string) => void, options: object) => unknown;
}
const plainTags = schema.tags.filter((tag) => tag.default === true && tag.test !== undefined) as PlainTag[];

// Only these can start a plain scalar of another type than string in YAML 1.1 (null, bool, int, float, timestamp):
// most scalars skip the dozen tag tests. The tests compare the outcome with `yaml`'s.
const MAYBE_TYPED = /^[-+.0-9~nNyYtTfFoO]/;

function resolvePlain(text: string): unknown {
  if (text !== "" && !MAYBE_TYPED.test(text)) return text;
  const tag = plainTags.find((t) => t.test?.test(text));
  if (!tag?.resolve) return text;
  let failed = false;
  const res: unknown = tag.resolve(text, () => (failed = true), {});
  if (failed) giveUp();
  const value = isScalar(res) ? res.value : res;
  return typeof value === "bigint" ? Number(value) : value;
}

interface Line {
  indent: number;
  /** Offset of the first non-space character, and of the line's end (before "\n"). */
  start: number;
  end: number;
  line: number;
}

/**
 * Parses `text` (one file) into its documents, or undefined when any part of it is outside the subset above.
 */
export function fastParseDocuments(text: string): FastDocument[] | undefined {
  if (text.includes("\r") || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return new Reader(text).documents();
  } catch (err) {
    if (err instanceof GiveUp || err instanceof RangeError) return undefined;
    throw err;
  }
}

class Reader {
  private readonly text: string;
  private lines: Line[] = [];
  private i = 0;
  /** Plain keys already checked: the same few (apiVersion, metadata, name...) recur in every object. */
  private readonly plainKeys = new Set<string>();

  constructor(text: string) {
    this.text = text;
  }

  documents(): FastDocument[] {
    const text = this.text;
    const docs: FastDocument[] = [];
    // Documents are counted as `yaml` counts them (problems name them by index): one starts at "---" or at content
    // after "...", and one that holds nothing is still a document. Comments before the first "---" are its own.
    let current: Line[] = [];
    let open = false;
    const flush = () => {
      docs.push(this.document(current) ?? { value: null, line: 1, itemLines: [] });
      current = [];
    };
    let lineNo = 0;
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf("\n", pos);
      if (end === -1) end = text.length;
      lineNo++;
      let indent = 0;
      while (text.charCodeAt(pos + indent) === 32) indent++;
      const start = pos + indent;
      const first = text.charCodeAt(start);
      const marker =
        indent === 0 &&
        (text.startsWith("---", pos) || text.startsWith("...", pos)) &&
        (end === pos + 3 || text.charCodeAt(pos + 3) === 32);
      if (marker) {
        const rest = text
          .slice(pos + 3, end)
          .replace(TRAILING_SPACE, "")
          .replace(LEADING_SPACE, "");
        // "--- value", "--- |" and the like start a document on the marker line: not in this subset.
        if (rest !== "" && !rest.startsWith("#")) giveUp();
        if (open) flush();
        current = [];
        open = first === 45;
        pos = end + 1;
        continue;
      }
      if (indent === 0 && first === 37 /* % */) giveUp();
      const line = { indent, start, end, line: lineNo };
      current.push(line);
      if (!this.blank(line)) open = true;
      pos = end + 1;
    }
    if (open) flush();
    return docs;
  }

  private blank(l: Line): boolean {
    return l.start >= l.end || this.text.charCodeAt(l.start) === 35; /* # */
  }

  private document(lines: Line[]): FastDocument | undefined {
    this.lines = lines;
    this.i = 0;
    this.skipBlank();
    if (this.i >= this.lines.length) return undefined;
    const first = this.lines[this.i] as Line;
    const itemLines: number[] = [];
    const value = this.node(-1, 0, itemLines);
    this.skipBlank();
    if (this.i < this.lines.length) giveUp();
    return { value, line: first.line, itemLines };
  }

  private skipBlank(): void {
    while (this.i < this.lines.length && this.blank(this.lines[this.i] as Line)) {
      const l = this.lines[this.i] as Line;
      // A tab before content is layout `yaml` may read differently.
      if (l.start < l.end && this.text.charCodeAt(l.start) === 9) giveUp();
      this.i++;
    }
  }

  /** A block node on the current line, more indented than `parent` (a sequence may sit at `parent`'s own indent). */
  private node(parent: number, depth: number, itemLines?: number[], seqAtParent = false): unknown {
    if (depth > MAX_DEPTH) giveUp();
    this.skipBlank();
    const l = this.lines[this.i];
    if (!l) return null;
    if (l.indent <= parent && !(seqAtParent && l.indent === parent && this.isSeqItem(l.start, l.end))) return null;
    if (this.text.charCodeAt(l.start) === 9) giveUp();
    if (this.isSeqItem(l.start, l.end)) return this.sequence(l.indent, l.start, depth, itemLines);
    return this.mappingOrScalar(l.indent, l.start, depth, itemLines);
  }

  private isSeqItem(start: number, end: number): boolean {
    return this.text.charCodeAt(start) === 45 && (start + 1 === end || this.text.charCodeAt(start + 1) === 32);
  }

  /** A block sequence whose items start at column `col` (the "-"), the first one at offset `at` of the current line. */
  private sequence(col: number, at: number, depth: number, itemLines?: number[]): unknown[] {
    const out: unknown[] = [];
    let start = at;
    for (;;) {
      const l = this.lines[this.i] as Line;
      let p = start + 1;
      while (this.text.charCodeAt(p) === 32) p++;
      if (p >= l.end || this.text.charCodeAt(p) === 35) {
        this.i++;
        this.skipBlank();
        // The item's node starts on the next content line (`yaml` places it there).
        if (itemLines) itemLines.push(this.lines[this.i]?.line ?? l.line);
        out.push(this.node(col, depth + 1));
      } else {
        itemLines?.push(l.line);
        // Content on the "- " line: a compact mapping or sequence at that column, or a scalar.
        const itemCol = l.indent + (p - l.start);
        if (this.isSeqItem(p, l.end)) out.push(this.sequence(itemCol, p, depth + 1));
        else out.push(this.mappingOrScalar(itemCol, p, depth + 1));
      }
      this.skipBlank();
      const next = this.lines[this.i];
      if (!next || next.indent !== col || !this.isSeqItem(next.start, next.end)) {
        if (next && next.indent > col) giveUp();
        return out;
      }
      start = next.start;
    }
  }

  /** Where a mapping key ends (the ":" of ": " or of a line-ending ":"), or -1 when `from` starts no implicit key. */
  private keyEnd(from: number, end: number): number {
    const text = this.text;
    const c = text.charCodeAt(from);
    if (c === 34 || c === 39) {
      const close = c === 39 ? this.singleQuotedEnd(from, end) : this.doubleQuotedEnd(from, end);
      if (close < 0) return -1;
      let p = close + 1;
      while (text.charCodeAt(p) === 32) p++;
      return text.charCodeAt(p) === 58 && (p + 1 === end || text.charCodeAt(p + 1) === 32) ? p : -1;
    }
    for (let p = from; p < end; p++) {
      const ch = text.charCodeAt(p);
      if (ch === 58 && (p + 1 === end || text.charCodeAt(p + 1) === 32)) return p;
      if (ch === 35 && text.charCodeAt(p - 1) === 32) return -1;
    }
    return -1;
  }

  private mappingOrScalar(col: number, at: number, depth: number, itemLines?: number[]): unknown {
    const l = this.lines[this.i] as Line;
    if (this.keyEnd(at, l.end) < 0) {
      // A scalar on its own: the whole document, or a sequence item.
      return this.inlineValue(at, l.end, col - 1);
    }
    return this.mapping(col, at, depth, itemLines);
  }

  private mapping(col: number, at: number, depth: number, itemLines?: number[]): Record<string, unknown> {
    const text = this.text;
    const out: Record<string, unknown> = {};
    let start = at;
    for (;;) {
      const l = this.lines[this.i] as Line;
      if (text.charCodeAt(start) === 9) giveUp();
      const colon = this.keyEnd(start, l.end);
      if (colon < 0) giveUp();
      const key = this.key(start, colon);
      if (Object.prototype.hasOwnProperty.call(out, key)) giveUp();
      let p = colon + 1;
      while (text.charCodeAt(p) === 32) p++;
      let value: unknown;
      if (p >= l.end || text.charCodeAt(p) === 35) {
        this.i++;
        value = this.node(col, depth + 1, key === "items" && depth === 0 ? itemLines : undefined, true);
      } else {
        value = this.inlineValue(p, l.end, col);
      }
      out[key] = value;
      this.skipBlank();
      const next = this.lines[this.i];
      if (!next || next.indent < col) return out;
      if (next.indent > col) giveUp();
      if (this.isSeqItem(next.start, next.end)) {
        // A sequence at the mapping's indent ends it only when the mapping is a sequence item's.
        return out;
      }
      start = next.start;
    }
  }

  private key(from: number, colon: number): string {
    const text = this.text;
    const c = text.charCodeAt(from);
    if (c === 34 || c === 39) {
      const close = c === 39 ? this.singleQuotedEnd(from, colon) : this.doubleQuotedEnd(from, colon);
      const key = c === 39 ? this.singleQuoted(from, close) : this.doubleQuoted(from, close);
      if (key === "__proto__") giveUp();
      return key;
    }
    const raw = text.slice(from, colon).replace(TRAILING_SPACE, "");
    if (this.plainKeys.has(raw)) return raw;
    if (raw.includes("\t")) giveUp();
    if (raw === "" || raw === "__proto__" || raw === "<<" || /^[-?:,[\]{}#&*!|>'"%@`]/.test(raw)) {
      if (!(raw.length > 1 && /^[-?:][^ ]/.test(raw))) giveUp();
    }
    if (typeof resolvePlain(raw) !== "string") giveUp();
    this.plainKeys.add(raw);
    return raw;
  }

  /** A value that starts on the current line at `at`; consumes its lines. `parent` is the owner's indent. */
  private inlineValue(at: number, end: number, parent: number): unknown {
    const text = this.text;
    const c = text.charCodeAt(at);
    if (c === 124 || c === 62 /* | > */) return this.blockScalar(at, end, parent);
    if (c === 34 || c === 39) return this.quoted(at, c, parent);
    if (c === 123 || c === 91 /* { [ */) {
      const rest = text
        .slice(at, end)
        .replace(/\s+#.*$/, "")
        .replace(TRAILING_SPACE, "")
        .replace(LEADING_SPACE, "");
      if (rest === "{}" || rest === "[]") {
        this.i++;
        return rest === "{}" ? {} : [];
      }
      giveUp();
    }
    if (/[\]}&*!%@`,#\t]/.test(text[at] as string)) giveUp();
    if ((c === 45 || c === 63 || c === 58) && (at + 1 >= end || text.charCodeAt(at + 1) === 32)) giveUp();
    return this.plain(at, end, parent);
  }

  private plain(at: number, end: number, parent: number): unknown {
    const text = this.text;
    // Searched within the line only: an unbounded indexOf made a file of many short scalars quadratic.
    const inLine = text.slice(at, end).indexOf(" #");
    const comment = inLine < 0 ? -1 : at + inLine;
    const stop = comment < 0 ? end : comment;
    const first = text.slice(at, stop).replace(TRAILING_SPACE, "");
    if (/: |:$|\t/.test(first)) giveUp();
    this.i++;
    // Continuation lines: more indented than the owner, folded with single spaces (blank lines are newlines).
    let folded: string | undefined;
    let blanks = 0;
    while (this.i < this.lines.length) {
      const l = this.lines[this.i] as Line;
      if (l.start >= l.end) {
        blanks++;
        this.i++;
        continue;
      }
      if (l.indent <= parent || comment >= 0) break;
      const part = text.slice(l.start, l.end).replace(TRAILING_SPACE, "");
      if (/^#|: |:$| #|\t/.test(part) || (this.isSeqItem(l.start, l.end) && l.indent <= parent + 1)) giveUp();
      folded = `${folded ?? first}${blanks > 0 ? "\n".repeat(blanks) : " "}${part}`;
      blanks = 0;
      this.i++;
    }
    // Blank lines after the scalar belong to no one: step back so the caller sees the next content line.
    this.i -= blanks;
    return folded === undefined ? resolvePlain(first) : folded;
  }

  private singleQuotedEnd(from: number, end: number): number {
    const text = this.text;
    for (let p = from + 1; p < end; p++) {
      if (text.charCodeAt(p) !== 39) continue;
      if (text.charCodeAt(p + 1) === 39 && p + 1 < end) p++;
      else return p;
    }
    return -1;
  }

  private doubleQuotedEnd(from: number, end: number): number {
    const text = this.text;
    for (let p = from + 1; p < end; p++) {
      const ch = text.charCodeAt(p);
      if (ch === 92) p++;
      else if (ch === 34) return p;
    }
    return -1;
  }

  private singleQuoted(from: number, close: number): string {
    return this.text.slice(from + 1, close).replace(/''/g, "'");
  }

  private doubleQuoted(from: number, close: number): string {
    const body = this.text.slice(from + 1, close);
    if (!body.includes("\\")) return body;
    // JSON's escapes are YAML's, except \x, \e, \0, \a, \v, \N, \_, \L, \P, "\ " and \/ (also JSON): give up on those.
    if (/\\[^"\\/bfnrtu]/.test(body)) giveUp();
    try {
      return JSON.parse(`"${body}"`) as string;
    } catch {
      return giveUp();
    }
  }

  /** A quoted scalar from `at`, on one line or folded over several (no escapes at line ends). */
  private quoted(at: number, quote: number, parent: number): string {
    const text = this.text;
    const l = this.lines[this.i] as Line;
    const close = quote === 39 ? this.singleQuotedEnd(at, l.end) : this.doubleQuotedEnd(at, l.end);
    if (close >= 0) {
      if (!AFTER_SCALAR.test(text.slice(close + 1, l.end))) giveUp();
      this.i++;
      return quote === 39 ? this.singleQuoted(at, close) : this.doubleQuoted(at, close);
    }
    // Over several lines: join with the folding rules, then unescape once.
    const parts: string[] = [text.slice(at + 1, l.end).replace(TRAILING_SPACE, "")];
    let blanks = 0;
    this.i++;
    for (;;) {
      const next = this.lines[this.i];
      if (!next) return giveUp();
      if (next.start >= next.end) {
        blanks++;
        this.i++;
        continue;
      }
      if (next.indent <= parent) giveUp();
      const lineEnd =
        quote === 39 ? this.singleQuotedEnd(next.start - 1, next.end) : this.doubleQuotedEnd(next.start - 1, next.end);
      const piece = text.slice(next.start, lineEnd >= 0 ? lineEnd : next.end);
      if (/\t/.test(piece) || (quote === 34 && /\\$/.test(parts[parts.length - 1] as string))) giveUp();
      parts.push(
        `${blanks > 0 ? "\n".repeat(blanks) : " "}${lineEnd >= 0 ? piece : piece.replace(TRAILING_SPACE, "")}`,
      );
      blanks = 0;
      this.i++;
      if (lineEnd >= 0) {
        if (!AFTER_SCALAR.test(text.slice(lineEnd + 1, next.end))) giveUp();
        const joined = parts.join("");
        if (quote === 39) return joined.replace(/''/g, "'");
        if (!joined.includes("\\")) return joined;
        if (/\\[^"\\/bfnrtu]/.test(joined)) giveUp();
        try {
          return JSON.parse(`"${joined.replace(/\n/g, "\\n")}"`) as string;
        } catch {
          return giveUp();
        }
      }
    }
  }

  /**
   * `|` or `>` with optional chomping (`-`, `+`), content more indented than `parent`: the lines are gathered here and
   * folded or kept exactly as `yaml`'s resolveBlockScalar does it (more-indented lines in folded scalars included).
   */
  private blockScalar(at: number, end: number, parent: number): string {
    const text = this.text;
    const header = text
      .slice(at, end)
      .replace(/\s+#.*$/, "")
      .replace(TRAILING_SPACE, "");
    const match = /^([|>])([-+]?)$/.exec(header);
    if (!match) return giveUp();
    const folded = match[1] === ">";
    const chomp = match[2];
    this.i++;
    let trimIndent = -1;
    const raw: { indent: number; content: string }[] = [];
    while (this.i < this.lines.length) {
      const l = this.lines[this.i] as Line;
      if (l.start >= l.end) {
        raw.push({ indent: l.indent, content: "" });
        this.i++;
        continue;
      }
      if (trimIndent < 0) {
        if (l.indent <= parent) break;
        trimIndent = l.indent;
      } else if (l.indent < trimIndent) break;
      raw.push({ indent: l.indent, content: text.slice(l.start, l.end) });
      this.i++;
    }
    let chompStart = raw.length;
    while (chompStart > 0 && (raw[chompStart - 1] as { content: string }).content === "") chompStart--;
    // Nothing but blank lines: rare, and `yaml` counts them its own way.
    if (chompStart === 0 || trimIndent < 0) return giveUp();
    let contentStart = 0;
    while ((raw[contentStart] as { content: string }).content === "") {
      // More-indented leading blank lines need an indentation indicator (an error in `yaml`).
      if ((raw[contentStart] as { indent: number }).indent > trimIndent) giveUp();
      contentStart++;
    }
    for (let k = raw.length - 1; k >= chompStart; k--) {
      if ((raw[k] as { indent: number }).indent > trimIndent) {
        chompStart = k + 1;
        break;
      }
    }
    const spaces = (n: number) => (n > trimIndent ? " ".repeat(n - trimIndent) : "");
    let value = "";
    for (let k = 0; k < contentStart; k++) value += "\n";
    let sep = "";
    let prevMoreIndented = false;
    for (let k = contentStart; k < chompStart; k++) {
      const { indent, content } = raw[k] as { indent: number; content: string };
      if (!folded) {
        value += sep + spaces(indent) + content;
        sep = "\n";
      } else if (indent > trimIndent || content.startsWith("\t")) {
        if (sep === " ") sep = "\n";
        else if (!prevMoreIndented && sep === "\n") sep = "\n\n";
        value += sep + spaces(indent) + content;
        sep = "\n";
        prevMoreIndented = true;
      } else if (content === "") {
        if (sep === "\n") value += "\n";
        else sep = "\n";
      } else {
        value += sep + content;
        sep = " ";
        prevMoreIndented = false;
      }
    }
    if (chomp === "-") return value;
    if (chomp === "+") {
      value += "\n";
      for (let k = chompStart; k < raw.length; k++) value += `${spaces((raw[k] as { indent: number }).indent)}\n`;
      return value;
    }
    return `${value}\n`;
  }
}
