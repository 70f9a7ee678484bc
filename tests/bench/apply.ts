// Apply 200 objects with lib/kube and with `kubectl apply --server-side` against the same sandbox, alternating runs,
// each run into a fresh namespace; prints medians and the Wharf/kubectl ratio (goal ≤ 0.5).
// The sandbox runs in its own process, like a real API server: in-process, its request handling would share the
// event loop with lib/kube's client work and penalise only the Wharf side.
//   npm run bench -- apply [--cluster sandbox|real] [--objects N] [--runs N]
// `--cluster real` runs against the real control plane (lib/kube/real-cluster; `npm run cluster:build` first).
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { applyManifests } from "../../lib/kube/apply";
import { createKubeClient } from "../../lib/kube/client";
import { kubeConfigFor } from "../../lib/kube/connection";
import { startRealCluster } from "../../lib/kube/real-cluster";
import type { KubeObject } from "../../lib/kube/types";
import { notRun, ratioRow, type BenchRow, type TableOptions } from "./support/table";

const run$ = promisify(execFile);
function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const CLUSTER = option("cluster") ?? "sandbox";
const OBJECTS = Number(option("objects") ?? 200);
const RUNS = Number(option("runs") ?? 5);
const KUBECTL = "/usr/bin/kubectl";

/** OBJECTS (200) objects in one namespace: the Namespace, then ConfigMaps, Secrets, Services and Deployments. */
function objectsFor(ns: string): KubeObject[] {
  const objects: KubeObject[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }];
  for (let i = 0; objects.length < OBJECTS; i++) {
    switch (i % 4) {
      case 0:
        objects.push({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `cm-${i}`, namespace: ns },
          data: { index: String(i), "app.conf": `x=${i}\n` },
        });
        break;
      case 1:
        objects.push({
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: `secret-${i}`, namespace: ns },
          type: "Opaque",
          stringData: { token: `t-${i}` },
        });
        break;
      case 2:
        objects.push({
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: `svc-${i}`, namespace: ns },
          spec: { selector: { app: `app-${i}` }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
        });
        break;
      default:
        objects.push({
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: `app-${i}`, namespace: ns, labels: { app: `app-${i}` } },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: `app-${i}` } },
            template: {
              metadata: { labels: { app: `app-${i}` } },
              spec: {
                containers: [
                  {
                    name: "app",
                    image: "nginx:1.27",
                    ports: [{ containerPort: 8080 }],
                    env: [{ name: "INDEX", value: String(i) }],
                  },
                ],
              },
            },
          },
        });
    }
  }
  return objects;
}

interface SandboxProcess {
  url: string;
  caPem: string;
  adminToken: string;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

async function startSandboxProcess(): Promise<SandboxProcess> {
  const script = fileURLToPath(new URL("./support/sandbox-process.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error("sandbox process has no stdout"));
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`sandbox process exited with ${code}`)));
  });
  const details = JSON.parse(line) as Omit<SandboxProcess, "stop">;
  return {
    ...details,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * The sandbox's own limit: the same 200 server-side applies sent over raw keep-alive HTTPS, 16 at a time, with no
 * client library at all. No client can beat this against this server; it shows how much of a run is server time.
 */
async function rawFloor(sandbox: SandboxProcess, ns: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, ca: sandbox.caPem });
  const objects = objectsFor(ns);
  const pathOf = (o: KubeObject) => {
    const plural = {
      Namespace: "namespaces",
      ConfigMap: "configmaps",
      Secret: "secrets",
      Service: "services",
      Deployment: "deployments",
    }[o.kind];
    const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
    return o.kind === "Namespace"
      ? `${base}/namespaces/${o.metadata.name}`
      : `${base}/namespaces/${ns}/${plural}/${o.metadata.name}`;
  };
  const send = (o: KubeObject) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        `${sandbox.url}${pathOf(o)}?fieldManager=floor`,
        {
          method: "PATCH",
          agent,
          headers: {
            authorization: `Bearer ${sandbox.adminToken}`,
            "content-type": "application/apply-patch+yaml",
            accept: "application/json",
          },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(o));
    });
  const start = performance.now();
  await send(objects[0] as KubeObject);
  const rest = objects.slice(1);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < rest.length) await send(rest[next++] as KubeObject);
    }),
  );
  const elapsed = performance.now() - start;
  agent.destroy();
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface ApplyFigures {
  wharf: number;
  kubectl: number;
  floor: number;
}

export async function run(): Promise<void> {
  if (CLUSTER !== "sandbox" && CLUSTER !== "real") throw new Error(`--cluster must be sandbox or real, not ${CLUSTER}`);
  if (!Number.isInteger(OBJECTS) || OBJECTS < 2) throw new Error("--objects must be an integer ≥ 2");
  await measure(CLUSTER, OBJECTS, RUNS);
}

