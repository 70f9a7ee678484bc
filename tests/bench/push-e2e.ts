// `npm run bench -- push-e2e [--runs N] [--objects N] [--no-page]`: push, end to end, on the real control plane (issue 18, Must 2).
// --runs N: runs per size after a warm-up (default 5; a one-object size runs at least ONE_OBJECT_MIN_RUNS).
// A push deployment of 1 and of 200 objects through the real path — request, last approval, the executor (claim,
// decrypt, plan re-check, apply, rollout wait, prune, succeeded) — on a fresh PostgreSQL database (SQLite when none
// answers; see withCluster), against etcd + kube-apiserver + kube-controller-manager + kwok (lib/kube/real-cluster;
// `npm run cluster:build` first), and, when this checkout has a production build (`npx next build`), the deployment's
// page open in Chromium on `next start` until it shows "succeeded".
// The timeline of each run comes from the run's own records (log lines stamped as they happen, startedAt,
// finishedAt), a raw watch of the namespace's Deployments (when the cluster itself had them rolled out) and the
// API requests the executor sent (undici's diagnostics channel), so every phase is a row and nothing is hidden:
//   approval → run started (wake, claim, load) · pre-apply (plan rows, credential decrypt + audit, plan re-check by
//   dry run, the first checkpoint: progress, lease and cancel in one transaction) · apply (the executor's "Applying"
//   line, logged once that checkpoint let it write to the cluster → its last object applied) · rollout wait (the cluster's: last
//   object applied → every Deployment ready, by the watch) · Wharf noticing the rollout · prune and finish · the page.
// The apply span's two ends come from the executor's apply-timing channel (performance.now(), where it logs those
// lines): the lines' whole-millisecond stamps are a fifth of a one-object apply.
// The apply span is compared with the same objects applied into a fresh namespace by
//   - the floor: raw server-side apply over node:https (PATCH application/apply-patch+yaml, fieldManager, force), no
//     client library, as many at once as lib/kube's apply (16), over connections opened beforehand — the executor's
//     apply starts with the connections its plan re-check opened: goal Wharf/floor ≤ 1.2;
//   - `kubectl apply --server-side` (its own process, discovery from its disk cache): goal Wharf/kubectl ≤ 0.5.
// Each round's application is new (a new target), so its apply also writes the ApplySet parent — alongside its first
// objects (lib/kube's parentAlongside: the deployment's rows, not the parent, are what a later prune finds an
// interrupted apply's objects by); a third floor makes the same writes, the parent (copied from the cluster) first and
// then the objects: at one object the first deployment writes two objects to the floor's one. Each round then
// re-deploys it with every object changed (an annotation: no rollout), the common case of a push, and re-applies the
// same change through the floor (kubectl's ratio is the first deployment's: ~0.1, and its 200-object run took half a
// minute of the table's 15 minutes).
import "reflect-metadata";
import { execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import fs from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:https";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Browser, Page } from "@playwright/test";
import pg from "pg";
import { stringify } from "yaml";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { saveCredential } from "@/lib/credentials/data/store-credential";
import { dbFor } from "@/lib/db/client";
import { decideDeployment } from "@/lib/deployments/data/decide-deployment";
import { requestDeployment } from "@/lib/deployments/data/request-deployment";
import { startExecutor } from "@/lib/deployments/executor";
import { APPLY_TIMING_CHANNEL, type ApplyTimingMessage } from "@/lib/deployments/executor/apply-timing";
import { resetEnvCache } from "@/lib/env";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { waitForWake } from "@/lib/wake/notifier";
import type { KubeObject } from "@/lib/kube";
import { startRealCluster, type RealCluster } from "@/lib/kube/real-cluster";
import { pgAdminUrl, pgQuery, pgReachable, pgUrlOf } from "../support/two-dashboards";
import { benchAdmin, freePort, sessionCookie, startServer } from "./dashboard";
import { stopProcess } from "./pull";
import { launchBenchChromium } from "./support/chromium";
import { median, ms, notRun, ratioRow, type BenchRow, type TableOptions } from "./support/table";
import { watchDeployments } from "./support/watch-deployments";

const run$ = promisify(execFile);
/**
 * When each database statement of this process was sent (node-postgres, under Prisma's adapter): the executor's
 * progress writes share its CPU and the database's with the apply, so a run's line counts them within its span.
 */
const dbStatements: number[] = [];
{
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    dbStatements.push(Date.now());
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
}
const statementsBetween = (from: number, to: number) => dbStatements.filter((t) => t >= from && t <= to).length;

/**
 * This process's CPU time (user + system), sampled every 20 ms: what the executor (or the floor) spent of the two
 * cores it shares with the API server, etcd and the database during a span. Actual CPU, not a profiler's wall-clock
 * samples, so a loaded machine does not inflate it.
 */
const cpuSamples: { at: number; us: number }[] = [];
setInterval(() => {
  const { user, system } = process.cpuUsage();
  cpuSamples.push({ at: Date.now(), us: user + system });
}, 20).unref();
function cpuBetween(from: number, to: number): number {
  const before = cpuSamples.findLast((s) => s.at <= from) ?? cpuSamples[0];
  const after = cpuSamples.find((s) => s.at >= to) ?? cpuSamples.at(-1);
  return before && after ? (after.us - before.us) / 1000 : Number.NaN;
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KUBECTL = "/usr/bin/kubectl";
const FLOOR_CONCURRENCY = 16;
const BENCH = "push end to end (real control plane)";
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

/** The same objects changed for a re-deploy: an annotation on each (a Deployment's pod template is untouched). */
function changedFor(ns: string, count: number): KubeObject[] {
  return objectsFor(ns, count).map((o) => ({
    ...o,
    metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, "bench.wharf.dev/round": "re-deploy" } },
  }));
}

