// `npm run bench -- applications [--db sqlite|postgresql|both] [--apps 10000] [--requests 100]`
// Server time of the Applications list (lib/applications/data/list-applications.ts), of the deployments list with
// its Live badge and of the environments matrix (data/get-environment-matrix.ts), called as the routes call them, on
// `--apps` application names × 3 environments (dev, staging, prod; half push with two deployments each, half pull
// with a reported state and a small live tree). p50/p95 of each filter, a deep cursor, the name search and the
// matrix's first and a deep page. The database is seeded once per size under tests/.artifacts/bench-applications
// (PostgreSQL: database wharf_bench_apps_<apps>), so later runs start at once. Goal: p95 < 150 ms (issue 15).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { encodeApplicationCursor } from "@/lib/applications/cursor";
import { getEnvironmentMatrix } from "@/lib/applications/data/get-environment-matrix";
import { listApplications } from "@/lib/applications/data/list-applications";
import { MATRIX_LIMIT_DEFAULT, ZEnvironmentMatrixQuery } from "@/lib/applications/matrix-schemas";
import { ZApplicationListQuery } from "@/lib/applications/schemas";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import { createDb, type Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/sqlite/client";
import { listDeployments } from "@/lib/deployments/data/list-deployments";
import { ZDeploymentListQuery } from "@/lib/deployments/schemas";
import { resetEnvCache } from "@/lib/env";
import { encodeKeysetCursor } from "@/lib/keyset-cursor";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { belowGoal, percentile, type BenchRow } from "./support/table";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const artifacts = path.join(root, "tests/.artifacts/bench-applications");
const GOAL_MS = 150;
const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
/** Targets per environment and mode: applications spread over them. */
const TARGETS_PER = 10;
const CHUNK = 1000;

interface Flags {
  db: ("sqlite" | "postgresql")[];
  apps: number;
  requests: number;
}

function flags(argv: string[]): Flags {
  const f: Flags = { db: ["sqlite"], apps: 10_000, requests: 100 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (v === undefined) continue;
    if (argv[i] === "--db") f.db = v === "both" ? ["sqlite", "postgresql"] : [v as "sqlite" | "postgresql"];
    else if (argv[i] === "--apps") f.apps = Number(v);
    else if (argv[i] === "--requests") f.requests = Number(v);
    else continue;
    i++;
  }
  return f;
}

const id = () => `b${randomBytes(12).toString("hex")}`;
const pick = <T>(i: number, weights: [T, number][]): T => {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let at = (i * 7919) % total;
  for (const [v, w] of weights) {
    if (at < w) return v;
    at -= w;
  }
  return weights[0]![0];
};

async function inChunks<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/** `apps` application names × 3 environments on their own 60 targets (also the many-dashboards benchmark's data). */
export async function seedApplications(db: Db, apps: number): Promise<void> {
  const user = await db.user.create({
    data: { email: `bench-${randomBytes(4).toString("hex")}@bench.wharf`, name: "Bench", role: "admin" },
  });
  const targets: { id: string; name: string; environment: string; mode: string }[] = [];
  for (const environment of ENVIRONMENTS)
    for (const mode of ["push", "pull"])
      for (let t = 0; t < TARGETS_PER; t++)
        targets.push({ id: id(), name: `${environment}-${mode}-${t}`, environment, mode });
  await db.target.createMany({ data: targets.map((t) => ({ ...t, serverUrl: "https://127.0.0.1:6443" })) });

  const applications: Prisma.ApplicationCreateManyInput[] = [];
  const deployments: Prisma.DeploymentCreateManyInput[] = [];
  const repos: Prisma.PullRepoCreateManyInput[] = [];
  const statuses: Prisma.RepoStatusCreateManyInput[] = [];
  const liveStates: Prisma.ApplicationLiveStateCreateManyInput[] = [];
  const base = Date.UTC(2026, 0, 1);
  const tree = JSON.stringify({
    roots: [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: "default",
        name: "web",
        health: { status: "Healthy" },
        inInventory: true,
        children: [0, 1].map((p) => ({
          apiVersion: "v1",
          kind: "Pod",
          namespace: "default",
          name: `web-${p}`,
          health: { status: "Healthy" },
          inInventory: false,
          pod: { phase: "Running", restarts: 0, ready: 1, containers: 1, images: ["registry.bench/web:1.0"] },
          children: [],
        })),
      },
    ],
    truncated: false,
  });
  for (let n = 0; n < apps; n++) {
    const name = `app-${String(n).padStart(5, "0")}`;
    const mode = n % 2 === 0 ? "push" : "pull";
    for (const environment of ENVIRONMENTS) {
      const candidates = targets.filter((t) => t.environment === environment && t.mode === mode);
      const target = candidates[n % candidates.length]!;
      const appId = id();
      applications.push({
        id: appId,
        name,
        targetId: target.id,
        mode,
        sourceKind: "git",
        repoUrl: "https://git.bench.test/team/app.git",
        inventoryKey: appId,
      });
      const at = base + n * 60_000;
      if (mode === "push") {
        const common = {
          targetId: target.id,
          applicationId: appId,
          sourceKind: "git",
          manifests: "",
          manifestsDigest: `sha256:${n}`,
          objectCount: 3,
          requestedById: user.id,
          requestedByKind: "user",
          requestedByName: "Bench",
        };
        deployments.push({
          ...common,
          id: id(),
          state: "succeeded",
          commitSha: randomBytes(20).toString("hex"),
          revisionSummary: JSON.stringify({
            chart: { name: "web", version: "1.0.0" },
            images: ["registry.bench/web:1.0"],
            imageCount: 1,
          }),
          createdAt: new Date(at),
          finishedAt: new Date(at + 30_000),
        });
        const state = pick(n, [
          ["succeeded", 80],
          ["failed", 10],
          ["pending-approval", 5],
          ["rejected", 5],
        ]);
        deployments.push({
          ...common,
          id: id(),
          state,
          commitSha: randomBytes(20).toString("hex"),
          createdAt: new Date(at + 3_600_000),
          finishedAt: state === "succeeded" || state === "failed" ? new Date(at + 3_630_000) : null,
        });
      } else {
        const repoId = id();
        repos.push({
          id: repoId,
          targetId: target.id,
          applicationId: appId,
          url: `https://git.bench.test/team/${name}.git`,
          branch: "main",
          createdById: user.id,
        });
        statuses.push({
          repoId,
          state: pick(n, [
            ["in-sync", 80],
            ["drifted", 10],
            ["failed", 5],
            ["out-of-sync", 5],
          ]),
          revision: randomBytes(20).toString("hex"),
          lastSyncAt: new Date(at),
        });
        liveStates.push({
          applicationId: appId,
          repoId,
          agentId: "bench-agent",
          health: pick(n + environment.length, [
            ["Healthy", 85],
            ["Progressing", 10],
            ["Degraded", 5],
          ]),
          treeJson: tree,
          nodeCount: 3,
          digest: appId,
          observedAt: new Date(at),
          receivedAt: new Date(at),
          confirmedAt: new Date(at),
        });
      }
    }
  }
  await inChunks(applications, (data) => db.application.createMany({ data }));
  await inChunks(deployments, (data) => db.deployment.createMany({ data }));
  await inChunks(repos, (data) => db.pullRepo.createMany({ data }));
  await inChunks(statuses, (data) => db.repoStatus.createMany({ data }));
  await inChunks(liveStates, (data) => db.applicationLiveState.createMany({ data }));
  // Rows written here bypass the data functions that keep the list's stored sync and health current.
  await recomputeApplicationStatus(db, "all");
}