/** `npm run bench -- all`: 200 objects, 3 runs, on the sandbox and (when its binaries are built) the real control plane. */
export async function runForTable(opts: TableOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const cluster of ["sandbox", "real"] as const) {
    if (cluster === "real" && opts.realClusterMissing) {
      rows.push(notRun(`apply (${cluster})`, opts.realClusterMissing));
      continue;
    }
    const f = await measure(cluster, 200, 3);
    rows.push(
      ratioRow(
        `apply (${cluster})`,
        "lib/kube / kubectl apply --server-side, 200 objects (median of 3)",
        f.wharf / f.kubectl,
        0.5,
      ),
      ratioRow(`apply (${cluster})`, "lib/kube / raw HTTPS floor, 200 objects (median of 3)", f.wharf / f.floor, 1.2),
    );
  }
  return rows;
}

async function measure(CLUSTER: "sandbox" | "real", OBJECTS: number, RUNS: number): Promise<ApplyFigures> {
  const sandbox = CLUSTER === "real" ? await startRealCluster() : await startSandboxProcess();
  console.log(`cluster: ${CLUSTER} (${sandbox.url}), ${OBJECTS} objects`);
  const dir = await mkdtemp(path.join(tmpdir(), "wharf-bench-apply-"));
  const wharf: number[] = [];
  const kubectl: number[] = [];
  const requests: number[] = [];
  const floor: number[] = [];
  try {
    // Round 0 is a warm-up for both (JIT in the sandbox and in this process, kubectl's discovery cache): not counted.
    for (let round = 0; round <= RUNS; round++) {
      // Alternate which tool goes first so warm-up effects do not favour one side.
      const order = round % 2 === 0 ? (["wharf", "kubectl"] as const) : (["kubectl", "wharf"] as const);
      for (const tool of order) {
        const ns = `bench-${tool}-${round}`;
        const objects = objectsFor(ns);
        if (tool === "wharf") {
          // A fresh client per run, as the executor creates one per deployment: discovery and TLS are included.
          const client = createKubeClient(
            kubeConfigFor({ name: "sandbox", server: sandbox.url, caPem: sandbox.caPem, token: sandbox.adminToken }),
          );
          const start = performance.now();
          const report = await applyManifests(client, objects, {
            fieldManager: "wharf",
            inventoryId: `bench-${round}`,
          });
          const elapsed = performance.now() - start;
          await client.close();
          if (report.counts.created !== OBJECTS) {
            throw new Error(
              `lib/kube created ${report.counts.created}/${OBJECTS}: ${JSON.stringify(report.results.find((r) => r.action === "failed"))}`,
            );
          }
          if (round === 0) {
            console.log(`warm-up  wharf   ${elapsed.toFixed(0)} ms`);
            continue;
          }
          requests.push(client.stats.requests);
          wharf.push(elapsed);
        } else {
          const file = path.join(dir, `${ns}.yaml`);
          await writeFile(file, objects.map((o) => stringify(o)).join("---\n"));
          const start = performance.now();
          const { stdout } = await run$(
            KUBECTL,
            ["--kubeconfig", sandbox.kubeconfigPath, "apply", "--server-side", "-f", file],
            {
              maxBuffer: 16 * 1024 * 1024,
            },
          );
          const elapsed = performance.now() - start;
          const applied = stdout.split("\n").filter((line) => line.trim()).length;
          if (applied !== OBJECTS) throw new Error(`kubectl applied ${applied}/${OBJECTS}:\n${stdout}`);
          if (round === 0) {
            console.log(`warm-up  kubectl ${elapsed.toFixed(0)} ms`);
            continue;
          }
          kubectl.push(elapsed);
        }
        console.log(
          `run ${round}/${RUNS}  ${tool.padEnd(7)} ${(tool === "wharf" ? wharf : kubectl).at(-1)?.toFixed(0)} ms`,
        );
      }
    }
    for (let round = 1; round <= RUNS; round++) floor.push(await rawFloor(sandbox, `bench-floor-${round}`));
    // A real API server deletes namespaces asynchronously; this one is thrown away, so nothing is cleaned up.
  } finally {
    await rm(dir, { recursive: true, force: true });
    await sandbox.stop();
  }
  const w = median(wharf);
  const k = median(kubectl);
  console.log(`\napply ${OBJECTS} objects (median of ${RUNS}):`);
  console.log(
    `  lib/kube                     ${w.toFixed(0)} ms (${median(requests)} requests incl. discovery and version lists)`,
  );
  console.log(`  kubectl apply --server-side  ${k.toFixed(0)} ms`);
  console.log(`  ratio Wharf/kubectl          ${(w / k).toFixed(2)} (goal ≤ 0.50)`);
  const f = median(floor);
  console.log(
    `  ${CLUSTER} floor (raw HTTPS, 16 concurrent, no client library): ${f.toFixed(0)} ms = ${(f / k).toFixed(2)} of kubectl`,
  );
  return { wharf: w, kubectl: k, floor: f };
}
