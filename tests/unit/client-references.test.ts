import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// On the server, a "use client" module's exports are client references: a component renders in the browser, but any
// other export (a page size, a helper) is an opaque reference, not its value. TypeScript cannot tell: the page of
// /credentials once prefetched with `limit: CREDENTIALS_PAGE_SIZE` imported from its client component, so its query
// failed on every render and the page waited out React Query's retries (3 s). A static scan of the server's module
// graph, no Next build: from every file under app/ that is not a client module, follow runtime imports up to the
// "use client" boundary, and check that what crosses it is only components (PascalCase names).
const root = process.cwd();

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name === "generated" ? [] : sourceFiles(p);
    return /\.tsx?$/.test(entry.name) ? [p] : [];
  });
}

const isClientModule = (file: string) => /^\s*["']use client["']/.test(fs.readFileSync(file, "utf8"));

/** Runtime imports of a file with the names they bind (`import type` is erased, and so is `{ type X }`). */
function runtimeImports(file: string): { spec: string; names: string[] }[] {
  const text = fs.readFileSync(file, "utf8");
  const out: { spec: string; names: string[] }[] = [];
  for (const m of text.matchAll(/\b(import|export)\s+(?!type\s)([^;"'`]*?)\s*\bfrom\s*["']([^"']+)["']/g)) {
    const clause = m[2] ?? "";
    const names: string[] = [];
    const named = /\{([^}]*)\}/.exec(clause);
    for (const part of named?.[1]?.split(",") ?? []) {
      const spec = part.trim();
      if (!spec || spec.startsWith("type ")) continue;
      names.push(spec.split(/\s+as\s+/)[0]!.trim());
    }
    const rest = clause
      .replace(/\{[^}]*\}/, "")
      .replace(/,/g, " ")
      .trim();
    if (rest.startsWith("*")) names.push("*");
    else if (rest) names.push(m[1] === "export" ? "*" : "default");
    out.push({ spec: m[3] ?? "", names });
  }
  for (const m of text.matchAll(/\bimport\s*["']([^"']+)["']/g)) out.push({ spec: m[1] ?? "", names: [] });
  return out;
}

function resolve(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith("@/")) base = path.join(root, spec.slice(2));
  else if (spec.startsWith(".")) base = path.resolve(path.dirname(from), spec);
  else return null;
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    path.join(base, "index.ts"),
    path.join(base, "index.tsx"),
  ])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  return null;
}

/** A component's name: PascalCase (a SCREAMING_CASE constant or a camelCase helper is not one). */
const isComponentName = (name: string) => name === "default" || /^[A-Z](?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]*$/.test(name);

/** Every import from a server module into a client module: who imports, from where, which names. */
function boundaryCrossings(): { from: string; to: string; names: string[] }[] {
  const entries = sourceFiles(path.join(root, "app")).filter((f) => !isClientModule(f));
  const seen = new Set(entries);
  const queue = [...entries];
  const crossings: { from: string; to: string; names: string[] }[] = [];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const { spec, names } of runtimeImports(file)) {
      const target = resolve(file, spec);
      if (!target) continue;
      if (isClientModule(target)) crossings.push({ from: file, to: target, names });
      else if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return crossings;
}

describe("server modules and client references", () => {
  const crossings = boundaryCrossings();
  const rel = (f: string) => path.relative(root, f);

  it("the scan sees server pages rendering client components (else it proves nothing)", () => {
    const page = crossings.find((c) => rel(c.from) === "app/(dashboard)/credentials/page.tsx");
    expect(page?.to).toBe(path.join(root, "components/credentials/credentials-overview.tsx"));
    expect(page?.names).toContain("CredentialsOverview");
  });

  it("a server module takes only components from a client module (any other export is a reference, not a value)", () => {
    const values = crossings.flatMap((c) =>
      c.names.filter((n) => !isComponentName(n)).map((n) => `${rel(c.from)} imports ${n} from ${rel(c.to)}`),
    );
    expect(values).toEqual([]);
  });
});
