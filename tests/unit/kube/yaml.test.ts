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
