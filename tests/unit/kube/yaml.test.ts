import { describe, expect, it } from "vitest";
import { ManifestError, parseManifestFiles, parseManifests } from "@/lib/kube";
import { newAliasBudget, parseYamlDocuments, parseYamlValue } from "@/lib/kube/yaml";

const laughs = (levels: number) => {
  const lines = [`l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < levels; i++)
    lines.push(`l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(",")}]`);
  return lines.join("\n") + "\n";
};

describe("parseYamlDocuments: the alias expansion bound", () => {
  it("accepts what aliases add within the budget and refuses the rest at the alias that crosses it", () => {
    expect(parseYamlDocuments(laughs(3))[0]!.errors).toEqual([]);
    // 9^9 × 5 characters ≈ 1.9 GB expanded; refused from the tree's sizes, nothing expanded.
    const [doc] = parseYamlDocuments(laughs(9));
    expect(doc!.errors).toHaveLength(1);
    expect(doc!.errors[0]).toMatchObject({
      code: "RESOURCE_EXHAUSTION",
      message: expect.stringMatching(/aliases \(here \*l\d\) expand this input by more than 1 MiB/) as string,
    });
  });

  it("counts every alias of a big anchor, and charges one budget across documents and files", () => {
    const big = "y".repeat(400_000);
    expect(parseYamlDocuments(`a: &s ${big}\nb: *s\nc: *s\n`)[0]!.errors).toEqual([]);
    expect(parseYamlDocuments(`a: &s ${big}\nb: *s\nc: *s\nd: *s\n`)[0]!.errors[0]?.code).toBe("RESOURCE_EXHAUSTION");
    const budget = newAliasBudget();
    const twice = parseYamlDocuments(`a: &s ${big}\nb: *s\nc: *s\n---\na: &s ${big}\nb: *s\n`, {}, budget);
    expect(twice.map((d) => d.errors.length)).toEqual([0, 1]);

    const file = (name: string) => ({
      path: `${name}.yaml`,
      content: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: &s ${big}, b: *s, c: *s}\n`,
    });
    expect(parseManifests(file("one").content)).toHaveLength(1);
    const error = (() => {
      try {
        parseManifestFiles([file("one"), file("two")]);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).problems).toEqual([
      expect.objectContaining({ source: "two.yaml", message: expect.stringContaining("expand this input") as string }),
    ]);
  });

  it("refuses an alias inside its own anchor (a cycle) and parses single values like yaml's parse", () => {
    expect(parseYamlDocuments("a: &a [1, *a]\n")[0]!.errors[0]?.message).toMatch(/cycle/);
    expect(parseYamlValue("a: &x {b: 1}\nc: *x\n")).toEqual({ a: { b: 1 }, c: { b: 1 } });
    expect(parseYamlValue("")).toBeNull();
    expect(() => parseYamlValue("a: 1\n---\nb: 2\n")).toThrow(/multiple documents/);
  });
});

describe("parseYamlDocuments: duplicate keys", () => {
  it("reports a repeated key at its line, in block and flow mappings, as yaml does", () => {
    const problems = (() => {
      try {
        parseManifests("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: '1'\n  y: '2'\n  x: '3'\n");
      } catch (err) {
        if (err instanceof ManifestError) return err.problems;
      }
      return [];
    })();
    expect(problems).toEqual([
      { documentIndex: 0, line: 8, column: 3, message: "invalid YAML: Map keys must be unique" },
    ]);
    expect(parseYamlDocuments("{a: 1, b: 2, a: 3}")[0]!.errors.map((e) => e.code)).toEqual(["DUPLICATE_KEY"]);
    // Equal scalars, not equal text: 1 and 0x1 are one key; "1" (a string) is another.
    expect(parseYamlDocuments("1: a\n0x1: b\n")[0]!.errors.map((e) => e.code)).toEqual(["DUPLICATE_KEY"]);
    expect(parseYamlDocuments("1: a\n'1': b\n")[0]!.errors).toEqual([]);
    // A caller's own rule still goes to yaml.
    expect(parseYamlDocuments("a: 1\na: 2\n", { uniqueKeys: false })[0]!.errors).toEqual([]);
  });

  it(
    "checks a mapping of 30,000 keys in linear time (yaml's own check compares each key with all before it)",
    { timeout: 30_000 },
    () => {
      const lines = Array.from({ length: 30_000 }, (_, i) => `  key${i}: value-${i}`);
      const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n${lines.join("\n")}\n`;
      const [object] = parseManifests(text);
      expect(Object.keys(object!.data as object)).toHaveLength(30_000);
      expect(() => parseManifests(`${text}  key7: again\n`)).toThrow(
        /line 30006, column 3: invalid YAML: Map keys must be unique/,
      );
    },
  );
});

describe("parseManifests: what the objects are made of", () => {
  it("gives objects that share no value through aliases, and keeps a __proto__ key a plain key", () => {
    const [a, b] = parseManifests(
      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a, labels: &l {app: x}}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b, labels: *l}\n",
    );
    expect(b!.metadata.labels).toEqual({ app: "x" });
    expect(b!.metadata.labels).not.toBe(a!.metadata.labels);
    const [c] = parseManifests(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  __proto__: {when: 2024-01-02}\n",
    );
    expect(Object.getPrototypeOf(c!.data)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(c!.data, "__proto__")?.value).toEqual({ when: "2024-01-02T00:00:00Z" });
  });
});