async function createNamespace(cluster: RealCluster, ns: string): Promise<void> {
  await run$(KUBECTL, ["--kubeconfig", cluster.kubeconfigPath, "create", "namespace", ns]);
}

/** The last floor's lanes (see `lanes`), for the run's lines. */
let lastFloorLanes = "";

/**
 * The floor: server-side apply of each object over keep-alive HTTPS, FLOOR_CONCURRENCY at once, no client library.
 * `warm` opens the connections first (a GET /version on each, not timed), as the executor's apply finds them open.
 */
async function rawApply(cluster: RealCluster, objects: KubeObject[], warm: boolean): Promise<number> {
  const agent = new Agent({ keepAlive: true, ca: cluster.caPem, maxSockets: FLOOR_CONCURRENCY });
  const send = (method: "GET" | "PATCH", url: string, body?: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent,
          headers: {
            authorization: `Bearer ${cluster.adminToken}`,
            accept: "application/json",
            ...(body ? { "content-type": "application/apply-patch+yaml" } : {}),
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
      req.end(body);
    });
  const lanes = Math.min(FLOOR_CONCURRENCY, objects.length);
  let busy = 0;
  if (warm) await Promise.all(Array.from({ length: lanes }, () => send("GET", `${cluster.url}/version`)));
  const start = performance.now();
  const wallStart = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < objects.length) {
        const o = objects[next++]!;
        const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
        const url = `${cluster.url}${base}/namespaces/${o.metadata.namespace}/${PLURALS[o.kind]}/${o.metadata.name}?fieldManager=floor&force=true`;
        // JSON is YAML: the body the content type names, without a YAML library's time in the floor.
        const sentAt = performance.now();
        await send("PATCH", url, JSON.stringify(o));
        busy += performance.now() - sentAt;
      }
    }),
  );
  const elapsed = performance.now() - start;
  agent.destroy();
  const wallEnd = Date.now();
  await new Promise((r) => setTimeout(r, 40));
  lastFloorLanes =
    `in flight ${(busy / elapsed).toFixed(1)}, latency ${(busy / objects.length).toFixed(1)} ms, ` +
    `process CPU ${cpuBetween(wallStart, wallEnd).toFixed(0)} ms`;
  return elapsed;
}

/**
 * The ApplySet parent Wharf wrote in `ns` (the ConfigMap labelled with a set id), as an apply body for `into`: what a
 * first deployment writes beside its objects, for a floor of the same writes.
 */