async function database(kind: "sqlite" | "postgresql", f: Flags): Promise<string> {
  let url: string;
  if (kind === "sqlite") {
    const dir = path.join(artifacts, `sqlite-${f.apps}`);
    fs.mkdirSync(dir, { recursive: true });
    url = `file:${path.join(dir, "wharf.db")}`;
    process.env.WHARF_DATA_DIR = dir;
  } else {
    const admin = process.env.WHARF_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
    const dbName = `wharf_bench_apps_${f.apps}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [dbName]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE "${dbName}"`);
    await client.end();
    const u = new URL(admin);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  process.env.DATABASE_URL = url;
  resetEnvCache();
  await migrateDatabase(url);
  const db = createDb(url);
  try {
    const have = await db.application.count();
    if (have === 0) {
      console.log(`[bench] seeding ${kind}: ${f.apps} applications × ${ENVIRONMENTS.length} environments (once)…`);
      await seedApplications(db, f.apps);
      if (kind === "postgresql") await db.$executeRawUnsafe("ANALYZE");
    } else if (have !== f.apps * ENVIRONMENTS.length) {
      throw new Error(`${url} holds ${have} applications, not ${f.apps * ENVIRONMENTS.length}; remove it to reseed`);
    }
  } finally {
    await db.$disconnect();
  }
  return url;
}

