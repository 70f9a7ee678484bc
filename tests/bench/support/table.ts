// The one table `npm run bench -- all` prints: each benchmark's figures (a percentile or a ratio from one run) beside
// its goal, with the machine it ran on, since a figure means little without the cores it had.
import os from "node:os";

/** One figure of one benchmark. `met` is null when the figure has no goal or was not measured. */
export interface BenchRow {
  bench: string;
  figure: string;
  goal: string;
  value: string;
  met: boolean | null;
}

/** What `runForTable` gets: the table wants every benchmark at a size that fits 15 minutes on 2 cores. */
export interface TableOptions {
  /** Why the real control plane cannot start here (its binaries are not built), or null when it can. */
  realClusterMissing: string | null;
}

/** A bench module's table entry point: its figures at small sizes, computed, never parsed from its output. */
export type RunForTable = (opts: TableOptions) => Promise<BenchRow[]>;

export interface MachineInfo {
  cores: number;
  cpu: string;
  node: string;
  date: string;
}

export function machineInfo(now = new Date()): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model.trim() ?? "unknown CPU",
    node: process.version,
    date: now.toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : "—");
export const seconds = (n: number): string => (Number.isFinite(n) ? `${(n / 1000).toFixed(2)} s` : "—");

/** A row for a figure below (or equal to) its goal; a NaN value never counts as met. */
export function belowGoal(bench: string, figure: string, value: number, goal: number, format = ms): BenchRow {
  return {
    bench,
    figure,
    goal: `< ${format(goal)}`,
    value: format(value),
    met: Number.isFinite(value) ? value < goal : false,
  };
}

/** A row for a ratio whose goal is at most `goal`. */
export function ratioRow(bench: string, figure: string, value: number, goal: number): BenchRow {
  return {
    bench,
    figure,
    goal: `≤ ${goal.toFixed(2)}`,
    value: Number.isFinite(value) ? value.toFixed(2) : "—",
    met: Number.isFinite(value) ? value <= goal : false,
  };
}

/** The row of a benchmark that could not run here (a missing binary, a build, an error): the table still prints. */
export function notRun(bench: string, why: string): BenchRow {
  return { bench, figure: "—", goal: "—", value: `not run: ${why}`, met: null };
}

const verdict = (row: BenchRow): string =>
  row.value.startsWith("not run") ? "not run" : row.met === null ? "—" : row.met ? "met" : "not met";

const HEADER = ["bench", "figure", "goal", "value", "met"] as const;
const cells = (row: BenchRow): string[] => [row.bench, row.figure, row.goal, row.value, verdict(row)];

function machineLine(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpu}), Node ${m.node}, ${m.date}`;
}

/** The table as aligned plain text for the terminal, with the machine line above it. */
export function formatTable(rows: BenchRow[], machine: MachineInfo): string {
  const table = [[...HEADER], ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [
    `machine: ${machineLine(machine)}`,
    "",
    line(table[0]!),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...table.slice(1).map(line),
  ].join("\n");
}

/** The same table as Markdown (tests/.artifacts/bench-all.md, the README's section). */
export function formatMarkdown(rows: BenchRow[], machine: MachineInfo): string {
  const escape = (c: string) => c.replace(/\|/g, "\\|");
  const line = (r: readonly string[]) => `| ${r.map(escape).join(" | ")} |`;
  return [
    `Machine: ${machineLine(machine)}`,
    "",
    line(HEADER),
    line(HEADER.map(() => "---")),
    ...rows.map((r) => line(cells(r))),
    "",
  ].join("\n");
}
