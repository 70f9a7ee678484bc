import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";

// Two real `next start` processes on one PostgreSQL database, as behind a load balancer: deployments requested
// through either process run exactly once, by whichever executor claims them, a due credential is rotated once
// though both schedulers look, and an agent's long poll held by one process answers a change made through the other
// (LISTEN/NOTIFY, with the once-a-second re-check behind it). Lives with the e2e specs because the Playwright webServer (`npm start`) has built
// `.next` by the time it runs; it uses nothing else of that server. Node-side only, no browser.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const pgAdminUrl = process.env.WHARF_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const DEPLOYMENTS = 8;

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to run tests against a non-local database host (${host}).`);
  }
}

async function pgReachable(): Promise<boolean> {
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

async function pgQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgAdminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(
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

interface Seeded {
  targets: { targetId: string; namespace: string }[];
  token: string;
  rotatingTargetId: string;
  rotatingCredentialId: string;
}

test.describe("two dashboard processes on one PostgreSQL", () => {
  test.setTimeout(300_000);

  let dbName = "";
  let tmp = "";
  let seed: Child | undefined;
  const dashboards: Child[] = [];
  let seeded: Seeded;
  let bases: string[] = [];

  const diagnostics = () => dashboards.map((d, i) => `--- dashboard ${i}\n${d.output().slice(-2000)}`).join("\n");
  /** An API call as the seeded admin's token through dashboard `i % 2`. */
  const api = async (i: number, method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${bases[i % 2]}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${seeded.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };

  test.afterAll(async () => {
    await Promise.all(dashboards.map((d) => stopChild(d)));
    await stopChild(seed);
    if (dbName) await pgQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    if (!process.env.WHARF_TEST_PG_URL && !(await pgReachable())) {
      test.skip(true, `PostgreSQL is not reachable at ${pgAdminUrl} and WHARF_TEST_PG_URL is unset`);
      return;
    }
    assertLocal(pgAdminUrl);
    if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
      throw new Error(
        "No production build (.next/BUILD_ID is missing): run `npm run build` or let the e2e webServer (`npm start`) build first.",
      );
    }

    // 1. A fresh database, migrated.
    dbName = `wharf_e2e_${randomBytes(6).toString("hex")}`;
    await pgQuery(`CREATE DATABASE "${dbName}"`);
    const u = new URL(pgAdminUrl);
    u.pathname = `/${dbName}`;
    const databaseUrl = u.toString();
    await migrateDatabase(databaseUrl);

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-two-dashboards-"));
    const masterKey = randomBytes(32).toString("base64");
    const common = {
      DATABASE_URL: databaseUrl,
      WHARF_MASTER_KEY: masterKey,
      WHARF_PREVIOUS_MASTER_KEYS: "",
      NEXT_TELEMETRY_DISABLED: "1",
    };

    // 2. Seed (and host the sandbox cluster) in a child that may import server-only modules.
    const seedDataDir = path.join(tmp, "seed");
    fs.mkdirSync(seedDataDir);
    seed = spawnChild(
      path.join(root, "node_modules/.bin/tsx"),
      ["--conditions=react-server", "tests/support/two-dashboards-seed.ts", String(DEPLOYMENTS)],
      {
        ...common,
        WHARF_DATA_DIR: seedDataDir,
      },
    );
    const seedChild = seed;
    seeded = await waitFor(
      "the seed script did not print its result",
      90_000,
      async () => {
        if (seedChild.proc.exitCode !== null) throw new Error(`seed exited with ${seedChild.proc.exitCode}`);
        const line = seedChild
          .output()
          .split("\n")
          .find((l) => l.startsWith("{"));
        return line ? (JSON.parse(line) as Seeded) : undefined;
      },
      () => seedChild.output().slice(-3000),
    );

    // 3. Two `next start` processes on the same database, each with its own data folder and public URL.
    const ports = [await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const dataDir = path.join(tmp, `dashboard-${i}`);
      fs.mkdirSync(dataDir);
      dashboards.push(
        spawnChild(path.join(root, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
          ...common,
          WHARF_DATA_DIR: dataDir,
          WHARF_PUBLIC_URL: `http://127.0.0.1:${port}`,
          PORT: String(port),
          NODE_ENV: "production",
          WHARF_EXECUTOR_POLL_INTERVAL: "200ms",
          WHARF_ROTATION_INTERVAL: "5s",
        }),
      );
    }
    bases = ports.map((p) => `http://127.0.0.1:${p}`);
    await Promise.all(
      bases.map((base, i) =>
        waitFor(
          `dashboard ${i} did not answer /api/health`,
          60_000,
          async () => ((await fetch(`${base}/api/health`)).ok ? true : undefined),
          () => dashboards[i]!.output().slice(-3000),
        ),
      ),
    );
  });

  test("run each deployment exactly once and rotate a due credential once", async () => {
    // 4. Deployments requested alternately through each process, one per target (a newer one would supersede a queued
    // one on the same target); the targets need no approvals, so they queue at once.
    const ids: string[] = [];
    expect(seeded.targets).toHaveLength(DEPLOYMENTS);
    for (const [i, { targetId, namespace }] of seeded.targets.entries()) {
      const manifests = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two-dashboards-${i}\n  namespace: ${namespace}\ndata:\n  n: "${i}"\n`;
      const res = await api(i, "POST", "/api/deployments", {
        targetId,
        source: { kind: "manifests", manifests },
        reason: `two dashboards #${i}`,
      });
      expect(res.status, `${JSON.stringify(res.json)}\n${diagnostics()}`).toBe(201);
      ids.push(res.json.id as string);
    }
    for (const [i, id] of ids.entries()) {
      const state = await waitFor(
        `deployment ${id} did not finish`,
        120_000,
        async () => {
          const res = await api(i + 1, "GET", `/api/deployments/${id}`);
          const s = res.json?.state as string | undefined;
          return s && ["succeeded", "failed", "cancelled", "rejected", "superseded"].includes(s) ? s : undefined;
        },
        diagnostics,
      );
      expect(state, id).toBe("succeeded");
    }

    const started = await api(0, "GET", `/api/audit?action=deployment.started&limit=200`);
    expect(started.status).toBe(200);
    const startedIds = (started.json.items as { subjectId: string | null }[]).map((e) => e.subjectId);
    for (const id of ids)
      expect(
        startedIds.filter((s) => s === id),
        `deployment.started rows for ${id}`,
      ).toHaveLength(1);

    const claimers = new Set<string>();
    for (const [i, id] of ids.entries()) {
      const progress = await api(i, "GET", `/api/deployments/${id}/progress`);
      expect(progress.status).toBe(200);
      const starts = (progress.json.logs as { message: string }[])
        .map((l) => /^Started by executor (\S+?)\.?$/.exec(l.message)?.[1])
        .filter((x): x is string => !!x);
      expect(starts, `executor starts logged for ${id}`).toHaveLength(1);
      claimers.add(starts[0]!);
    }
    // Leases may let one process win every claim; that is allowed, a second run of one deployment is not.
    test
      .info()
      .annotations.push({ type: "claimers", description: `${claimers.size} executor(s): ${[...claimers].join(", ")}` });

    // 5. A burst on ONE target through both processes: each new request supersedes queued older ones while the
    // executors finish others. Before the chain-lock ordering (lockAuditChain) this deadlocked on PostgreSQL and
    // answered 500 in every run; now every request is accepted and each ends succeeded or superseded.
    const burst: string[] = [];
    const first = seeded.targets[0]!;
    for (let i = 0; i < 16; i++) {
      const manifests = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: burst\n  namespace: ${first.namespace}\ndata:\n  n: "${i}"\n`;
      const res = await api(i, "POST", "/api/deployments", {
        targetId: first.targetId,
        source: { kind: "manifests", manifests },
        reason: `burst #${i}`,
      });
      expect(res.status, `${JSON.stringify(res.json)}\n${diagnostics()}`).toBe(201);
      burst.push(res.json.id as string);
    }
    for (const [i, id] of burst.entries()) {
      const state = await waitFor(
        `burst deployment ${id} did not finish`,
        120_000,
        async () => {
          const s = (await api(i, "GET", `/api/deployments/${id}`)).json?.state as string | undefined;
          return s && ["succeeded", "failed", "cancelled", "rejected", "superseded"].includes(s) ? s : undefined;
        },
        diagnostics,
      );
      expect(["succeeded", "superseded"], `${id}\n${diagnostics()}`).toContain(state);
    }

    // 6. The due credential is rotated once, though both schedulers look (interval 5 s).
    await waitFor(
      "the due credential was not rotated",
      60_000,
      async () => {
        const res = await api(0, "GET", `/api/audit?action=credential.rotated&limit=200`);
        return (res.json.items as { targetId: string | null }[]).some((e) => e.targetId === seeded.rotatingTargetId)
          ? true
          : undefined;
      },
      diagnostics,
    );
    await sleep(6_000); // at least one more pass of each scheduler
    const rotated = await api(1, "GET", `/api/audit?action=credential.rotated&limit=200`);
    expect(
      (rotated.json.items as { targetId: string | null }[]).filter((e) => e.targetId === seeded.rotatingTargetId),
    ).toHaveLength(1);
  });

  test("an agent's long poll held by one process answers a change made through the other", async () => {
    // A pull target and its agent, created through dashboard 0; the agent enrols through dashboard 1.
    const suffix = randomBytes(4).toString("hex");
    const target = await api(0, "POST", "/api/targets", {
      name: `pull-${suffix}`,
      environment: "dev",
      mode: "pull",
      serverUrl: "https://127.0.0.1:6443",
    });
    expect(target.status, JSON.stringify(target.json)).toBe(201);
    const created = await api(0, "POST", "/api/agents", { name: `agent-${suffix}`, targetIds: [target.json.id] });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const enrolled = await fetch(`${bases[1]}/api/agent/v1/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enrolmentToken: created.json.secret, hostname: "e2e", version: "0.0.0-e2e" }),
    });
    expect(enrolled.status).toBe(201);
    let credential = ((await enrolled.json()) as { credential: string }).credential;

    /** The agent's assignments request to dashboard `i`, as the agent sends it (raw HTTP, its bearer credential). */
    const assignments = async (i: number, query = ""): Promise<{ status: number; json: any }> => {
      const res = await fetch(`${bases[i]}/api/agent/v1/assignments${query}`, {
        headers: { authorization: `Bearer ${credential}` },
      });
      return { status: res.status, json: await res.json() };
    };
    /**
     * Holds a long poll (up to 25 s) on dashboard `held`, makes sure it is still waiting, then runs `change` (through
     * the other dashboard) and returns the poll's answer. Nothing else changes the agent's assignments meanwhile, so
     * the only way this poll answers before its timeout is a wake-up from the other process.
     */
    const heldThrough = async (held: number, change: () => Promise<void>) => {
      const { json } = await assignments(held);
      const poll = assignments(held, `?since=${json.version}&wait=25`);
      const early = await Promise.race([poll.then(() => "answered"), sleep(1_500).then(() => "waiting")]);
      expect(early, "the long poll answered before anything changed").toBe("waiting");
      const changedAt = Date.now();
      await change();
      const answer = await poll;
      // Reported, not asserted: with NOTIFY the answer follows the change's response by milliseconds; with only the
      // once-a-second re-check it would take up to a second.
      test.info().annotations.push({
        type: "long-poll wake",
        description: `held by dashboard ${held}: answered ${Date.now() - changedAt} ms after the change began`,
      });
      return answer;
    };

    // Held by dashboard 0, a repository registered through dashboard 1.
    let repoId = "";
    const registered = await heldThrough(0, async () => {
      const res = await api(1, "POST", `/api/targets/${target.json.id}/repos`, {
        url: `https://git.example.test/team/${suffix}.git`,
      });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      repoId = res.json.id as string;
    });
    expect(registered.status).toBe(200);
    expect(registered.json.changed).toBe(true);
    expect(registered.json.targets[0].repos.map((r: { repoId: string }) => r.repoId)).toEqual([repoId]);

    // The other way round: held by dashboard 1, the repository changed through dashboard 0.
    const updated = await heldThrough(1, async () => {
      const res = await api(0, "PATCH", `/api/repos/${repoId}`, { pollIntervalSeconds: 30 });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
    });
    expect(updated.status).toBe(200);
    expect(updated.json.changed).toBe(true);
    expect(updated.json.targets[0].repos[0].pollIntervalSeconds).toBe(30);

    // A credential rotated through dashboard 1 ends the poll dashboard 0 holds with it.
    const ended = await heldThrough(0, async () => {
      const res = await api(1, "POST", `/api/agents/${created.json.agent.id}/rotate`);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      credential = res.json.secret as string;
    });
    expect(ended.status).toBe(401);
    expect(ended.json.error.code).toBe("AGENT_UNAUTHENTICATED");
    expect((await assignments(0)).status).toBe(200);
  });
});
