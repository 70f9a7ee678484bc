// `npm run bench -- <name>` runs tests/bench/<name>.ts's exported run().
// `npm run bench -- all` runs every benchmark's runForTable() (small sizes: 15 minutes on 2 cores) one after another
// and prints one table of figures, goals and verdicts with the machine beside it; also tests/.artifacts/bench-all.md.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RealClusterUnavailableError, realClusterBinaries } from "../../lib/kube/real-cluster";
import {
  formatMarkdown,
  formatTable,
  machineInfo,
  notRun,
  type BenchRow,
  type RunForTable,
  type TableOptions,
} from "./support/table";

const here = path.dirname(fileURLToPath(import.meta.url));
const artifact = path.resolve(here, "../.artifacts/bench-all.md");

interface BenchModule {
  run?: () => Promise<unknown>;
  runForTable?: RunForTable;
}

async function load(name: string): Promise<BenchModule> {
  return (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as BenchModule;
}

/** Why the real control plane cannot start here, or null when its binaries are built. */
function realClusterMissing(): string | null {
  try {
    realClusterBinaries();
    return null;
  } catch (err) {
    return err instanceof RealClusterUnavailableError
      ? "real control plane binaries not built (npm run cluster:build)"
      : String(err);
  }
}

function save(rows: BenchRow[], footer: string): void {
  mkdirSync(path.dirname(artifact), { recursive: true });
  writeFileSync(artifact, `${formatMarkdown(rows, machineInfo())}\n${footer}\n`);
}

async function all(names: string[]): Promise<void> {
  const opts: TableOptions = { realClusterMissing: realClusterMissing() };
  const rows: BenchRow[] = [];
  const started = performance.now();
  for (const name of names) {
    const t0 = performance.now();
    console.log(`\n=== ${name} ===`);
    try {
      const mod = await load(name);
      rows.push(...(mod.runForTable ? await mod.runForTable(opts) : [notRun(name, "no runForTable() export")]));
    } catch (err) {
      // One benchmark that cannot run (a missing tool, a failed start) must not cost the others' figures.
      console.error(err);
      rows.push(notRun(name, (err instanceof Error ? err.message : String(err)).split("\n")[0]!.slice(0, 160)));
    }
    console.log(`=== ${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s ===`);
    // Written after each benchmark too, so an interrupted run still leaves the figures it measured.
    save(rows, `Partial: measured up to ${name} of ${names.join(", ")}.`);
  }
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  console.log(`\n${formatTable(rows, machineInfo())}\n\nall benchmarks in ${minutes} min`);
  save(rows, `All benchmarks in ${minutes} min (\`npm run bench -- all\`).`);
  console.log(`written to ${path.relative(process.cwd(), artifact)}`);
}

function available(): string[] {
  return readdirSync(here)
    .filter((file) => file.endsWith(".ts") && file !== "run.ts" && !file.endsWith(".d.ts"))
    .map((file) => file.slice(0, -3))
    .sort();
}

async function main(): Promise<void> {
  const name = process.argv[2];
  const names = available();
  if (name === "all") return all(names);
  if (!name || !names.includes(name)) {
    console.error(
      `${name ? `Unknown benchmark "${name}". ` : ""}Usage: npm run bench -- <name|all>\nAvailable: ${names.join(", ") || "(none)"}`,
    );
    process.exitCode = 1;
    return;
  }
  const mod = await load(name);
  if (typeof mod.run !== "function") throw new Error(`tests/bench/${name}.ts does not export run()`);
  await mod.run();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