async function parentCopy(cluster: RealCluster, ns: string, into: string): Promise<KubeObject> {
  const url = `${cluster.url}/api/v1/namespaces/${ns}/configmaps?labelSelector=applyset.kubernetes.io%2Fid`;
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      url,
      { ca: cluster.caPem, headers: { authorization: `Bearer ${cluster.adminToken}`, accept: "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () =>
          res.statusCode === 200 ? resolve(text) : reject(new Error(`parent: HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
  const parent = (JSON.parse(body) as { items: KubeObject[] }).items[0];
  if (!parent) throw new Error(`no ApplySet parent in ${ns}`);
  const { name, labels, annotations } = parent.metadata;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: into, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
  };
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

/** One API request this process sent through undici: when it was created, its headers came back, it ended. */
interface SentRequest {
  method: string;
  createdAt: number;
  headersAt: number;
  endedAt: number;
  status: number;
}

/**
 * The API requests this process sends through undici (the executor's lib/kube client; the floor uses node:https),
 * with their timings (performance.now(), and Date.now() at creation for the run's log stamps).
 */
function recordRequests() {
  const at: number[] = [];
  const sent: (SentRequest & { wallAt: number })[] = [];
  const open = new WeakMap<object, SentRequest & { wallAt: number }>();
  const onCreate = (message: unknown) => {
    const { request } = message as { request: { method: string } };
    const entry = {
      method: request.method,
      wallAt: Date.now(),
      createdAt: performance.now(),
      headersAt: Number.NaN,
      endedAt: Number.NaN,
      status: 0,
    };
    at.push(entry.wallAt);
    sent.push(entry);
    open.set(request, entry);
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    const entry = open.get(request);
    if (!entry) return;
    entry.headersAt = performance.now();
    entry.status = response.statusCode;
  };
  const onEnd = (message: unknown) => {
    const entry = open.get((message as { request: object }).request);
    if (entry) entry.endedAt = performance.now();
  };
  const channels = {
    "undici:request:create": onCreate,
    "undici:request:headers": onHeaders,
    "undici:request:trailers": onEnd,
    "undici:request:error": onEnd,
  };
  for (const [name, fn] of Object.entries(channels)) subscribe(name, fn);
  return {
    between: (from: number, to: number) => at.filter((t) => t >= from && t <= to).length,
    /** The requests created between two Date.now() stamps (the run's log lines). */
    sentBetween: (from: number, to: number) => sent.filter((r) => r.wallAt >= from && r.wallAt <= to),
    stop: () => {
      for (const [name, fn] of Object.entries(channels)) unsubscribe(name, fn);
    },
  };
}

/**
 * Each deployment's apply span from the executor's apply-timing channel: "applying" → its last "applied", in
 * performance.now() milliseconds (NaN when the channel said nothing of it); and whether its apply is under way.
 */
function recordApplySpans() {
  const spans = new Map<string, { applying: number; lastApplied: number; ended: boolean }>();
  const endings = new Map<string, () => void>();
  const onTiming = (message: unknown) => {
    const { deploymentId, event, at } = message as ApplyTimingMessage;
    const span = spans.get(deploymentId) ?? { applying: Number.NaN, lastApplied: Number.NaN, ended: false };
    if (event === "applying") span.applying = at;
    else if (event === "applied")
      span.lastApplied = Number.isNaN(span.lastApplied) ? at : Math.max(at, span.lastApplied);
    else {
      span.ended = true;
      endings.get(deploymentId)?.();
    }
    spans.set(deploymentId, span);
  };
  subscribe(APPLY_TIMING_CHANNEL, onTiming);
  return {
    of: (deploymentId: string) => {
      const span = spans.get(deploymentId);
      return span ? span.lastApplied - span.applying : Number.NaN;
    },
    /** Null unless the deployment's apply started and has not ended; else when it ends. */
    underWay: (deploymentId: string): Promise<void> | null => {
      const span = spans.get(deploymentId);
      if (!span || Number.isNaN(span.applying) || span.ended) return null;
      return new Promise((resolve) => endings.set(deploymentId, resolve));
    },
    stop: () => unsubscribe(APPLY_TIMING_CHANNEL, onTiming),
  };
}

/**
 * How busy the connections were over a span: mean requests in flight (the sum of request latencies over the span;
 * 16 means every lane always had a request out) and the mean latency per request, with the status codes met.
 */
function lanes(sent: SentRequest[], spanMs: number): string {
  const done = sent.filter((r) => Number.isFinite(r.endedAt));
  const busy = done.reduce((sum, r) => sum + (r.endedAt - r.createdAt), 0);
  const statuses = new Map<number, number>();
  for (const r of sent) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  const codes = [...statuses].map(([code, n]) => `${n}×${code}`).join(" ");
  return `in flight ${(busy / spanMs).toFixed(1)}, latency ${(busy / Math.max(1, done.length)).toFixed(1)} ms (${codes})`;
}

/**
 * Records, in the page, when the deployment's state badge first reads "succeeded" (Date.now(), the bench's clock). A
 * string, not a function: tsx would wrap a named inner function in a helper the page does not have.
 */
const OBSERVE_STATE = `(() => {
  window.succeededAt = undefined;
  const look = () => {
    for (const el of document.querySelectorAll('[data-testid="deployment-state"]'))
      if (el.textContent === "succeeded") window.succeededAt ??= Date.now();
  };
  look();
  new MutationObserver(look).observe(document.body, { childList: true, subtree: true, characterData: true });
})()`;

async function pageSucceededAt(page: Page, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(() => (window as unknown as { succeededAt?: number }).succeededAt, null, {
    polling: 50,
    timeout: timeoutMs,
  });
  return (await handle.jsonValue()) as number;
}

/** One run's timeline, in ms; see the header. NaN where a phase was not observed (no page). */
interface Sample {
  approvalToStarted: number;
  preApply: number;
  /** Of the pre-apply: the credential decrypted (its audit row) → the plan re-check's verdict. */
  planCheck: number;
  apply: number;
  applyRequests: number;
  floor: number;
  floorCold: number;
  /** The floor of the same writes as the first deployment: its objects and its ApplySet parent. */
  floorSame: number;
  kubectl: number;
  /** Last object applied → the executor starts waiting for the rollout (lease, cancel check, progress written). */
  appliedToWaiting: number;
  /** The cluster's: last object applied → every Deployment ready (the watch). */
  rollout: number;
  /** Every Deployment ready (the watch) → the executor's last rollout line. */
  rolloutNoticed: number;
  /** Rollout noticed → finishedAt: checkpoint, prune (label lists, parent write), the audited finish. */
  pruneAndFinish: number;
  /** finishedAt → the bench reads the row succeeded (read on the finish's wake). */
  finishedToRow: number;
  /** finishedAt → the page shows "succeeded". */
  finishedToPage: number;
  /** Approval → succeeded on the page (or in the row without a page), less the cluster's rollout wait. */
  totalExclRollout: number;
  requests: number;
  /** The re-deploy of the same application with every object changed: its apply span, requests and floors. */
  redeployApply: number;
  redeployApplyRequests: number;
  redeployFloor: number;
}

interface Figures {
  database: "PostgreSQL" | "SQLite";
  objects: number;
  runs: number;
  page: boolean;
  median: Sample;
}

const RESULT_LINE = / (created|configured|unchanged)$/;
const PHASE_LINE = /^Phase \d+\/\d+: (.*) \((\d+)\)\.$/;

/**
 * Where an apply's span went, from its log lines: the previous phase's last result (or "Applying") → each phase's line
 * (the checkpoint before it: progress, lease and cancel in one transaction) → its first object's result (one round
 * trip) → its last (the phase's objects, its tail running below full concurrency).
 */
function applyBreakdown(logs: { message: string; at: Date }[]): string {
  let mark = logs.find((l) => l.message.startsWith("Applying "))?.at.getTime() ?? Number.NaN;
  const parts: string[] = [];
  for (let i = 0; i < logs.length; i++) {
    const match = PHASE_LINE.exec(logs[i]!.message);
    if (!match) continue;
    const phaseAt = logs[i]!.at.getTime();
    const results: number[] = [];
    for (let j = i + 1; j < logs.length && !PHASE_LINE.test(logs[j]!.message); j++)
      if (RESULT_LINE.test(logs[j]!.message)) results.push(logs[j]!.at.getTime());
    const first = Math.min(...results);
    const last = Math.max(...results);
    parts.push(`→ ${match[1]} ${phaseAt - mark} · first +${first - phaseAt} · ${match[2]} in ${last - first}`);
    mark = last;
  }
  return parts.join(" ");
}

/** The apply span in a run's log: its "Applying" line → its last object's result line. */
function applySpan(logs: { message: string; at: Date }[]): { applyingAt: number; lastAppliedAt: number } {
  const applyingAt = logs.find((l) => l.message.startsWith("Applying "))?.at.getTime() ?? Number.NaN;
  const lastAppliedAt = Math.max(...logs.filter((l) => RESULT_LINE.test(l.message)).map((l) => l.at.getTime()));
  return { applyingAt, lastAppliedAt };
}

/**
 * A one-object apply takes a few milliseconds on an idle server and a scheduling hiccup of either process adds one: its
 * median needs more runs than the 200-object one's, and each costs seconds, not tens of them.
 */
const ONE_OBJECT_MIN_RUNS = 7;

function runsFor(size: number, minRuns: number): number {
  return size === 1 ? Math.max(minRuns, ONE_OBJECT_MIN_RUNS) : minRuns;
}

async function measure(
  cluster: RealCluster,
  dir: string,
  sizes: number[],
  minRuns: number,
  withPage: boolean,
  url: string,
): Promise<Figures[]> {
  process.env.DATABASE_URL = url;
  process.env.WHARF_DATA_DIR = dir;
  process.env.WHARF_MASTER_KEY = randomBytes(32).toString("base64");
  process.env.WHARF_ROLLOUT_TIMEOUT = "5m";
  resetEnvCache();
  await migrateDatabase(url);
  const db = dbFor(url);
  const executor = startExecutor({ processId: "bench-e2e", pollMs: 1000 });
  const requests = recordRequests();
  const applySpans = recordApplySpans();
  const user = (role: "deployer" | "approver") =>
    db.user.create({ data: { email: `${role}-${randomBytes(3).toString("hex")}@bench.wharf`, name: role, role } });
  const requester = await user("deployer");
  const approver = await user("approver");
  const request = (targetId: string, objects: KubeObject[]) =>
    requestDeployment({
      targetId,
      source: { kind: "manifests", manifests: objects.map((o) => stringify(o)).join("---\n") },
      reason: "bench",
      actor: { kind: "user", id: requester.id, name: requester.email },
      principal: { userId: requester.id, email: requester.email, role: "deployer", kind: "user" },
      request: NO_REQUEST,
    });
  /**
   * The last approval, then the row read each time the run wakes its followers (lib/wake: every progress write and
   * its finish, in this process) until it ends; anything but succeeded stops the bench. Not a 5 ms poll: ~200 reads a
   * second through Prisma in the executor's own process, which the floor never shares — in a 200-object re-deploy
   * 400–630 database statements within the apply span instead of ~220, and in its CPU profile Prisma and pg took
   * several times lib/kube's time. The row is still read right after the finish commits (its wake), so "finished →
   * row" keeps its meaning. Nor is it read while the apply is under way: the checkpoint's commit wakes it right after
   * "Applying", and its Prisma read then shared this process with the apply it measures (in a one-object apply, the
   * one statement in the span, 1 ms after its start). A page follows the run from `next start`, not from here.
   */
  const approveAndFinish = async (deploymentId: string) => {
    await decideDeployment({
      deploymentId,
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
    const ended = (state: string) => ["succeeded", "failed", "cancelled", "superseded", "plan-changed"].includes(state);
    for (;;) {
      // Listening before the read: a wake between the read and the wait is not missed.
      const stop = new AbortController();
      const woken = waitForWake("deployment", deploymentId, 1000, stop.signal);
      // After the wake's other listeners, the executor among them: its apply may start on this very wake.
      await new Promise((resolve) => setImmediate(resolve));
      const applying = applySpans.underWay(deploymentId);
      if (applying) {
        await Promise.race([applying, woken]);
        stop.abort();
        continue;
      }
      const row = await db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      if (ended(row.state)) {
        stop.abort();
        if (row.state !== "succeeded") throw new Error(`deployment ${row.id} ${row.state}: ${row.resultMessage}`);
        return row;
      }
      await woken;
    }
  };
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  let page: Page | null = null;
  let base = "";
  const results: Figures[] = [];
  try {
    if (withPage) {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      server = await startServer(url, dir, port);
      browser = await launchBenchChromium();
      const context = await browser.newContext();
      const [name, value] = (await sessionCookie(base, await benchAdmin(db))).split("=") as [string, string];
      await context.addCookies([{ name, value, url: base }]);
      page = await context.newPage();
    }
    for (const size of sizes) {
      const samples: Sample[] = [];
      const runs = runsFor(size, minRuns);
      // Run 0 warms up the executor, kubectl's discovery cache, the page and the API server: not counted.
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
        const objects = objectsFor(ns, size);
        const requested = await request(target.id, objects);
        if (page) {
          await page.goto(`${base}/deployments/${requested.id}`);
          await page.locator('[data-testid="deployment-state"]').first().waitFor({ timeout: 60_000 });
          await page.evaluate(OBSERVE_STATE);
        }
        const watch = watchDeployments(cluster, ns);
        // The watch's first answer (the empty list) before the clock starts.
        await new Promise((r) => setTimeout(r, 100));
        const t0 = Date.now();
        const row = await approveAndFinish(requested.id);
        const rowAt = Date.now();
        const pageAt = page ? await pageSucceededAt(page, 60_000) : Number.NaN;
        const deployments = objects.filter((o) => o.kind === "Deployment").length;
        let readyAt = watch.allReadyAt(deployments);
        for (let i = 0; Number.isNaN(readyAt) && i < 100; i++) {
          await new Promise((r) => setTimeout(r, 20));
          readyAt = watch.allReadyAt(deployments);
        }
        watch.stop();

        const logs = await db.deploymentLog.findMany({ where: { deploymentId: row.id }, orderBy: { seq: "asc" } });
        const first = (test: (m: string) => boolean) => logs.find((l) => test(l.message))?.at.getTime() ?? Number.NaN;
        const { applyingAt, lastAppliedAt } = applySpan(logs);
        const waitingAt = first((m) => m.startsWith("Waiting for"));
        const pruningIndex = logs.findIndex((l) => l.message.startsWith("Pruning objects"));
        const noticedAt = logs[pruningIndex - 1]?.at.getTime() ?? Number.NaN;
        const planAt = first((m) => m.startsWith("The recomputed plan"));
        const decrypted = await db.auditEvent.findFirst({
          // The executor's decrypt, not the request's preview nor the page's live-state reads.
          where: { action: "credential.decrypted", targetId: target.id, actorName: { startsWith: "executor " } },
          orderBy: { at: "desc" },
        });
        const startedAt = row.startedAt!.getTime();
        const finishedAt = row.finishedAt!.getTime();
        const doneAt = page ? pageAt : rowAt;
        // The bench's watch shares this process's event loop with the executor: under load it can hear of readiness
        // after the executor did. Ready is whichever saw it first, so the rollout wait is never overstated.
        readyAt = Math.min(...[readyAt, noticedAt].filter(Number.isFinite));
        const rollout = readyAt - lastAppliedAt;

        const floorNs = `${ns}-floor`;
        const coldNs = `${ns}-cold`;
        const kubectlNs = `${ns}-kubectl`;
        const sameNs = `${ns}-same`;
        for (const n of [floorNs, coldNs, kubectlNs, sameNs]) await createNamespace(cluster, n);
        // The first deployment's writes through the floor: its objects and, first as the executor sends it, the parent.
        const floorSame = await rawApply(
          cluster,
          [await parentCopy(cluster, ns, sameNs), ...objectsFor(sameNs, size)],
          true,
        );
        // Alternate which goes first so none always meets a cooler server.
        let floor: number;
        let floorCold: number;
        let kubectl: number;
        let floorLanes = "";
        if (round % 2) {
          floor = await rawApply(cluster, objectsFor(floorNs, size), true);
          floorLanes = lastFloorLanes;
          floorCold = await rawApply(cluster, objectsFor(coldNs, size), false);
          kubectl = await kubectlApply(cluster, dir, objectsFor(kubectlNs, size));
        } else {
          kubectl = await kubectlApply(cluster, dir, objectsFor(kubectlNs, size));
          floorCold = await rawApply(cluster, objectsFor(coldNs, size), false);
          floor = await rawApply(cluster, objectsFor(floorNs, size), true);
          floorLanes = lastFloorLanes;
        }

        // The re-deploy: the same application, every object changed; then the same change through the floor.
        const again = await request(target.id, changedFor(ns, size));
        await approveAndFinish(again.id);
        const redeployLogs = await db.deploymentLog.findMany({
          where: { deploymentId: again.id },
          orderBy: { seq: "asc" },
        });
        const redeploy = applySpan(redeployLogs);
        const redeployFloor = await rawApply(cluster, changedFor(floorNs, size), true);
        const redeployFloorLanes = lastFloorLanes;
        const redeployLanes = lanes(
          requests.sentBetween(redeploy.applyingAt, redeploy.lastAppliedAt),
          redeploy.lastAppliedAt - redeploy.applyingAt,
        );

        const sample: Sample = {
          approvalToStarted: startedAt - t0,
          preApply: applyingAt - startedAt,
          planCheck: planAt - (decrypted?.at.getTime() ?? Number.NaN),
          apply: applySpans.of(row.id),
          applyRequests: requests.between(applyingAt, lastAppliedAt),
          floor,
          floorCold,
          floorSame,
          kubectl,
          appliedToWaiting: waitingAt - lastAppliedAt,
          rollout,
          rolloutNoticed: noticedAt - readyAt,
          pruneAndFinish: finishedAt - noticedAt,
          finishedToRow: rowAt - finishedAt,
          finishedToPage: pageAt - finishedAt,
          totalExclRollout: doneAt - t0 - rollout,
          requests: requests.between(startedAt, finishedAt),
          redeployApply: applySpans.of(again.id),
          redeployApplyRequests: requests.between(redeploy.applyingAt, redeploy.lastAppliedAt),
          redeployFloor,
        };
        console.log(
          `${size} object(s), ${round === 0 ? "warm-up" : `run ${round}/${runs}`}: approval → succeeded${page ? " on the page" : ""} ${ms(doneAt - t0)}, excl. rollout wait ${ms(sample.totalExclRollout)}\n` +
            `  approval → run started ${ms(sample.approvalToStarted)} · pre-apply ${ms(sample.preApply)} (plan re-check ${ms(sample.planCheck)})` +
            ` · apply ${ms(sample.apply)} (${sample.applyRequests} requests) · applied → rollout wait ${ms(sample.appliedToWaiting)}` +
            ` · rollout (cluster) ${ms(rollout)} · noticed ${ms(sample.rolloutNoticed)} · prune + finish ${ms(sample.pruneAndFinish)}` +
            ` · finished → row ${ms(sample.finishedToRow)}${page ? ` · finished → page ${ms(sample.finishedToPage)}` : ""}` +
            ` · ${sample.requests} API requests in all\n` +
            `    apply: ${lanes(requests.sentBetween(applyingAt, lastAppliedAt), lastAppliedAt - applyingAt)}, ` +
            `${statementsBetween(applyingAt, lastAppliedAt)} database statements, ` +
            `process CPU ${cpuBetween(applyingAt, lastAppliedAt).toFixed(0)} ms; ${applyBreakdown(logs)}\n` +
            `  floor ${ms(floor)} (cold connections ${ms(floorCold)}; with the parent ${ms(floorSame)}), kubectl ${ms(kubectl)}\n` +
            `    floor: ${floorLanes}\n` +
            `  re-deploy: apply ${ms(sample.redeployApply)} (${sample.redeployApplyRequests} requests), floor ${ms(redeployFloor)}\n` +
            `    apply: ${redeployLanes}, ${statementsBetween(redeploy.applyingAt, redeploy.lastAppliedAt)} database statements, ` +
            `process CPU ${cpuBetween(redeploy.applyingAt, redeploy.lastAppliedAt).toFixed(0)} ms; ` +
            `${applyBreakdown(redeployLogs)}\n` +
            `    floor: ${redeployFloorLanes}`,
        );
        if (round > 0) samples.push(sample);
      }
      const keys = Object.keys(samples[0]!) as (keyof Sample)[];
      const mid = Object.fromEntries(keys.map((k) => [k, median(samples.map((s) => s[k]))])) as unknown as Sample;
      results.push({
        database: url.startsWith("file:") ? "SQLite" : "PostgreSQL",
        objects: size,
        runs,
        page: page !== null,
        median: mid,
      });
    }
  } finally {
    requests.stop();
    applySpans.stop();
    await executor.stop();
    await browser?.close();
    if (server) await stopProcess(server);
    await db.$disconnect();
  }
  return results;
}

function hasBuild(): boolean {
  return fs.existsSync(path.join(root, ".next", "BUILD_ID"));
}

/**
 * The run's database: PostgreSQL when it answers, else SQLite. The executor runs in this process (its API requests are
 * counted here) and the page on `next start`: two processes, which Wharf supports on PostgreSQL, where the executor's
 * writes reach the page's held progress poll through NOTIFY. On SQLite Wharf is one process (the dashboard runs the
 * executor); split as here, the page hears of a change only at its one-second re-check, so "on the page" is overstated.
 */
async function withCluster<T>(work: (cluster: RealCluster, dir: string, url: string) => Promise<T>): Promise<T> {
  const cluster = await startRealCluster();
  const dir = await mkdtemp(path.join(tmpdir(), "wharf-bench-push-e2e-"));
  const pgName = (await pgReachable()) ? `wharf_bench_push_${randomBytes(4).toString("hex")}` : null;
  if (pgName) await pgQuery(`CREATE DATABASE "${pgName}"`);
  else console.log(`[bench] PostgreSQL not reachable at ${new URL(pgAdminUrl).host}: SQLite, the page at its re-check`);
  try {
    return await work(cluster, dir, pgName ? pgUrlOf(pgName) : `file:${path.join(dir, "wharf.db")}`);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
    if (pgName) await pgQuery(`DROP DATABASE IF EXISTS "${pgName}" WITH (FORCE)`);
  }
}

function rows(figures: Figures[]): BenchRow[] {
  const cores = os.availableParallelism();
  const info = (figure: string, value: number): BenchRow => ({
    bench: BENCH,
    figure,
    goal: "—",
    value: ms(value),
    met: null,
  });
  return figures.flatMap((f) => {
    const m = f.median;
    const of = `${f.objects} object(s), median of ${f.runs}`;
    return [
      info(
        `last approval → succeeded ${f.page ? "on the page (Chromium)" : "(row; no production build for the page)"} excl. rollout wait, ${of} (${f.database}, ${cores} cores)`,
        m.totalExclRollout,
      ),
      info(`  approval → run started (wake, claim), ${of}`, m.approvalToStarted),
      info(`  pre-apply (decrypt + audit, plan re-check by dry run, first checkpoint), ${of}`, m.preApply),
      info(`  apply: "Applying" → last object applied, ${of}`, m.apply),
      ratioRow(BENCH, `  apply / raw HTTPS SSA floor (open connections), ${of}`, m.apply / m.floor, 1.2),
      ratioRow(
        BENCH,
        `  apply / the same floor with the same writes (the ApplySet parent too), ${of}`,
        m.apply / m.floorSame,
        1.2,
      ),
      ratioRow(BENCH, `  apply / kubectl apply --server-side, ${of}`, m.apply / m.kubectl, 0.5),
      info(`  re-deploy, every object changed: apply, ${of}`, m.redeployApply),
      ratioRow(
        BENCH,
        `  re-deploy apply / raw HTTPS SSA floor (open connections), ${of}`,
        m.redeployApply / m.redeployFloor,
        1.2,
      ),
      info(`  rollout noticed after ready, ${of}`, m.rolloutNoticed),
      info(`  prune + finish, ${of}`, m.pruneAndFinish),
      ...(f.page ? [info(`  succeeded written → on the page, ${of}`, m.finishedToPage)] : []),
      info(`  rollout wait (the cluster's, not counted above), ${of}`, m.rollout),
    ];
  });
}

function summary(figures: Figures[]): void {
  for (const f of figures) {
    const m = f.median;
    console.log(`\n${f.objects} object(s), median of ${f.runs}, ${f.database}, ${os.availableParallelism()} cores:`);
    console.log(
      `  last approval → succeeded ${f.page ? "on the page" : "(row)"} excl. rollout wait  ${ms(m.totalExclRollout)}`,
    );
    console.log(`    approval → run started (wake, claim, load)          ${ms(m.approvalToStarted)}`);
    console.log(
      `    pre-apply (rows, decrypt + audit, re-check, gate)   ${ms(m.preApply)} (plan re-check dry run ${ms(m.planCheck)})`,
    );
    console.log(`    apply ("Applying" → last object applied)           ${ms(m.apply)} (${m.applyRequests} requests)`);
    console.log(`    last applied → rollout wait starts (overlaps)       ${ms(m.appliedToWaiting)}`);
    console.log(`    rollout ready → noticed by the executor             ${ms(m.rolloutNoticed)}`);
    console.log(`    noticed → succeeded written (prune, finish)         ${ms(m.pruneAndFinish)}`);
    console.log(`    succeeded written → row read                        ${ms(m.finishedToRow)}`);
    if (f.page) console.log(`    succeeded written → on the page                     ${ms(m.finishedToPage)}`);
    console.log(`  rollout wait (cluster: last applied → all ready)      ${ms(m.rollout)}`);
    console.log(`  API requests per run (started → finished)             ${m.requests}`);
    console.log(
      `  floor ${ms(m.floor)} (cold connections ${ms(m.floorCold)}), kubectl --server-side ${ms(m.kubectl)}; ` +
        `Wharf/floor ${(m.apply / m.floor).toFixed(2)} (goal ≤ 1.20; ${(m.apply / m.floorCold).toFixed(2)} of the cold floor), ` +
        `Wharf/kubectl ${(m.apply / m.kubectl).toFixed(2)} (goal ≤ 0.50); ` +
        `the same writes (objects and the ApplySet parent) through the floor ${ms(m.floorSame)}, Wharf/that ${(m.apply / m.floorSame).toFixed(2)}`,
    );
    console.log(
      `  re-deploy (every object changed): apply ${ms(m.redeployApply)} (${m.redeployApplyRequests} requests), ` +
        `floor ${ms(m.redeployFloor)}; Wharf/floor ${(m.redeployApply / m.redeployFloor).toFixed(2)} (goal ≤ 1.20)`,
    );
  }
}

/** `npm run bench -- all`: 1 and 200 objects, median of 7 and of 3, with the page when there is a production build. */
export async function runForTable(opts: TableOptions): Promise<BenchRow[]> {
  if (opts.realClusterMissing) return [notRun(BENCH, opts.realClusterMissing)];
  const figures = await withCluster((cluster, dir, url) => measure(cluster, dir, [1, 200], 3, hasBuild(), url));
  summary(figures);
  return rows(figures);
}

export async function run(): Promise<void> {
  const i = process.argv.indexOf("--runs");
  const runs = i >= 0 ? Number(process.argv[i + 1]) : 5;
  const o = process.argv.indexOf("--objects");
  const sizes = o >= 0 ? [Number(process.argv[o + 1])] : [1, 200];
  const withPage = !process.argv.includes("--no-page") && hasBuild();
  if (!withPage) console.log("[bench] without the page: no production build here (`npx next build`) or --no-page");
  const figures = await withCluster((cluster, dir, url) => measure(cluster, dir, sizes, runs, withPage, url));
  summary(figures);
}
