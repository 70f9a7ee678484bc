// `npm run bench -- push-e2e [--runs N]`: push, end to end, on the real control plane (issue 18, Must 2).
// A push deployment of 1 and of 200 objects through the real path — request, last approval, the executor (claim,
// decrypt, apply, rollout wait, prune) — on a fresh SQLite database, against etcd + kube-apiserver +
// kube-controller-manager + kwok (lib/kube/real-cluster; `npm run cluster:build` first). Each run the executor's apply
// (from its start to its "Waiting for" log line) is compared with the same objects applied into a fresh namespace by
//   - the floor: raw server-side apply over node:https (PATCH application/apply-patch+yaml, fieldManager, force), no
//     client library, as many at once as lib/kube's apply (16): goal Wharf/floor ≤ 1.2;
//   - `kubectl apply --server-side`: goal Wharf/kubectl ≤ 0.5.
// "Succeeded" is read from the deployment's row, not from a browser page; last approval → succeeded is printed with
// the rollout wait apart.
import "reflect-metadata";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { dbFor } from "@/lib/db/client";
import { decideDeployment } from "@/lib/deployments/data/decide-deployment";
import { requestDeployment } from "@/lib/deployments/data/request-deployment";
import { startExecutor } from "@/lib/deployments/executor";
import { resetEnvCache } from "@/lib/env";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import type { KubeObject } from "@/lib/kube";
import { startRealCluster, type RealCluster } from "@/lib/kube/real-cluster";
import { median, ms, notRun, ratioRow, type BenchRow, type TableOptions } from "./support/table";

const run$ = promisify(execFile);
const KUBECTL = "/usr/bin/kubectl";
const FLOOR_CONCURRENCY = 16;
const PLURALS: Record<string, string> = {
  ConfigMap: "configmaps",
  Secret: "secrets",
  Service: "services",
  Deployment: "deployments",
};

/** `count` namespaced objects: ConfigMaps, Secrets, Services and Deployments in turn (a Deployment first, so 1 has a rollout). */
function objectsFor(ns: string, count: number): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let i = 0; objects.length < count; i++) {
    const meta = (name: string) => ({ name: `${name}-${i}`, namespace: ns });
    switch (i % 4) {
      case 1:
        objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: meta("cm"), data: { index: String(i) } });
        break;
      case 2:
        objects.push({
          apiVersion: "v1",
          kind: "Secret",
          metadata: meta("secret"),
          type: "Opaque",
          stringData: { token: `t-${i}` },
        });
        break;
      case 3:
        objects.push({
          apiVersion: "v1",
          kind: "Service",
          metadata: meta("svc"),
          spec: { selector: { app: `app-${i}` }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
        });
        break;
      default:
        objects.push({
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { ...meta("app"), labels: { app: `app-${i}` } },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: `app-${i}` } },
            template: {
              metadata: { labels: { app: `app-${i}` } },
              spec: { containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 8080 }] }] },
            },
          },
        });
    }
  }
  return objects;
}

async function createNamespace(cluster: RealCluster, ns: string): Promise<void> {
  await run$(KUBECTL, ["--kubeconfig", cluster.kubeconfigPath, "create", "namespace", ns]);
}

