// `npm run bench -- many-dashboards [--users 50] [--deployments 20] [--think-ms 5000] [--min-seconds 30]
//   [--targets 1000] [--events 20000] [--apps 1000]` (issue 18, Must 4)
// Two `next start` processes on one PostgreSQL database (tests/support/two-dashboards.ts, as the two-dashboards e2e
// spec starts them) behind a round-robin proxy on loopback (support/round-robin-proxy.ts). `--users` users, each
// signed in with their own session cookie, browse through the proxy — the Applications list (first page, a filter,
// the next cursor page), the deployments list and its next page, the environments matrix and its next page, the
// Overview page — with `--think-ms` (±50 %) between clicks, while `--deployments` push deployments are requested with
// an API token and approved by a signed-in approver through the same proxy, and the executors of both processes claim
// and apply them. Latency is client-observed through the proxy (request start → body read), so it includes the proxy
// hop and this process's own event loop: an upper bound on the servers' time. Goal: p95 < 150 ms for every list.
// "Nothing run twice": afterwards, from the database, each deployment was claimed once (attempts), logged one executor
// start, and has one deployment.started and one finish audit row; the figure is how many deployments had more.
// The cluster is the sandbox (lib/kube/sandbox, the zero-setup default): the point is the dashboards, not the apply.
// Data: seed:scale's targets, deployments, sync history and audit trail plus the applications benchmark's applications
// (× 3 environments), seeded once into a template database (wharf_bench_many_<targets>_<events>_<apps>) that each run
// copies, so runs start from the same rows.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hashPassword } from "@/lib/auth/secrets";
import { seedScale } from "@/lib/cli/seed-scale";
import { createDb, type Db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import {
  freePort,
  pgAdminUrl,
  pgQuery,
  pgReachable,
  pgUrlOf,
  sleep,
  startTwoDashboards,
  type TwoDashboards,
} from "../support/two-dashboards";
import { seedApplications } from "./applications";
import { startRoundRobinProxy, type RoundRobinProxy } from "./support/round-robin-proxy";
import { belowGoal, ms, notRun, percentile, type BenchRow } from "./support/table";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const artifacts = path.join(root, "tests/.artifacts/bench-many-dashboards");
const BENCH = "many dashboards (2 × next start, PostgreSQL, sandbox cluster)";
const LIST_GOAL_MS = 150;
const TERMINAL = ["succeeded", "failed", "cancelled", "rejected", "superseded"];
/** Bump when the template's seeding changes, so an old template is not reused. */
const TEMPLATE_VERSION = 1;

interface Flags {
  users: number;
  deployments: number;
  thinkMs: number;
  minSeconds: number;
  /** Browsing stops by then even if deployments are still running (they are then waited for, unloaded, and counted). */
  maxSeconds: number;
  targets: number;
  events: number;
  apps: number;
}

const DEFAULTS: Flags = {
  users: 50,
  deployments: 20,
  // A user reads a page before the next click; 5 s is a brisk reader (at 1 s each, 50 users are a stress test that
  // kept both processes saturated on 2 cores). --think-ms changes it.
  thinkMs: 5000,
  minSeconds: 30,
  maxSeconds: 90,
  targets: 1000,
  events: 20_000,
  apps: 1000,
};

function flags(argv: string[]): Flags {
  const f = { ...DEFAULTS };
  const names: Record<string, keyof Flags> = {
    "--users": "users",
    "--deployments": "deployments",
    "--think-ms": "thinkMs",
    "--min-seconds": "minSeconds",
    "--max-seconds": "maxSeconds",
    "--targets": "targets",
    "--events": "events",
    "--apps": "apps",
  };
  for (let i = 0; i < argv.length; i++) {
    const key = names[argv[i]!];
    if (key && argv[i + 1] !== undefined) f[key] = Number(argv[++i]);
  }
  return f;
}

/**
 * The template database for one size, seeded once (a few minutes on 2 cores) and kept; its master key is kept beside
 * the other benchmarks' artifacts, since the seeded credentials are sealed with it. Built under a temporary name and
 * renamed when complete, so an interrupted seeding never leaves a half-filled template behind.
 */
async function templateDatabase(f: Flags): Promise<{ name: string; masterKey: string }> {
  const name = `wharf_bench_many_v${TEMPLATE_VERSION}_${f.targets}_${f.events}_${f.apps}`;
  const keyFile = path.join(artifacts, `${name}.key`);
  const exists = await pgQuery("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  if (exists.rowCount && fs.existsSync(keyFile)) {
    const masterKey = fs.readFileSync(keyFile, "utf8").trim();
    // Migrations added since it was seeded go into the template itself, not into every copy.
    await migrateDatabase(pgUrlOf(name));
    return { name, masterKey };
  }
  if (exists.rowCount) await pgQuery(`DROP DATABASE "${name}" WITH (FORCE)`);
  const building = `${name}_building_${randomBytes(4).toString("hex")}`;
  const masterKey = randomBytes(32).toString("base64");
  console.log(
    `[bench] seeding the template ${name} once: ${f.targets} targets, ${f.events} sync events, ${f.apps} applications × 3 environments…`,
  );
  const t0 = performance.now();
  await pgQuery(`CREATE DATABASE "${building}"`);
  // seedScale seals credentials with env()'s keyring; the variables are put back afterwards, since `bench -- all`
  // runs the next benchmark in this process.
  const saved = { DATABASE_URL: process.env.DATABASE_URL, WHARF_MASTER_KEY: process.env.WHARF_MASTER_KEY };
  try {
    const url = pgUrlOf(building);
    process.env.DATABASE_URL = url;
    process.env.WHARF_MASTER_KEY = masterKey;
    resetEnvCache();
    await migrateDatabase(url);
    const db = createDb(url);
    try {
      await seedScale(db, { targets: f.targets, events: f.events, log: (l) => console.log(`[bench] ${l}`) });
      await seedApplications(db, f.apps);
      // The seed's approved, queued and running deployments target clusters that do not exist (10.x addresses):
      // the dashboards' executors would claim them and wait on connect timeouts. Cancelled, they stay in the lists.
      await db.deployment.updateMany({
        where: { state: { in: ["approved", "queued", "running"] } },
        data: { state: "cancelled", finishedAt: new Date(), claimedBy: null, leaseUntil: null },
      });
      await db.$executeRawUnsafe("ANALYZE");
    } finally {
      await db.$disconnect();
    }
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(keyFile, `${masterKey}\n`, { mode: 0o600 });
    await pgQuery(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
  } catch (err) {
    await pgQuery(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`).catch(() => undefined);
    throw err;
  } finally {
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    resetEnvCache();
  }
  console.log(`[bench] template seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return { name, masterKey };
}

/** `count` users of `role` sharing one password (hashed once: scrypt per user would cost seconds). */
async function createUsers(db: Db, role: "viewer" | "approver", count: number, password: string) {
  const passwordHash = await hashPassword(password);
  const tag = randomBytes(3).toString("hex");
  const emails = Array.from({ length: count }, (_, i) => `${role}-${i}-${tag}@bench.wharf`);
  await db.user.createMany({ data: emails.map((email, i) => ({ email, name: `${role} ${i}`, role, passwordHash })) });
  return emails;
}

/** Signs in through the proxy as a browser would (Origin set); returns the session cookie. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ email, password }),
    });
    const cookie = /wharf_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
    if (cookie) return cookie;
    if (attempt >= 2) throw new Error(`sign-in of ${email} failed: ${res.status} ${await res.text()}`);
    await sleep(1000);
  }
}

interface Sample {
  endpoint: string;
  ms: number;
  ok: boolean;
  /** The HTTP status, or the fetch error, of a failed request. */
  error?: string;
}

/** One click: a GET through the proxy with the user's cookie, timed to the end of the body. */
async function timedGet(
  base: string,
  cookie: string,
  endpoint: string,
  url: string,
  samples: Sample[] | null,
): Promise<string | null> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${base}${url}`, { headers: { cookie } });
    const text = await res.text();
    samples?.push({ endpoint, ms: performance.now() - t0, ok: res.ok, error: res.ok ? undefined : `${res.status}` });
    return res.ok ? text : null;
  } catch (err) {
    samples?.push({ endpoint, ms: performance.now() - t0, ok: false, error: String(err) });
    return null;
  }
}

const nextCursorOf = (text: string | null): string | null => {
  if (!text) return null;
  try {
    return (JSON.parse(text) as { nextCursor?: string | null }).nextCursor ?? null;
  } catch {
    return null;
  }
};

/** The Overview is a page, not a list: reported beside the lists, without the lists' goal. */
const OVERVIEW = "overview page (HTML)";
const APP_FILTERS = [
  "health=Degraded",
  "sync=OutOfSync",
  "mode=pull&environment=prod",
  "mode=push&environment=staging",
  "q=app-00",
];

/**
 * One user's visits, chosen at random: a list's first page, then (half the time) its next page as the "Next" button
 * asks for it, with the cursor the first page returned.
 */
async function visit(base: string, cookie: string, samples: Sample[] | null, random: () => number): Promise<void> {
  const q = encodeURIComponent;
  const pick = Math.floor(random() * 5);
  const paged = async (endpoint: string, url: string) => {
    const cursor = nextCursorOf(await timedGet(base, cookie, `${endpoint}, first page`, url, samples));
    if (cursor && random() < 0.5)
      await timedGet(base, cookie, `${endpoint}, next page (cursor)`, `${url}&cursor=${q(cursor)}`, samples);
  };
  if (pick === 0) await paged("applications", "/api/applications?limit=50");
  else if (pick === 1) {
    const filter = APP_FILTERS[Math.floor(random() * APP_FILTERS.length)]!;
    await timedGet(base, cookie, "applications, a filter", `/api/applications?limit=50&${filter}`, samples);
  } else if (pick === 2) await paged("deployments", "/api/deployments?limit=25");
  else if (pick === 3) await paged("environments matrix", "/api/applications/matrix?limit=50");
  else await timedGet(base, cookie, OVERVIEW, "/", samples);
}

/** A small deterministic generator per user, so two runs click the same sequence. */
function randomFor(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

interface DeploymentFigures {
  requested: number;
  succeeded: number;
  /** Deployments with more than one claim, executor start, started audit row or finish audit row. */
  duplicates: number;
  /** Deployments not finished (or not succeeded) when the bench gave up waiting. */
  unfinished: number;
  /** Executor id → deployments it ran. */
  byExecutor: Map<string, number>;
  /** Last approval → succeeded, from the rows (ms). */
  approvalToDone: number[];
}

/** Runs `work` over `items`, `concurrency` at a time, keeping the results in order. */
async function pooled<T, R>(items: T[], concurrency: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}

/**
 * Requests each deployment with the admin token and approves it as the signed-in approver, all through the proxy,
 * four at a time, so the executors have a queue to share while the users browse.
 */
async function runDeployments(
  base: string,
  started: TwoDashboards,
  approverCookie: string,
  count: number,
): Promise<string[]> {
  return pooled(started.seeded.targets.slice(0, count), 4, async ({ targetId, namespace }, i) => {
    const manifests = [
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many-${i}\n  namespace: ${namespace}\ndata:\n  n: "${i}"\n`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${i}\n  namespace: ${namespace}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: web-${i} }\n  template:\n    metadata:\n      labels: { app: web-${i} }\n    spec:\n      containers:\n        - { name: web, image: "registry.bench/web:${i}" }\n`,
    ].join("---\n");
    const requested = await fetch(`${base}/api/deployments`, {
      method: "POST",
      headers: { authorization: `Bearer ${started.seeded.token}`, "content-type": "application/json" },
      body: JSON.stringify({ targetId, source: { kind: "manifests", manifests }, reason: `many dashboards #${i}` }),
    });
    const text = await requested.text();
    const id = requested.status === 201 ? (JSON.parse(text) as { id: string }).id : null;
    if (!id) throw new Error(`request ${i}: ${requested.status} ${text.slice(0, 500)}\n${started.diagnostics()}`);
    const approved = await fetch(`${base}/api/deployments/${id}/approvals`, {
      method: "POST",
      headers: { cookie: approverCookie, origin: base, "content-type": "application/json" },
      body: JSON.stringify({ decision: "approved" }),
    });
    if (!approved.ok) throw new Error(`approval of ${id}: ${approved.status} ${(await approved.text()).slice(0, 500)}`);
    return id;
  });
}