async function measure(name: string, n: number, call: () => Promise<unknown>) {
  // Warm the process (V8, the database page cache) before timing: the first case otherwise pays for it.
  for (let i = 0; i < 10; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const row = { name, p50: percentile(times, 50), p95: percentile(times, 95) };
  console.log(`[bench] ${name}: p50 ${row.p50.toFixed(1)} ms, p95 ${row.p95.toFixed(1)} ms`);
  return row;
}

type Measured = Awaited<ReturnType<typeof measure>>;

async function measureKind(kind: "sqlite" | "postgresql", f: Flags): Promise<Measured[]> {
  const url = await database(kind, f);
  const db = createDb(url);
  const total = f.apps * ENVIRONMENTS.length;
  const [deep] = await db.application.findMany({
    orderBy: [{ name: "asc" }, { id: "asc" }],
    skip: Math.floor(total / 2),
    take: 1,
    select: { name: true, id: true },
  });
  await db.$disconnect();
  const matrix = (cursor?: string) => () =>
    getEnvironmentMatrix(ZEnvironmentMatrixQuery.parse({ limit: String(MATRIX_LIMIT_DEFAULT), cursor }));
  const apps = (q: string) => () =>
    listApplications(ZApplicationListQuery.parse(Object.fromEntries(new URLSearchParams(q))));
  const cases: [string, () => Promise<unknown>][] = [
    ["applications, first page", apps("limit=50")],
    ["applications, health=Degraded", apps("limit=50&health=Degraded")],
    ["applications, sync=OutOfSync", apps("limit=50&sync=OutOfSync")],
    ["applications, sync=Unknown (none)", apps("limit=50&sync=Unknown")],
    ["applications, pull in prod", apps("limit=50&mode=pull&environment=prod")],
    ["applications, name search", apps("limit=50&q=app-099")],
    ["applications, deep cursor", apps(`limit=50&cursor=${encodeURIComponent(encodeApplicationCursor(deep!))}`)],
    ["deployments (Live badge), first page", () => listDeployments(ZDeploymentListQuery.parse({ limit: "25" }))],
    ["environments matrix, first page", matrix()],
    ["environments matrix, deep cursor", matrix(encodeKeysetCursor([deep!.name]))],
  ];
  const rows = [];
  for (const [name, call] of cases) rows.push(await measure(name, f.requests, call));
  return rows;
}

export async function run(): Promise<void> {
  const f = flags(process.argv.slice(3));
  for (const kind of f.db) {
    const rows = await measureKind(kind, f);
    const total = f.apps * ENVIRONMENTS.length;
    console.log(
      `\nApplications list benchmark — ${kind}, ${f.apps.toLocaleString("en")} applications × ${ENVIRONMENTS.length} environments (${total.toLocaleString("en")} rows), ${f.requests} calls each, server time\n`,
    );
    console.log(`${"request".padEnd(40)} ${"p50".padStart(9)} ${"p95".padStart(9)}  goal`);
    for (const r of rows)
      console.log(
        `${r.name.padEnd(40)} ${`${r.p50.toFixed(1)} ms`.padStart(9)} ${`${r.p95.toFixed(1)} ms`.padStart(9)}  ${r.p95 < GOAL_MS ? `p95 < ${GOAL_MS} ms ✓` : `p95 < ${GOAL_MS} ms ✗`}`,
      );
  }
}

/**
 * `npm run bench -- all`: the full 10,000 applications × 3 environments on SQLite (seeded once, about a minute, then
 * kept under tests/.artifacts), 50 calls a case.
 */
export async function runForTable(): Promise<BenchRow[]> {
  const f: Flags = { db: ["sqlite"], apps: 10_000, requests: 50 };
  const rows = await measureKind("sqlite", f);
  return rows.map((r) =>
    belowGoal("applications (SQLite, 30,000 rows)", `${r.name}, p95 of ${f.requests}`, r.p95, GOAL_MS),
  );
}
