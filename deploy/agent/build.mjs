// `npm run agent:build`: bundles the pull agent (lib/agent/main.ts and every package it imports) into one ESM file,
// so its image runs `node main.mjs` with no node_modules: none of Next, Prisma or recharts, which `npm ci --omit=dev`
// would install next to it. `npm run agent` (tsx, from source) is unaffected.
// Usage: node deploy/agent/build.mjs [--outfile dist/agent/main.mjs] [--metafile FILE]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { values } = parseArgs({ options: { outfile: { type: "string" }, metafile: { type: "string" } } });
const outfile = path.resolve(values.outfile ?? path.join(root, "dist/agent/main.mjs"));

const result = await build({
  absWorkingDir: root,
  entryPoints: ["lib/agent/main.ts"],
  // The `@/` paths come from tsconfig.json, which esbuild reads.
  tsconfig: "tsconfig.json",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile,
  // Bundled CommonJS packages (undici, ws, ...) call require() for Node built-ins; an ES module has no `require`,
  // so give the bundle one.
  banner: {
    js: 'import { createRequire as __agentCreateRequire } from "node:module";\nconst require = __agentCreateRequire(import.meta.url);',
  },
  // Whitespace and syntax only, names kept (stack traces stay readable): the agent holds its whole source as one V8
  // string for its lifetime, and comments with non-Latin-1 characters (undici's ’ and §) made that string two bytes
  // per character — 8 MiB of heap for a 4 MiB file.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: values.metafile !== undefined,
  logLevel: "warning",
});
if (values.metafile !== undefined) fs.writeFileSync(values.metafile, JSON.stringify(result.metafile));
console.log(
  `agent bundle: ${path.relative(process.cwd(), outfile)} (${Math.round(fs.statSync(outfile).size / 1024)} KiB)`,
);
