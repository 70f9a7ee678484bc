/**
 * Field sets in the `FieldsV1` trie format of structured-merge-diff: keys are path elements (`f:name`,
 * `k:{"name":"x"}`, `v:"value"`, `i:0`), `.` marks a node that is itself a member and has children.
 */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  child(pe: string): FieldSet {
    let c = this.children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.children.set(pe, c);
    }
    return c;
  }

  get empty(): boolean {
    return !this.member && this.children.size === 0;
  }

  static fromFieldsV1(raw: unknown): FieldSet {
    const set = new FieldSet();
    if (!raw || typeof raw !== "object") return set;
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (k === ".") {
        set.member = true;
        continue;
      }
      const child = FieldSet.fromFieldsV1(v);
      if (child.children.size === 0) child.member = true;
      set.children.set(k, child);
    }
    return set;
  }

  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size > 0) out["."] = {};
    for (const k of [...this.children.keys()].sort(comparePathElements)) {
      const c = this.children.get(k);
      if (c && !c.empty) out[k] = c.toFieldsV1();
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, v] of this.children) out.children.set(k, v.clone());
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.mergeIn(other);
    return out;
  }

  private mergeIn(other: FieldSet): void {
    if (other.member) this.member = true;
    for (const [k, v] of other.children) this.child(k).mergeIn(v);
  }

  /** Paths of this set that are not members of `other`. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [k, v] of this.children) {
      const o = other.children.get(k);
      const d = o ? v.difference(o) : v.clone();
      if (!d.empty) out.children.set(k, d);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [k, v] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const i = v.intersection(o);
      if (!i.empty) out.children.set(k, i);
    }
    return out;
  }

  /** Members that have no member descendants (what SMD calls leaves). */
  leaves(): FieldSet {
    const out = new FieldSet();
    let hasMemberChild = false;
    for (const [k, v] of this.children) {
      const l = v.leaves();
      if (!l.empty) {
        out.children.set(k, l);
        hasMemberChild = true;
      }
    }
    if (this.member && !hasMemberChild) out.member = true;
    return out;
  }

  /** True when the set has this exact path or anything below it. */
  hasPrefix(path: string[]): boolean {
    if (path.length === 0) return !this.empty;
    const [head, ...rest] = path as [string, ...string[]];
    const child = this.children.get(head);
    return child ? child.hasPrefix(rest) : false;
  }

  /** Every member path, depth-first. */
  paths(prefix: string[] = [], out: string[][] = []): string[][] {
    if (this.member && prefix.length > 0) out.push(prefix);
    for (const [k, v] of this.children) v.paths([...prefix, k], out);
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this.member !== other.member || this.children.size !== other.children.size) return false;
    for (const [k, v] of this.children) {
      const o = other.children.get(k);
      if (!o || !v.equals(o)) return false;
    }
    return true;
  }

  remove(path: string[]): void {
    if (path.length === 0) return;
    const [head, ...rest] = path as [string, ...string[]];
    const c = this.children.get(head);
    if (!c) return;
    if (rest.length === 0) c.member = false;
    else c.remove(rest);
    if (c.empty) this.children.delete(head);
  }
}

/** structured-merge-diff orders path elements by kind (field, value, key, index), then by content. */
function comparePathElements(a: string, b: string): number {
  const rank = (s: string) => ({ f: 0, v: 1, k: 2, i: 3 })[s[0] as "f" | "v" | "k" | "i"] ?? 4;
  const d = rank(a) - rank(b);
  if (d !== 0) return d;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `.spec.template.spec.containers[name="app"].image`, the notation conflict messages use. */
export function pathToString(path: string[]): string {
  let out = "";
  for (const pe of path) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case "f":
        out += `.${body}`;
        break;
      case "k": {
        const key = JSON.parse(body) as Record<string, unknown>;
        out += `[${Object.entries(key)
          .map(([k, v]) => `${k}=${typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v)}`)
          .join(",")}]`;
        break;
      }
      case "v":
        out += `[=${body}]`;
        break;
      case "i":
        out += `[${body}]`;
        break;
      default:
        out += pe;
    }
  }
  return out;
}