/** Waits until every deployment is in a final state (or `timeoutMs`), reading the rows. */
async function waitForDeployments(db: Db, ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await db.deployment.count({ where: { id: { in: ids }, state: { notIn: TERMINAL } } });
    if (open === 0) return;
    await sleep(250);
  }
}

/** From the database: each deployment claimed, started and finished once, and by which executor. */
async function countRuns(db: Db, ids: string[], requested: number): Promise<DeploymentFigures> {
  const rows = await db.deployment.findMany({
    where: { id: { in: ids } },
    select: { id: true, state: true, attempts: true, approvedAt: true, finishedAt: true },
  });
  const logs = await db.deploymentLog.findMany({
    where: {
      deploymentId: { in: ids },
      OR: [{ message: { startsWith: "Started by executor" } }, { message: { startsWith: "Resumed by executor" } }],
    },
    select: { deploymentId: true, message: true },
  });
  const audits = await db.auditEvent.findMany({
    where: {
      subjectId: { in: ids },
      action: { in: ["deployment.started", "deployment.succeeded", "deployment.failed"] },
    },
    select: { subjectId: true, action: true },
  });
  const count = <T>(items: T[], pred: (t: T) => boolean) => items.filter(pred).length;
  const byExecutor = new Map<string, number>();
  for (const l of logs) {
    const executor = /executor (\S+?)\.?(?:\s|$)/.exec(l.message)?.[1] ?? "?";
    byExecutor.set(executor, (byExecutor.get(executor) ?? 0) + 1);
  }
  let duplicates = 0;
  for (const row of rows) {
    const runs = count(logs, (l) => l.deploymentId === row.id);
    const startedRows = count(audits, (a) => a.subjectId === row.id && a.action === "deployment.started");
    const finishedRows = count(audits, (a) => a.subjectId === row.id && a.action !== "deployment.started");
    if (row.attempts > 1 || runs > 1 || startedRows > 1 || finishedRows > 1) {
      duplicates++;
      console.log(
        `[bench] ${row.id} ran more than once: ${row.attempts} claims, ${runs} executor starts, ${startedRows} started and ${finishedRows} finish audit rows`,
      );
    }
  }
  const succeeded = rows.filter((r) => r.state === "succeeded");
  return {
    requested,
    succeeded: succeeded.length,
    duplicates,
    unfinished: requested - succeeded.length,
    byExecutor,
    approvalToDone: succeeded
      .filter((r) => r.approvedAt && r.finishedAt)
      .map((r) => r.finishedAt!.getTime() - r.approvedAt!.getTime())
      .sort((a, b) => a - b),
  };
}