/** The floor: server-side apply of each object over keep-alive HTTPS, FLOOR_CONCURRENCY at once, no client library. */
async function rawApply(cluster: RealCluster, objects: KubeObject[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, ca: cluster.caPem });
  const send = (o: KubeObject) =>
    new Promise<void>((resolve, reject) => {
      const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
      const url = `${cluster.url}${base}/namespaces/${o.metadata.namespace}/${PLURALS[o.kind]}/${o.metadata.name}?fieldManager=floor&force=true`;
      const req = request(
        url,
        {
          method: "PATCH",
          agent,
          headers: {
            authorization: `Bearer ${cluster.adminToken}`,
            "content-type": "application/apply-patch+yaml",
            accept: "application/json",
          },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`floor: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      // JSON is YAML: the body the content type names, without a YAML library's time in the floor.
      req.end(JSON.stringify(o));
    });
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(FLOOR_CONCURRENCY, objects.length) }, async () => {
      while (next < objects.length) await send(objects[next++]!);
    }),
  );
  const elapsed = performance.now() - start;
  agent.destroy();
  return elapsed;
}

async function kubectlApply(cluster: RealCluster, dir: string, objects: KubeObject[]): Promise<number> {
  const file = path.join(dir, `${objects[0]!.metadata.namespace}.yaml`);
  await writeFile(file, objects.map((o) => stringify(o)).join("---\n"));
  const start = performance.now();
  const { stdout } = await run$(
    KUBECTL,
    ["--kubeconfig", cluster.kubeconfigPath, "apply", "--server-side", "-f", file],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const elapsed = performance.now() - start;
  const applied = stdout.split("\n").filter((line) => line.trim()).length;
  if (applied !== objects.length) throw new Error(`kubectl applied ${applied}/${objects.length}:\n${stdout}`);
  return elapsed;
}

interface Figures {
  objects: number;
  /** Last approval → succeeded (row), excluding the rollout wait; and the rollout wait. */
  approvalToSucceeded: number;
  rollout: number;
  apply: number;
  floor: number;
  kubectl: number;
}

async function measure(cluster: RealCluster, dir: string, sizes: number[], runs: number): Promise<Figures[]> {
  process.env.DATABASE_URL = `file:${path.join(dir, "wharf.db")}`;
  process.env.WHARF_DATA_DIR = dir;
  process.env.WHARF_MASTER_KEY = randomBytes(32).toString("base64");
  process.env.WHARF_ROLLOUT_TIMEOUT = "5m";
  resetEnvCache();
  await migrateDatabase(process.env.DATABASE_URL);
  const db = dbFor(process.env.DATABASE_URL);
  const executor = startExecutor({ processId: "bench-e2e", pollMs: 1000 });
  const user = (role: "deployer" | "approver") =>
    db.user.create({ data: { email: `${role}-${randomBytes(3).toString("hex")}@bench.wharf`, name: role, role } });
  const requester = await user("deployer");
  const approver = await user("approver");
  const results: Figures[] = [];
  try {
    for (const size of sizes) {
      const samples: Omit<Figures, "objects">[] = [];
      // Run 0 warms up the executor, kubectl's discovery cache and the API server: not counted.
      for (let round = 0; round <= runs; round++) {
        const ns = `e2e-${size}-${round}`;
        await createNamespace(cluster, ns);
        const target = await db.target.create({
          data: {
            name: `e2e-${size}-${round}-${randomBytes(2).toString("hex")}`,
            environment: "bench",
            mode: "push",
            serverUrl: cluster.url,
            caBundle: cluster.caPem,
            defaultNamespace: ns,
            allowedNamespaces: JSON.stringify([ns]),
            allowClusterScoped: false,
            requiredApprovals: 1,
          },
        });
        await saveCredential({
          targetId: target.id,
          input: { kind: "bearer-token", token: cluster.adminToken },
          actor: SYSTEM_ACTOR,
          actorRole: "admin",
          actorUserId: null,
          request: NO_REQUEST,
        });
        const requested = await requestDeployment({
          targetId: target.id,
          source: {
            kind: "manifests",
            manifests: objectsFor(ns, size)
              .map((o) => stringify(o))
              .join("---\n"),
          },
          reason: "bench",
          actor: { kind: "user", id: requester.id, name: requester.email },
          principal: { userId: requester.id, email: requester.email, role: "deployer", kind: "user" },
          request: NO_REQUEST,
        });
        const t0 = performance.now();
        await decideDeployment({
          deploymentId: requested.id,
          input: { decision: "approved" },
          approver: {
            userId: approver.id,
            email: approver.email,
            role: "approver",
            kind: "user",
            name: approver.name ?? approver.email,
          },
          actor: { kind: "user", id: approver.id, name: approver.email },
          request: NO_REQUEST,
        });
        let row = await db.deployment.findUniqueOrThrow({ where: { id: requested.id } });
        while (!["succeeded", "failed", "cancelled", "superseded"].includes(row.state)) {
          await new Promise((r) => setTimeout(r, 20));
          row = await db.deployment.findUniqueOrThrow({ where: { id: requested.id } });
        }
        const total = performance.now() - t0;
        if (row.state !== "succeeded") throw new Error(`deployment ${row.id} ${row.state}: ${row.resultMessage}`);
        const logs = await db.deploymentLog.findMany({ where: { deploymentId: row.id }, orderBy: { seq: "asc" } });
        const at = (prefix: string) => logs.find((l) => l.message.startsWith(prefix))?.at.getTime() ?? Number.NaN;
        const waitAt = at("Waiting for");
        const rollout = at("Pruning objects") - waitAt;
        const apply = waitAt - row.startedAt!.getTime();

        const floorNs = `${ns}-floor`;
        const kubectlNs = `${ns}-kubectl`;
        await createNamespace(cluster, floorNs);
        await createNamespace(cluster, kubectlNs);
        // Alternate which of the two goes first so neither always meets a cooler server.
        let floor: number;
        let kubectl: number;
        if (round % 2) {
          floor = await rawApply(cluster, objectsFor(floorNs, size));
          kubectl = await kubectlApply(cluster, dir, objectsFor(kubectlNs, size));
        } else {
          kubectl = await kubectlApply(cluster, dir, objectsFor(kubectlNs, size));
          floor = await rawApply(cluster, objectsFor(floorNs, size));
        }
        const sample = { approvalToSucceeded: total - rollout, rollout, apply, floor, kubectl };
        console.log(
          `${size} objects, ${round === 0 ? "warm-up" : `run ${round}/${runs}`}: approval → succeeded ${ms(total)} (rollout wait ${ms(rollout)}), ` +
            `executor apply ${ms(apply)}, floor ${ms(floor)}, kubectl ${ms(kubectl)}`,
        );
        if (round > 0) samples.push(sample);
      }
      const m = (key: keyof Omit<Figures, "objects">) => median(samples.map((s) => s[key]));
      results.push({
        objects: size,
        approvalToSucceeded: m("approvalToSucceeded"),
        rollout: m("rollout"),
        apply: m("apply"),
        floor: m("floor"),
        kubectl: m("kubectl"),
      });
    }
  } finally {
    await executor.stop();
    await db.$disconnect();
  }
  return results;
}

async function withCluster<T>(work: (cluster: RealCluster, dir: string) => Promise<T>): Promise<T> {
  const cluster = await startRealCluster();
  const dir = await mkdtemp(path.join(tmpdir(), "wharf-bench-push-e2e-"));
  try {
    return await work(cluster, dir);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function rows(figures: Figures[], runs: number): BenchRow[] {
  const bench = "push end to end (real control plane)";
  return figures.flatMap((f) => [
    {
      bench,
      figure: `last approval → succeeded excl. rollout wait, ${f.objects} object(s) (median of ${runs})`,
      goal: "—",
      value: ms(f.approvalToSucceeded),
      met: null,
    },
    ratioRow(bench, `executor apply / raw HTTPS SSA floor, ${f.objects} object(s)`, f.apply / f.floor, 1.2),
    ratioRow(bench, `executor apply / kubectl apply --server-side, ${f.objects} object(s)`, f.apply / f.kubectl, 0.5),
  ]);
}

/** `npm run bench -- all`: 1 and 200 objects, median of 3. */
export async function runForTable(opts: TableOptions): Promise<BenchRow[]> {
  if (opts.realClusterMissing) return [notRun("push end to end (real control plane)", opts.realClusterMissing)];
  return rows(await withCluster((cluster, dir) => measure(cluster, dir, [1, 200], 3)), 3);
}

export async function run(): Promise<void> {
  const i = process.argv.indexOf("--runs");
  const runs = i >= 0 ? Number(process.argv[i + 1]) : 5;
  const figures = await withCluster((cluster, dir) => measure(cluster, dir, [1, 200], runs));
  for (const f of figures) {
    console.log(
      `\n${f.objects} object(s), median of ${runs}: last approval → succeeded ${ms(f.approvalToSucceeded)} excluding the rollout wait (${ms(f.rollout)})`,
    );
    console.log(
      `  executor apply ${ms(f.apply)}, raw HTTPS floor ${ms(f.floor)}, kubectl --server-side ${ms(f.kubectl)}`,
    );
    console.log(
      `  Wharf/floor ${(f.apply / f.floor).toFixed(2)} (goal ≤ 1.20), Wharf/kubectl ${(f.apply / f.kubectl).toFixed(2)} (goal ≤ 0.50)`,
    );
  }
}
