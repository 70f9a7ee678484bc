// Parse a rendered source of about 10 MB with lib/render's parseRendered (lib/kube's bounded YAML parser: alias budget,
// duplicate keys, validation, duplicates across files), the way push and pull parse every revision; prints MB/s per
// input shape and the median time against the goal (a 10 MB source parses in under 2 s, linearly in its size).
//   npm run bench -- parse [--mb 10] [--runs 3]
// Inputs: the kube-prometheus-like set of tests/support/render-fixtures.ts scaled to --mb, as its files and as one
// file (what kustomize prints); many small documents (a Helm chart of thousands of objects); one mapping of many keys
// (a generated ConfigMap), which `yaml`'s own duplicate-key check made quadratic.
import { parseRendered } from "../../lib/render/render-source";
import { kubePrometheusLike } from "../support/render-fixtures";
import type { BenchRow } from "./support/table";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const MB = Number(option("mb") ?? 10);
const RUNS = Number(option("runs") ?? 3);
const GOAL_MS_PER_10MB = 2000;

type Files = { path: string; content: string }[];

const bytesOf = (files: Files) => files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);

function kubePrometheus(mb: number): Files {
  // scale 1 is ~4.2 MB; the size grows linearly with the scale.
  const probe = bytesOf(toFiles(kubePrometheusLike({ scale: 1 })));
  return toFiles(kubePrometheusLike({ scale: (mb * 1e6) / probe }));
}

function toFiles(record: Record<string, string>): Files {
  return Object.entries(record).map(([path, content]) => ({ path, content }));
}

function manySmallDocuments(mb: number): Files {
  const docs: string[] = [];
  let size = 0;
  for (let i = 0; size < mb * 1e6; i++) {
    const doc = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  labels:\n    app: demo\ndata:\n  index: "${i}"\n  mode: production\n`;
    docs.push(doc);
    size += doc.length + 4;
  }
  return [{ path: "chart/templates/many.yaml", content: docs.join("---\n") }];
}

function oneBigMapping(mb: number): Files {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < mb * 1e6; i++) {
    const line = `  key-${i}: value-${i}-${"v".repeat(40)}\n`;
    lines.push(line);
    size += line.length;
  }
  return [
    {
      path: "big-configmap.yaml",
      content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n${lines.join("")}`,
    },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

interface ShapeResult {
  name: string;
  bytes: number;
  ms: number;
  goal: number;
}

/** Parses each input shape `runs` times at `mb` megabytes; logs a line per shape and returns the medians. */
async function measure(mb: number, runs: number): Promise<ShapeResult[]> {
  const inputs: [string, Files][] = [];
  const kp = kubePrometheus(mb);
  inputs.push(["kube-prometheus-like, its files", kp]);
  inputs.push([
    "kube-prometheus-like, one file",
    [{ path: "rendered.yaml", content: kp.map((f) => f.content).join("---\n") }],
  ]);
  inputs.push(["many small documents", manySmallDocuments(mb)]);
  inputs.push(["one mapping of many keys", oneBigMapping(mb)]);
  // Linear in size: the same shape at a quarter of the size should take about a quarter of the time.
  inputs.push([`kube-prometheus-like at ${mb / 4} MB`, kubePrometheus(mb / 4)]);

  // Warm up (JIT) on a small input, so the first shape measured is not the slowest for that alone.
  parseRendered(kubePrometheus(1));
  console.log(`parseRendered, ${runs} runs each (median); goal: ${GOAL_MS_PER_10MB} ms per 10 MB`);
  const results: ShapeResult[] = [];
  for (const [name, files] of inputs) {
    const bytes = bytesOf(files);
    const times: number[] = [];
    let objects = 0;
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      objects = parseRendered(files).length;
      times.push(performance.now() - start);
    }
    const ms = median(times);
    const goal = (GOAL_MS_PER_10MB * bytes) / 10e6;
    results.push({ name, bytes, ms, goal });
    console.log(
      `${name.padEnd(34)} ${(bytes / 1e6).toFixed(1).padStart(5)} MB ${String(files.length).padStart(4)} files ${String(objects).padStart(6)} objects  ${ms.toFixed(0).padStart(6)} ms  ${((bytes / 1e6 / ms) * 1000).toFixed(1).padStart(5)} MB/s  ${ms <= goal ? "ok" : `SLOWER than ${goal.toFixed(0)} ms`}`,
    );
  }
  return results;
}

export async function run(): Promise<void> {
  await measure(MB, RUNS);
}

/** `npm run bench -- all`: the full 10 MB shapes (a few seconds), each against its size's share of the goal. */
export async function runForTable(): Promise<BenchRow[]> {
  const results = await measure(10, 3);
  return results.map((r) => ({
    bench: "parse",
    figure: `${r.name}, ${(r.bytes / 1e6).toFixed(1)} MB (median of 3)`,
    goal: `≤ ${r.goal.toFixed(0)} ms`,
    value: `${r.ms.toFixed(0)} ms`,
    met: r.ms <= r.goal,
  }));
}