/** CPU seconds (user + system) `pids` have used so far, from /proc; NaN where there is no /proc. */
function cpuSecondsOf(pids: number[]): number {
  try {
    let ticks = 0;
    for (const pid of pids) {
      // Fields after the parenthesised command: state is the 3rd field, utime and stime the 14th and 15th.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

interface EndpointRow {
  endpoint: string;
  count: number;
  errors: number;
  /** The distinct failures (HTTP status or fetch error), for the printout. */
  failures: string[];
  p50: number;
  p95: number;
  goal?: number;
}

function summarize(samples: Sample[]): EndpointRow[] {
  const names = [...new Set(samples.map((s) => s.endpoint))].sort((a, b) =>
    a === OVERVIEW ? 1 : b === OVERVIEW ? -1 : a.localeCompare(b),
  );
  const row = (endpoint: string, of: Sample[], goal?: number): EndpointRow => {
    const times = of
      .filter((s) => s.ok)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    return {
      endpoint,
      count: of.length,
      errors: of.filter((s) => !s.ok).length,
      failures: [...new Set(of.flatMap((s) => (s.error ? [s.error] : [])))],
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      goal,
    };
  };
  const lists = samples.filter((s) => s.endpoint !== OVERVIEW);
  return [
    row("every list and matrix request", lists, LIST_GOAL_MS),
    ...names.map((n) =>
      row(
        n,
        samples.filter((s) => s.endpoint === n),
        n === OVERVIEW ? undefined : LIST_GOAL_MS,
      ),
    ),
  ];
}

interface Result {
  f: Flags;
  rows: EndpointRow[];
  deployments: DeploymentFigures;
  seconds: number;
  proxyCounts: number[];
  /** CPU seconds both processes used while the users browsed, and the requests they answered meanwhile. */
  cpuSeconds: number;
  requests: number;
}

async function measure(f: Flags): Promise<Result> {
  const begun = performance.now();
  const phase = (what: string) => console.log(`[bench] ${what} (${((performance.now() - begun) / 1000).toFixed(0)} s)`);
  const template = await templateDatabase(f);
  phase(`template ${template.name} ready`);
  let started: TwoDashboards | undefined;
  let proxy: RoundRobinProxy | undefined;
  let db: Db | undefined;
  try {
    // The proxy's port first: both processes are told it is their public URL, as behind a real load balancer.
    const proxyPort = await freePort();
    started = await startTwoDashboards({
      targets: f.deployments,
      requiredApprovals: 1,
      dbPrefix: "wharf_bench_many",
      template: template.name,
      masterKey: template.masterKey,
      publicUrl: `http://127.0.0.1:${proxyPort}`,
      // Off: rotation and the scope sweeper would reach for the seeded targets' clusters, which do not exist.
      env: { WHARF_ROTATION: "off", WHARF_SCOPE_CHECK_INTERVAL: "off", WHARF_EXECUTOR_POLL_INTERVAL: "500ms" },
    });
    proxy = await startRoundRobinProxy(started.bases, proxyPort);
    phase("database copied, sandbox seeded, both dashboards up");
    const base = proxy.url;
    db = createDb(started.databaseUrl);

    const password = randomBytes(12).toString("base64url");
    const viewers = await createUsers(db, "viewer", f.users, password);
    const [approverEmail] = await createUsers(db, "approver", 1, password);
    // A few at a time: sign-ins are throttled per address (failures and attempts in flight), and each checks a password.
    const cookies = await pooled(viewers, 4, (email) => signIn(base, email, password));
    const approverCookie = await signIn(base, approverEmail!, password);
    phase(`${cookies.length + 1} users signed in`);

    // Warm-up, not measured: each route's first request in each process loads its code (each process directly).
    for (const upstream of started.bases) for (let i = 0; i < 2; i++) await visitAll(upstream, cookies[0]!);
    phase("warmed up");

    console.log(
      `[bench] ${f.users} users browsing through ${base} (→ ${started.bases.join(", ")}), ${f.deployments} deployments on the sandbox cluster…`,
    );
    const samples: Sample[] = [];
    let browsing = true;
    const t0 = performance.now();
    const timeUp = setTimeout(() => (browsing = false), f.maxSeconds * 1000);
    const cpuBefore = cpuSecondsOf(started.pids);
    const requestsBefore = proxy.counts.reduce((a, b) => a + b, 0);
    const users = cookies.map(async (cookie, u) => {
      const random = randomFor(u + 1);
      // Users arrive over the first think time, not all in the same millisecond.
      await sleep(random() * f.thinkMs);
      while (browsing) {
        await visit(base, cookie, samples, random);
        await sleep(f.thinkMs * (0.5 + random()));
      }
    });
    const ids = await runDeployments(base, started, approverCookie, f.deployments);
    phase(`${ids.length} deployments requested and approved`);
    const elapsed = () => performance.now() - t0;
    await waitForDeployments(db, ids, Math.max(0, f.maxSeconds * 1000 - elapsed()));
    phase("deployments finished (or the browsing time is up)");
    if (elapsed() < f.minSeconds * 1000) await sleep(f.minSeconds * 1000 - elapsed());
    browsing = false;
    clearTimeout(timeUp);
    await Promise.all(users);
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = cpuSecondsOf(started.pids) - cpuBefore;
    const requests = proxy.counts.reduce((a, b) => a + b, 0) - requestsBefore;
    // Unloaded now: whatever still runs gets its chance to finish before the runs are counted.
    await waitForDeployments(db, ids, 60_000);
    const deployments = await countRuns(db, ids, f.deployments);
    return {
      f,
      rows: summarize(samples),
      deployments,
      seconds,
      proxyCounts: [...proxy.counts],
      cpuSeconds,
      requests,
    };
  } finally {
    await proxy?.close().catch(() => undefined);
    await db?.$disconnect();
    await started?.stop();
  }
}

/** Every endpoint once, for the warm-up. */
async function visitAll(base: string, cookie: string): Promise<void> {
  const urls = [
    "/api/applications?limit=50",
    ...APP_FILTERS.map((filter) => `/api/applications?limit=50&${filter}`),
    "/api/deployments?limit=25",
    "/api/applications/matrix?limit=50",
    "/",
  ];
  for (const url of urls) {
    const text = await timedGet(base, cookie, "warm-up", url, null);
    const cursor = url.startsWith("/api/") ? nextCursorOf(text) : null;
    if (cursor) await timedGet(base, cookie, "warm-up", `${url}&cursor=${encodeURIComponent(cursor)}`, null);
  }
}

function print(r: Result): void {
  const { f, deployments: d } = r;
  console.log(
    `\nMany dashboards — 2 × next start on PostgreSQL behind a round-robin proxy (requests ${r.proxyCounts.join(" / ")}), ` +
      `sandbox cluster; ${f.users} users, a click every ${f.thinkMs} ms ± 50 % each, ${r.seconds.toFixed(0)} s; ` +
      `${f.targets} targets, ${f.events} sync events, ${f.apps} applications × 3 environments. ` +
      `Client-observed through the proxy.\n`,
  );
  console.log(
    `${"request".padEnd(42)} ${"count".padStart(6)} ${"errors".padStart(6)} ${"p50".padStart(8)} ${"p95".padStart(8)}  goal`,
  );
  for (const row of r.rows) {
    const verdict =
      (row.goal === undefined ? "" : `p95 < ${row.goal} ms ${row.p95 < row.goal ? "✓" : "✗"}`) +
      (row.failures.length ? `  failed: ${row.failures.join(", ")}` : "");
    console.log(
      `${row.endpoint.padEnd(42)} ${String(row.count).padStart(6)} ${String(row.errors).padStart(6)} ${ms(row.p50).padStart(8)} ${ms(row.p95).padStart(8)}  ${verdict}`,
    );
  }
  console.log(
    `\nThe two processes used ${r.cpuSeconds.toFixed(1)} CPU s in ${r.seconds.toFixed(0)} s (${(r.cpuSeconds / r.seconds).toFixed(2)} of ${os.availableParallelism()} cores; load average ${os.loadavg()[0]!.toFixed(1)}): ` +
      `${ms((r.cpuSeconds * 1000) / r.requests)} of CPU per request (${r.requests} requests, executors included).`,
  );
  console.log(
    `Deployments: ${d.succeeded}/${d.requested} succeeded, run more than once: ${d.duplicates}` +
      `; executors: ${[...d.byExecutor.values()].join(" / ")} (${d.byExecutor.size} processes)` +
      `; last approval → succeeded p50 ${ms(percentile(d.approvalToDone, 50))}, p95 ${ms(percentile(d.approvalToDone, 95))}`,
  );
}

function tableRows(r: Result): BenchRow[] {
  const { f, deployments: d } = r;
  const who = `${f.users} users, a click every ${f.thinkMs / 1000} s each`;
  return [
    ...r.rows
      .filter((row) => row.goal !== undefined)
      .map((row) =>
        belowGoal(
          BENCH,
          `${row.endpoint}, p95 of ${row.count} (${who})${row.errors ? ` (${row.errors} errors)` : ""}`,
          row.p95,
          row.goal!,
        ),
      ),
    ...r.rows
      .filter((row) => row.goal === undefined)
      .map((row) => ({
        bench: BENCH,
        figure: `${row.endpoint}, p95 of ${row.count} (${who})`,
        goal: "—",
        value: ms(row.p95),
        met: null,
      })),
    {
      bench: BENCH,
      figure: `both processes' CPU per request, mean of ${r.requests} (${(r.cpuSeconds / r.seconds).toFixed(2)} of ${os.availableParallelism()} cores used; load average ${os.loadavg()[0]!.toFixed(1)})`,
      goal: "—",
      value: ms((r.cpuSeconds * 1000) / r.requests),
      met: null,
    },
    {
      bench: BENCH,
      figure: `deployments run more than once, of ${d.requested} (${d.succeeded} succeeded, executors ${[...d.byExecutor.values()].join("/")})`,
      goal: "0",
      value: String(d.duplicates),
      met: d.duplicates === 0 && d.unfinished === 0,
    },
  ];
}

/** Why this benchmark cannot run here, or null. */
async function missing(): Promise<string | null> {
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) return "no production build (run `npx next build` first)";
  if (!(await pgReachable())) return `PostgreSQL not reachable at ${new URL(pgAdminUrl).host} (WHARF_TEST_PG_URL)`;
  return null;
}

export async function run(argv = process.argv.slice(3)): Promise<void> {
  const why = await missing();
  if (why) throw new Error(why);
  print(await measure(flags(argv)));
}

/** `npm run bench -- all`: the defaults (50 users, 20 deployments, 30 s at least); about 2 minutes once seeded. */
export async function runForTable(): Promise<BenchRow[]> {
  const why = await missing();
  if (why) return [notRun(BENCH, why)];
  const result = await measure(DEFAULTS);
  print(result);
  return tableRows(result);
}
