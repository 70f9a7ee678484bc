// `npm run bench -- <name>` runs tests/bench/<name>.ts's exported run().
// `npm run bench -- all` runs every benchmark's runForTable() (small sizes: 15 minutes on 2 cores) one after another,
// each in a process of its own, and prints one table of figures, goals and verdicts with the machine beside it; also
// tests/.artifacts/bench-all.md.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RealClusterUnavailableError, realClusterBinaries } from "../../lib/kube/real-cluster";
import { formatMarkdown, formatTable, machineInfo, notRun, type BenchRow, type RunForTable } from "./support/table";

const here = path.dirname(fileURLToPath(import.meta.url));
const artifact = path.resolve(here, "../.artifacts/bench-all.md");
/** The argument that makes this file one benchmark's table child (see tableRowsInChild). */
const TABLE_CHILD = "--table-child";

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

/**
 * One benchmark's table figures in a child process of its own: a benchmark that leaves a timer, a socket or a heap
 * behind cannot slow the ones after it (their latency is partly observed on this event loop), and one that hangs or
 * crashes costs its own rows only.
 */
async function tableRowsInChild(name: string): Promise<BenchRow[]> {
  const out = path.join(path.dirname(artifact), `bench-all-${name}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  rmSync(out, { force: true });
  // process.execArgv carries tsx's loader and --conditions=react-server, as `npm run bench` started this process.
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), TABLE_CHILD, name, out], {
    stdio: "inherit",
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : null)));
  });
  let result: ChildResult | undefined;
  try {
    result = JSON.parse(readFileSync(out, "utf8")) as ChildResult;
  } catch {
    result = undefined;
  }
  rmSync(out, { force: true });
  if (result && "rows" in result) return result.rows;
  return [notRun(name, result ? result.error : `its process exited with ${code} before it wrote its figures`)];
}

type ChildResult = { rows: BenchRow[] } | { error: string };

/** The child's side of tableRowsInChild: the figures (or the first line of the error) to `out`, then exit. */
async function tableChild(name: string, out: string): Promise<void> {
  let result: ChildResult;
  try {
    const mod = await load(name);
    result = {
      rows: mod.runForTable
        ? await mod.runForTable({ realClusterMissing: realClusterMissing() })
        : [notRun(name, "no runForTable() export")],
    };
  } catch (err) {
    console.error(err);
    result = { error: (err instanceof Error ? err.message : String(err)).split("\n")[0]!.slice(0, 160) };
  }
  writeFileSync(out, JSON.stringify(result));
  // Whatever the benchmark left open (it closed what it started; a stray handle must not hold the table up).
  process.exit(0);
}

async function all(names: string[]): Promise<void> {
  const rows: BenchRow[] = [];
  const started = performance.now();
  for (const name of names) {
    const t0 = performance.now();
    console.log(`\n=== ${name} ===`);
    rows.push(...(await tableRowsInChild(name)));
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
  if (name === TABLE_CHILD) return tableChild(process.argv[3]!, process.argv[4]!);
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
