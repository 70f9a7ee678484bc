// Two real `next start` processes on one fresh PostgreSQL database, as behind a load balancer, with a sandbox cluster
// their executors deploy to: tests/e2e/two-dashboards.spec.ts (runs once, leases, LISTEN/NOTIFY across processes)
// and tests/bench/many-dashboards.ts (50 users through a round-robin proxy while deployments run) start them here.
// Needs a production build (.next/BUILD_ID). The seeding and the sandbox live in a child process
// (tests/support/two-dashboards-seed.ts), which may import server-only modules and mints the targets' tokens.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const pgAdminUrl = process.env.WHARF_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/** What the seed child prints: the push targets (one namespace each), an admin API token, the rotation subject. */
export interface Seeded {
  targets: { targetId: string; namespace: string }[];
  token: string;
  rotatingTargetId: string;
  rotatingCredentialId: string;
}

export interface TwoDashboardsOptions {
  /** Push targets on the sandbox (one per deployment: a newer queued request supersedes an older one on a target). */
  targets: number;
  /** Approvals each of those targets requires (default 0: requests queue at once). */
  requiredApprovals?: number;
  /** Prefix of the database's name (a random suffix follows). */
  dbPrefix?: string;
  /** A database to copy (CREATE DATABASE … TEMPLATE) instead of starting empty; it must have no open connections. */
  template?: string;
  /** The master key the template's credentials were sealed with; default a fresh one. */
  masterKey?: string;
  /** WHARF_PUBLIC_URL of both processes (a proxy in front of them); default each its own address. */
  publicUrl?: string;
  /** More environment for both processes (executor poll interval, rotation, …). */
  env?: Record<string, string>;
}

export interface TwoDashboards {
  databaseUrl: string;
  masterKey: string;
  seeded: Seeded;
  /** http://127.0.0.1:<port> of each process. */
  bases: string[];
  /** Each process's pid (the `next-server` process itself). */
  pids: number[];
  /** The last output of each process, for a failure's message. */
  diagnostics(): string;
  stop(): Promise<void>;
}

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to run tests against a non-local database host (${host}).`);
  }
}

export async function pgReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgAdminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One statement as the admin URL's user (CREATE/DROP DATABASE cannot run inside a transaction or a pool). */
export async function pgQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  assertLocal(pgAdminUrl);
  const client = new pg.Client({ connectionString: pgAdminUrl });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** The admin URL with another database name. */
export function pgUrlOf(dbName: string): string {
  const u = new URL(pgAdminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface Child {
  proc: ChildProcess;
  output: () => string;
}

function spawnChild(cmd: string, args: string[], env: Record<string, string>): Child {
  const proc = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return { proc, output: () => out };
}

function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.proc.once("exit", () => resolve());
    child.proc.kill("SIGTERM");
    setTimeout(() => child.proc.kill("SIGKILL"), 10_000).unref();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 250 ms until it returns a value (a throw counts as not yet), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  diagnostics: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s\n${diagnostics()}`);
    await sleep(250);
  }
}

/**
 * A fresh (or template-copied) database, migrated and seeded, and two `next start` processes on it, each with its own
 * data folder and executor. Stops whatever it started when a step fails; otherwise the caller calls stop(), which also
 * drops the database.
 */
export async function startTwoDashboards(opts: TwoDashboardsOptions): Promise<TwoDashboards> {
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new Error(
      "No production build (.next/BUILD_ID is missing): run `npm run build` or let the e2e webServer (`npm start`) build first.",
    );
  }
  const dbName = `${opts.dbPrefix ?? "wharf_e2e"}_${randomBytes(6).toString("hex")}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-two-dashboards-"));
  const children: Child[] = [];
  let created = false;
  const dashboards: Child[] = [];
  const diagnostics = () => dashboards.map((d, i) => `--- dashboard ${i}\n${d.output().slice(-2000)}`).join("\n");
  const stop = async () => {
    await Promise.all(dashboards.map((d) => stopChild(d)));
    await Promise.all(children.map((c) => stopChild(c)));
    if (created) await pgQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    // 1. The database, migrated (a template's copy gets the migrations added since it was made).
    await pgQuery(`CREATE DATABASE "${dbName}"${opts.template ? ` TEMPLATE "${opts.template}"` : ""}`);
    created = true;
    const databaseUrl = pgUrlOf(dbName);
    await migrateDatabase(databaseUrl);
    const masterKey = opts.masterKey ?? randomBytes(32).toString("base64");
    const common = {
      DATABASE_URL: databaseUrl,
      WHARF_MASTER_KEY: masterKey,
      WHARF_PREVIOUS_MASTER_KEYS: "",
      NEXT_TELEMETRY_DISABLED: "1",
    };

    // 2. Seed and host the sandbox in a child that may import server-only modules.
    const seedDataDir = path.join(tmp, "seed");
    fs.mkdirSync(seedDataDir);
    const seed = spawnChild(
      path.join(root, "node_modules/.bin/tsx"),
      [
        "--conditions=react-server",
        "tests/support/two-dashboards-seed.ts",
        String(opts.targets),
        String(opts.requiredApprovals ?? 0),
      ],
      { ...common, WHARF_DATA_DIR: seedDataDir },
    );
    children.push(seed);
    const seeded = await waitFor(
      "the seed script did not print its result",
      90_000,
      async () => {
        if (seed.proc.exitCode !== null) throw new Error(`seed exited with ${seed.proc.exitCode}`);
        const line = seed
          .output()
          .split("\n")
          .find((l) => l.startsWith("{"));
        return line ? (JSON.parse(line) as Seeded) : undefined;
      },
      () => seed.output().slice(-3000),
    );

    // 3. Two `next start` processes on the same database, each with its own data folder.
    const ports = [await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const dataDir = path.join(tmp, `dashboard-${i}`);
      fs.mkdirSync(dataDir);
      dashboards.push(
        spawnChild(path.join(root, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
          ...common,
          WHARF_DATA_DIR: dataDir,
          WHARF_PUBLIC_URL: opts.publicUrl ?? `http://127.0.0.1:${port}`,
          PORT: String(port),
          NODE_ENV: "production",
          ...opts.env,
        }),
      );
    }
    const bases = ports.map((p) => `http://127.0.0.1:${p}`);
    await Promise.all(
      bases.map((base, i) =>
        waitFor(
          `dashboard ${i} did not answer /api/health`,
          90_000,
          async () => ((await fetch(`${base}/api/health`)).ok ? true : undefined),
          () => dashboards[i]!.output().slice(-3000),
        ),
      ),
    );
    const pids = dashboards.map((d) => d.proc.pid!);
    return { databaseUrl, masterKey, seeded, bases, pids, diagnostics, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
