#!/usr/bin/env node
// The dependency picture of Wharf's own code: which module ("room") imports which, on which floor each room sits, the
// arrows that run back up (a lower floor importing a higher one) and the import cycles between files. The floors are
// the intended layering (ARCHITECTURE.md, "Modules"); a room that is not listed is reported, so a new module has to be
// placed on purpose. tests/unit/architecture.test.ts holds the invariants; run this file for the full report:
//   node tests/support/import-graph.mjs [--json]
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Floor of each room, ground first. A room may import its own floor and any floor below it. Rooms are the top-level
 * folders and files of lib/ (`lib/kube`, `lib/errors`), plus `components`, `app` and `instrumentation`.
 */
export const FLOORS = [
  // Ground: pure helpers anything may use, including the browser and the agent.
  ["lib/errors", "lib/utils", "lib/keyset-cursor", "lib/format", "lib/api-fetch"],
  // Configuration, the database client and mechanisms with no domain knowledge (lib/query: the React Query client and
  // the write-then-read every domain's hooks use).
  ["lib/env", "lib/process", "lib/db", "lib/metrics", "lib/jobs", "lib/wake", "lib/keys", "lib/query"],
  ["lib/kube", "lib/render"],
  // The pull agent: plain Node, runs in the cluster.
  ["lib/agent"],
  ["lib/auth", "lib/audit"],
  // The route boundary.
  ["lib/api"],
  // Domains that own stored things other domains build on.
  ["lib/users", "lib/tokens", "lib/targets", "lib/credentials", "lib/rollups"],
  // Domains of delivery.
  [
    "lib/approvals",
    "lib/applications",
    "lib/deployments",
    "lib/repos",
    "lib/sync",
    "lib/agents",
    "lib/rotation",
    "lib/notifications",
  ],
  // Views across domains, and the API's documentation (it names every domain's schemas).
  ["lib/compare", "lib/openapi"],
  ["lib/cli", "lib/upgrade", "instrumentation"],
  ["components"],
  ["app"],
];

const SOURCE_DIRS = ["lib", "app", "components"];
const EXTENSIONS = [".ts", ".tsx", ".mts", ".mjs", ".js"];
const SKIP_DIRS = new Set(["node_modules", "generated", ".next"]);

function listSources(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listSources(full, out);
    else if (EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

function resolveImport(fromFile, specifier) {
  let base;
  if (specifier.startsWith("@/")) base = path.join(ROOT, specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.resolve(path.dirname(fromFile), specifier);
  else return null; // a package
  const candidates = [
    base,
    ...EXTENSIONS.map((ext) => base + ext),
    ...EXTENSIONS.map((ext) => path.join(base, "index" + ext)),
  ];
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

// Static imports, re-exports, `import type`, and dynamic import() of a literal path.
const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

export function roomOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep);
  if (rel[0] === "lib") return "lib/" + rel[1].replace(/\.(ts|tsx|mts|mjs|js)$/, "");
  if (rel[0] === "instrumentation.ts") return "instrumentation";
  return rel[0];
}

export function floorOf(room) {
  const index = FLOORS.findIndex((floor) => floor.includes(room));
  return index === -1 ? undefined : index;
}

/** Builds the file graph of the project's own sources. */
export function readGraph() {
  const files = [...SOURCE_DIRS.flatMap((d) => listSources(path.join(ROOT, d))), path.join(ROOT, "instrumentation.ts")];
  const edges = new Map(); // file → Set(file)
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets = new Set();
    for (const match of text.matchAll(IMPORT_RE)) {
      const resolved = resolveImport(file, match[1] ?? match[2] ?? match[3]);
      if (resolved && resolved !== file) targets.add(resolved);
    }
    edges.set(file, targets);
  }
  return { files, edges };
}

/** Tarjan's strongly connected components of size > 1: the import cycles. */
export function findCycles(edges, name = (file) => path.relative(ROOT, file)) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const indices = new Map();
  const lowlinks = new Map();
  const cycles = [];
  const visit = (node) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node), lowlinks.get(next)));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node), indices.get(next)));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.map(name).sort());
    }
  };
  for (const node of edges.keys()) if (!indices.has(node)) visit(node);
  return cycles;
}

/** The room-level picture: rooms, arrows between rooms, arrows running back up, rooms without a floor. */
export function analyse() {
  const { files, edges } = readGraph();
  const arrows = new Map(); // "a → b" → example file pair
  for (const [from, targets] of edges) {
    for (const to of targets) {
      const a = roomOf(from);
      const b = roomOf(to);
      if (a === b) continue;
      const key = `${a} → ${b}`;
      if (!arrows.has(key)) arrows.set(key, `${path.relative(ROOT, from)} → ${path.relative(ROOT, to)}`);
    }
  }
  const rooms = [...new Set(files.map(roomOf))].sort();
  const roomEdges = new Map(rooms.map((room) => [room, new Set()]));
  for (const key of arrows.keys()) {
    const [a, b] = key.split(" → ");
    roomEdges.get(a).add(b);
  }
  const backUp = [];
  for (const [key, example] of arrows) {
    const [a, b] = key.split(" → ");
    const fa = floorOf(a);
    const fb = floorOf(b);
    if (fa !== undefined && fb !== undefined && fb > fa) backUp.push({ arrow: key, example });
  }
  return {
    rooms,
    floors: FLOORS.filter((floor) => floor.some((room) => rooms.includes(room))).length,
    unplaced: rooms.filter((room) => floorOf(room) === undefined),
    arrows: arrows.size,
    backUp: backUp.sort((x, y) => x.arrow.localeCompare(y.arrow)),
    cycles: findCycles(edges),
    roomCycles: findCycles(roomEdges, (room) => room),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = analyse();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`${report.rooms.length} rooms on ${report.floors} floors, ${report.arrows} arrows between rooms`);
    console.log(`${report.backUp.length} arrows run back up:`);
    for (const { arrow, example } of report.backUp) console.log(`  ${arrow}    (${example})`);
    console.log(`${report.cycles.length} import cycles between files:`);
    for (const cycle of report.cycles) console.log(`  ${cycle.join(" ↔ ")}`);
    console.log(`${report.roomCycles.length} circles between rooms:`);
    for (const cycle of report.roomCycles) console.log(`  ${cycle.join(" ↔ ")}`);
    if (report.unplaced.length)
      console.log(`rooms without a floor (add them to FLOORS): ${report.unplaced.join(", ")}`);
  }
}
