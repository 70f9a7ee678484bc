// `npm run bench -- push`: request-to-succeeded time of a 200-object push deployment on the sandbox cluster, through the
// real path — request (validation, store, preview dry run), two approvals, the executor (claim, decrypt, apply, rollout
// wait, prune) — on a fresh SQLite database in a temp dir. Broken into approval bookkeeping, apply and rollout wait;
// the apply is compared with `kubectl apply --server-side` of the same objects into a fresh namespace (ratio).
// The sandbox runs in its own process, as a real API server would (see apply.ts).
import "reflect-metadata";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { dbFor } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { decideDeployment } from "@/lib/deployments/data/decide-deployment";
import { requestDeployment } from "@/lib/deployments/data/request-deployment";
import { startExecutor } from "@/lib/deployments/executor";
import { resetEnvCache } from "@/lib/env";
import type { KubeObject } from "@/lib/kube";
import { ratioRow, type BenchRow } from "./support/table";

const run$ = promisify(execFile);
const OBJECTS = 200;
const RUNS = 3;
const KUBECTL = "/usr/bin/kubectl";

/** The same mix as the apply benchmark: a Namespace, then ConfigMaps, Secrets, Services and Deployments. */
function objectsFor(ns: string): KubeObject[] {
  const objects: KubeObject[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }];
  for (let i = 0; objects.length < OBJECTS; i++) {
    switch (i % 4) {
      case 0:
        objects.push({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `cm-${i}`, namespace: ns },
          data: { index: String(i) },
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
              spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Timing {
  request: number;
  approvals: number;
  queueToStart: number;
  apply: number;
  prune: number;
  rollout: number;
  total: number;
  kubectl: number;
}

export async function run(): Promise<void> {
  await measure();
}

/** `npm run bench -- all`: the same 200-object deployment, median of 3 (about a minute with the rollout waits). */
export async function runForTable(): Promise<BenchRow[]> {
  const m = await measure();
  const info = (figure: string, value: number): BenchRow => ({
    bench: "push (sandbox)",
    figure,
    goal: "—",
    value: `${value.toFixed(0)} ms`,
    met: null,
  });
  return [
    ratioRow(
      "push (sandbox)",
      `executor apply / kubectl apply --server-side, ${OBJECTS} objects`,
      m.apply / m.kubectl,
      0.5,
    ),
    info(`request → succeeded excluding rollout wait, ${OBJECTS} objects (median of ${RUNS})`, m.total - m.rollout),
    info(`rollout wait (sandbox delay 1500 ms per workload)`, m.rollout),
  ];
}

async function measure(): Promise<Timing> {
  const dir = await mkdtemp(path.join(tmpdir(), "wharf-bench-push-"));
  process.env.DATABASE_URL = `file:${path.join(dir, "wharf.db")}`;
  process.env.WHARF_DATA_DIR = dir;
  process.env.WHARF_MASTER_KEY = randomBytes(32).toString("base64");
  process.env.WHARF_ROLLOUT_TIMEOUT = "5m";
  resetEnvCache();
  await migrateDatabase(process.env.DATABASE_URL);
  const db = dbFor(process.env.DATABASE_URL);
  const sandbox = await startSandboxProcess();
  const executor = startExecutor({ processId: "bench", pollMs: 1000 });
  const timings: Timing[] = [];

  const user = async (role: "deployer" | "approver") =>
    db.user.create({ data: { email: `${role}-${randomBytes(3).toString("hex")}@bench.wharf`, name: role, role } });
  const requester = await user("deployer");
  const approvers = [await user("approver"), await user("approver")];

  try {
    for (let round = 0; round <= RUNS; round++) {
      const ns = `bench-push-${round}`;
      const target = await db.target.create({
        data: {
          name: `bench-${round}-${randomBytes(2).toString("hex")}`,
          environment: "bench",
          mode: "push",
          serverUrl: sandbox.url,
          caBundle: sandbox.caPem,
          defaultNamespace: ns,
          allowedNamespaces: JSON.stringify([ns]),
          allowClusterScoped: true,
          requiredApprovals: 2,
        },
      });
      await saveCredential({
        targetId: target.id,
        input: { kind: "bearer-token", token: sandbox.adminToken },
        actor: SYSTEM_ACTOR,
        actorRole: "admin",
        actorUserId: null,
        request: NO_REQUEST,
      });
      const objects = objectsFor(ns);
      const manifests = objects.map((o) => stringify(o)).join("---\n");

      const t0 = performance.now();
      const requested = await requestDeployment({
        targetId: target.id,
        source: { kind: "manifests", manifests },
        reason: "bench",
        actor: { kind: "user", id: requester.id, name: requester.email },
        principal: { userId: requester.id, email: requester.email, role: "deployer", kind: "user" },
        request: NO_REQUEST,
      });
      const t1 = performance.now();
      for (const a of approvers) {
        await decideDeployment({
          deploymentId: requested.id,
          input: { decision: "approved" },
          approver: { userId: a.id, email: a.email, role: "approver", kind: "user", name: a.name ?? a.email },
          actor: { kind: "user", id: a.id, name: a.email },
          request: NO_REQUEST,
        });
      }
      const t2 = performance.now();
      let row = await db.deployment.findUniqueOrThrow({ where: { id: requested.id } });
      while (!["succeeded", "failed", "cancelled", "superseded"].includes(row.state)) {
        await new Promise((r) => setTimeout(r, 20));
        row = await db.deployment.findUniqueOrThrow({ where: { id: requested.id } });
      }
      const t3 = performance.now();
      if (row.state !== "succeeded") throw new Error(`deployment ${row.id} ${row.state}: ${row.resultMessage}`);
      const logs = await db.deploymentLog.findMany({ where: { deploymentId: row.id }, orderBy: { seq: "asc" } });
      const at = (prefix: string) => logs.find((l) => l.message.startsWith(prefix))?.at.getTime() ?? Number.NaN;
      const pruneAt = at("Pruning objects");
      const waitAt = at("Waiting for");

      // kubectl on the same objects, into a fresh namespace so it creates everything as Wharf did.
      const kns = `${ns}-kubectl`;
      const file = path.join(dir, `${kns}.yaml`);
      await writeFile(
        file,
        objectsFor(kns)
          .map((o) => stringify(o))
          .join("---\n"),
      );
      const k0 = performance.now();
      const { stdout } = await run$(
        KUBECTL,
        ["--kubeconfig", sandbox.kubeconfigPath, "apply", "--server-side", "-f", file],
        { maxBuffer: 16 * 1024 * 1024 },
      );
      const kubectl = performance.now() - k0;
      if (stdout.split("\n").filter((l) => l.trim()).length !== OBJECTS)
        throw new Error(`kubectl did not apply ${OBJECTS} objects:\n${stdout}`);

      const timing: Timing = {
        request: t1 - t0,
        approvals: t2 - t1,
        queueToStart: row.startedAt!.getTime() - row.queuedAt!.getTime(),
        // The executor waits for the rollout before it prunes.
        apply: waitAt - row.startedAt!.getTime(),
        rollout: pruneAt - waitAt,
        prune: row.finishedAt!.getTime() - pruneAt,
        total: t3 - t0,
        kubectl,
      };
      const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
      console.log(
        `${round === 0 ? "warm-up" : `run ${round}/${RUNS}`}  total ${fmt(timing.total)}  request ${fmt(timing.request)}  approvals ${fmt(timing.approvals)}  ` +
          `queue→start ${fmt(timing.queueToStart)}  apply ${fmt(timing.apply)}  prune ${fmt(timing.prune)}  rollout ${fmt(timing.rollout)}  kubectl ${fmt(timing.kubectl)}`,
      );
      if (round > 0) timings.push(timing);
    }
  } finally {
    await executor.stop();
    await sandbox.stop();
    await db.$disconnect();
    await rm(dir, { recursive: true, force: true });
  }
  const m = (key: keyof Timing) => median(timings.map((t) => t[key]));
  console.log(
    `\npush deployment of ${OBJECTS} objects, request → succeeded (median of ${RUNS}, SQLite, sandbox in its own process):`,
  );
  console.log(`  total                               ${m("total").toFixed(0)} ms`);
  console.log(
    `  approval bookkeeping                ${(m("request") + m("approvals") + m("queueToStart")).toFixed(0)} ms`,
  );
  console.log(`    request (validate, store, preview dry run of ${OBJECTS})  ${m("request").toFixed(0)} ms`);
  console.log(`    two approvals → queued            ${m("approvals").toFixed(0)} ms`);
  console.log(`    queued → executor started         ${m("queueToStart").toFixed(0)} ms`);
  console.log(`  apply (decrypt, plan, SSA, results) ${m("apply").toFixed(0)} ms`);
  console.log(`  prune                               ${m("prune").toFixed(0)} ms`);
  console.log(
    `  rollout wait                        ${m("rollout").toFixed(0)} ms (sandbox rollout delay 1500 ms per workload)`,
  );
  console.log(`  kubectl apply --server-side         ${m("kubectl").toFixed(0)} ms`);
  console.log(`  ratio Wharf apply / kubectl         ${(m("apply") / m("kubectl")).toFixed(2)}`);
  const keys = Object.keys(timings[0]!) as (keyof Timing)[];
  return Object.fromEntries(keys.map((key) => [key, m(key)])) as unknown as Timing;
}
