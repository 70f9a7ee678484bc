import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// What the browser bundles is every module a "use client" file reaches through runtime imports. re2js (~260 KB) is
// for the server's and the agent's tag pattern checks (lib/agent/tag-pattern.ts) and must not be among them: the
// repository form imports lib/agent/protocol.ts, which once imported it. A static scan, no Next build: imports are
// followed the way the bundler does (`import type` is erased; `import { type X }` is not, verbatimModuleSyntax).
const root = process.cwd();

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name === "generated" ? [] : sourceFiles(p);
    return /\.tsx?$/.test(entry.name) ? [p] : [];
  });
}

const IMPORTS = [
  /\b(?:import|export)\s+(?!type\s)[^;"'`]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return IMPORTS.flatMap((re) => [...text.matchAll(re)].map((m) => m[1] ?? ""));
}

/** The file a project-local specifier names, or the package name of a bare one. */
function resolve(from: string, spec: string): { file: string } | { pkg: string } | null {
  let base: string;
  if (spec.startsWith("@/")) base = path.join(root, spec.slice(2));
  else if (spec.startsWith(".")) base = path.resolve(path.dirname(from), spec);
  else return { pkg: spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] ?? spec) };
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    path.join(base, "index.ts"),
    path.join(base, "index.tsx"),
  ]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return { file: candidate };
  }
  return null;
}

/** Every project file and package reachable from `entries`, each with the chain of files that reaches it. */
function reachable(entries: string[]): { files: Map<string, string[]>; packages: Map<string, string[]> } {
  const files = new Map<string, string[]>(entries.map((e) => [e, [e]]));
  const packages = new Map<string, string[]>();
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const chain = files.get(file) ?? [file];
    for (const spec of runtimeImports(file)) {
      const target = resolve(file, spec);
      if (!target) continue;
      if ("pkg" in target) {
        if (!packages.has(target.pkg)) packages.set(target.pkg, chain);
      } else if (!files.has(target.file)) {
        files.set(target.file, [...chain, target.file]);
        queue.push(target.file);
      }
    }
  }
  return { files, packages };
}

describe("browser bundles", () => {
  const clientEntries = ["app", "components", "lib"]
    .flatMap((d) => sourceFiles(path.join(root, d)))
    .filter((f) => /^\s*["']use client["']/.test(fs.readFileSync(f, "utf8")));
  const { files, packages } = reachable(clientEntries);

  it("the scan sees the client modules that share schemas with the server (else it proves nothing)", () => {
    expect(clientEntries).toContain(path.join(root, "components/pull/register-repo-form.tsx"));
    expect([...files.keys()]).toContain(path.join(root, "lib/agent/protocol.ts"));
    expect([...packages.keys()]).toContain("zod");
  });

  it("no client component reaches re2js (tag patterns are checked on the server and in the agent)", () => {
    const chain = packages.get("re2js")?.map((f) => path.relative(root, f));
    expect(chain, `re2js reached through ${chain?.join(" → ")}`).toBeUndefined();
  });

  it("no client component reaches a chart library: the charts are SVG drawn on the server (issue 17, item 2)", () => {
    const chain = packages.get("recharts")?.map((f) => path.relative(root, f));
    expect(chain, `recharts reached through ${chain?.join(" → ")}`).toBeUndefined();
  });
});
