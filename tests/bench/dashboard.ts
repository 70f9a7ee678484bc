// `npm run bench -- dashboard [--db sqlite|postgresql|both] [--targets 10000] [--events 1000000] [--requests 200]
//   [--home-requests N] [--browser-only]`
// Server time of the dashboard's hot reads on a large Wharf: p50/p95 of the list APIs (first page and a deep cursor),
// deployment detail, the list pages' HTML (server render with its prefetch) and the home (comparison) page,
// `--requests` each with autocannon against a real `next start`; then first contentful paint and time to interactive
// of the home page in Chromium. The scale database is seeded once per size with `seed:scale` and kept under
// tests/.artifacts/bench-dashboard (PostgreSQL: database wharf_bench_<targets>_<events>) so later runs start at once.
// Goals: p95 < 150 ms for every list API and list page, home < 1 s. `--browser-only` skips the server timings and
// measures only the Overview in Chromium, with the size of its HTML and inline RSC payload.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import type { BrowserContext } from "@playwright/test";
import { HYDRATED_MARK } from "@/lib/utils";
import { hashPassword, newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { seedScale } from "@/lib/cli/seed-scale";
import { encodeCredentialCursor } from "@/lib/credentials/cursor";
import { createDb, type Db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { encodeDeploymentCursor } from "@/lib/deployments/data/deployment-cursor";
import { resetEnvCache } from "@/lib/env";
import { encodeSyncCursor } from "@/lib/sync/cursor";
import { encodeTargetCursor } from "@/lib/targets/cursor";
import { inlineRscPayload } from "../support/rsc-payload";
import { launchBenchChromium } from "./support/chromium";
import { belowGoal, notRun, ratioRow, type BenchRow } from "./support/table";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const artifacts = path.join(root, "tests/.artifacts/bench-dashboard");
const LIST_GOAL_MS = 150;
const HOME_GOAL_MS = 1000;
/** Loads of each page in Chromium, per CPU speed: a median of 7, so that one slow load of the pair moves neither. */
const BROWSER_RUNS = 7;
/** The Overview may take at most this much longer to become interactive than a minimal page (/login) in the same run. */
const HOME_VS_MINIMAL_GOAL = 1.3;
/** Chrome DevTools' "4× slowdown": the Overview's figures should not depend on how fast the bench machine is. */
const CPU_THROTTLE = 4;
/** The dashboard's list pages: each renders its first page on the server (a failed prefetch once cost 3 s of retries). */
const LIST_PAGES = [
  "/targets",
  "/applications",
  "/sync",
  "/deployments",
  "/audit",
  "/credentials",
  "/rotation",
  "/policies",
  "/users",
];

interface Flags {
  db: ("sqlite" | "postgresql")[];
  targets: number;
  events: number;
  requests: number;
  /** The home page renders the whole comparison; fewer samples keep a full-scale run short. Default: --requests. */
  homeRequests: number | null;
  /** `--browser-only`: skip the server timings and measure only the Overview in Chromium (and its payload). */
  browserOnly: boolean;
}

function flags(argv: string[]): Flags {
  const f: Flags = {
    db: ["sqlite"],
    targets: 10_000,
    events: 1_000_000,
    requests: 200,
    homeRequests: null,
    browserOnly: argv.includes("--browser-only"),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (v === undefined) continue;
    if (a === "--db") f.db = v === "both" ? ["sqlite", "postgresql"] : [v as "sqlite" | "postgresql"];
    else if (a === "--targets") f.targets = Number(v);
    else if (a === "--events") f.events = Number(v);
    else if (a === "--requests") f.requests = Number(v);
    else if (a === "--home-requests") f.homeRequests = Number(v);
    else continue;
    i++;
  }
  return f;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Database URL and data dir (master key) for one size; seeds when the database does not hold that size yet. */
async function scaleDatabase(kind: "sqlite" | "postgresql", f: Flags): Promise<{ url: string; dataDir: string }> {
  const name = `${kind}-${f.targets}-${f.events}`;
  const dataDir = path.join(artifacts, name);
  fs.mkdirSync(dataDir, { recursive: true });
  let url: string;
  if (kind === "sqlite") url = `file:${path.join(dataDir, "wharf.db")}`;
  else {
    const admin = process.env.WHARF_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
    const dbName = `wharf_bench_${f.targets}_${f.events}`;
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
  process.env.WHARF_DATA_DIR = dataDir;
  delete process.env.WHARF_MASTER_KEY;
  resetEnvCache();
  await migrateDatabase(url);
  const db = createDb(url);
  try {
    const have = await db.target.count();
    if (have < f.targets) {
      if (have > 0) throw new Error(`${url} holds ${have} targets, fewer than ${f.targets}; remove it to reseed`);
      console.log(`[bench] seeding ${kind}: ${f.targets} targets, ${f.events} sync events (once per size)…`);
      await seedScale(db, { targets: f.targets, events: f.events, log: (l) => console.log(`[bench] ${l}`) });
      if (kind === "postgresql") await db.$executeRawUnsafe("ANALYZE");
    }
  } finally {
    await db.$disconnect();
  }
  return { url, dataDir };
}

/** A fresh admin with a password (for the browser's session) and an API token (for autocannon). */
export async function benchAdmin(db: Db): Promise<{ email: string; password: string; token: string }> {
  const email = `bench-${randomBytes(4).toString("hex")}@bench.wharf`;
  const password = randomBytes(12).toString("base64url");
  const user = await db.user.create({
    data: { email, name: "Bench", role: "admin", passwordHash: await hashPassword(password) },
  });
  const token = newSecretToken("wharf");
  await db.apiToken.create({
    data: {
      name: "bench",
      prefix: token.slice(0, 12),
      tokenHash: sha256Hex(token),
      role: "admin",
      createdById: user.id,
    },
  });
  return { email, password, token };
}

/** Signs in as a browser does (POST /api/auth/sign-in with an Origin); returns the `wharf_session=…` cookie. */
export async function sessionCookie(base: string, user: { email: string; password: string }): Promise<string> {
  const signIn = await fetch(`${base}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  const cookie = /wharf_session=[^;]+/.exec(signIn.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error(`sign-in failed: ${signIn.status}`);
  return cookie;
}

export async function startServer(url: string, dataDir: string, port: number): Promise<ChildProcess> {
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.log("[bench] no production build: running next build…");
    await new Promise<void>((resolve, reject) => {
      const b = spawn(path.join(root, "node_modules/.bin/next"), ["build"], { cwd: root, stdio: "inherit" });
      b.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build exited ${code}`))));
    });
  }
  const child = spawn(path.join(root, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: url,
      WHARF_DATA_DIR: dataDir,
      PORT: String(port),
      WHARF_PUBLIC_URL: `http://127.0.0.1:${port}`,
      // Reads only: no executor or scheduler acting on the seeded queue while we measure.
      WHARF_EXECUTOR: "off",
      WHARF_ROTATION: "off",
      // Nor the cluster-admin sweep, which at start checks every seeded credential against clusters that do not exist.
      WHARF_SCOPE_CHECK_INTERVAL: "off",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`next start did not come up:\n${out.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Row {
  name: string;
  p50: number;
  p95: number;
  errors: number;
  goal?: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** `requests` requests one after another; per-response times from autocannon's response events. */
async function measure(
  name: string,
  url: string,
  headers: Record<string, string>,
  requests: number,
  goal?: number,
): Promise<Row> {
  // Warm-up: the first request of a route loads its module and fills caches; production servers are warm.
  await fetch(url, { headers });
  const times: number[] = [];
  let errors = 0;
  // One connection: each sample is one request's server time, not time spent queued behind the others.
  const instance = autocannon({ url, connections: 1, amount: requests, headers, timeout: 30 });
  instance.on("response", (_c, status, _b, ms) => {
    if (status >= 200 && status < 300) times.push(ms);
    else errors++;
  });
  const result = await instance;
  times.sort((a, b) => a - b);
  const row = {
    name,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    errors: errors + result.errors + result.timeouts,
    goal,
  };
  console.log(`[bench] ${name}: p50 ${row.p50.toFixed(0)} ms, p95 ${row.p95.toFixed(0)} ms, ${row.errors} errors`);
  return row;
}

async function deepCursors(db: Db, depth: number) {
  const [target] = await db.target.findMany({
    orderBy: [{ name: "asc" }, { id: "asc" }],
    skip: depth,
    take: 1,
    select: { name: true, id: true },
  });
  const [deployment] = await db.deployment.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: depth,
    take: 1,
    select: { createdAt: true, id: true },
  });
  const [event] = await db.syncEvent.findMany({
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    skip: depth * 10,
    take: 1,
    select: { occurredAt: true, id: true },
  });
  const [audit] = await db.auditEvent.findMany({
    orderBy: { seq: "desc" },
    skip: depth,
    take: 1,
    select: { seq: true },
  });
  // Half the targets are push targets with one active credential each: half the depth is as far into that list.
  const [credential] = await db.credential.findMany({
    where: { state: "active" },
    orderBy: [{ targetName: "asc" }, { id: "asc" }],
    skip: Math.floor(depth / 2),
    take: 1,
    select: { targetName: true, id: true },
  });
  return {
    target: target ? encodeTargetCursor(target) : null,
    deployment: deployment ? encodeDeploymentCursor(deployment) : null,
    event: event ? encodeSyncCursor(event.occurredAt, event.id) : null,
    audit: audit?.seq ?? null,
    credential: credential
      ? encodeCredentialCursor({ targetName: credential.targetName ?? "", id: credential.id })
      : null,
    deploymentId: deployment?.id ?? null,
  };
}

interface PageTimings {
  /** The HTML's first byte (responseStart): the server's render of the page, which interactive includes. */
  ttfb: number;
  fcp: number;
  interactive: number;
  load: number;
  /** Elements in the document once interactive: what the browser parsed and React hydrated. */
  elements: number;
}

/**
 * One load of `url` in a fresh tab, with the CPU slowed `throttle` times through CDP
 * (Emulation.setCPUThrottlingRate; 1 = unthrottled).
 *
 * Interactive, precisely: the later of DOMContentLoaded and the `wharf:hydrated` mark, which app/providers.tsx sets
 * in the root layout's first effect — React runs children's effects first, so the mark means the whole first commit
 * has hydrated and every button and link rendered by a client component answers. A page that streamed a section
 * behind a Suspense boundary would need that section's own mark too: React hydrates it later, at its lowest priority
 * (the Overview tried it: its head came at once, but its figures hydrated up to a second later at CPU ×4).
 */
async function loadOnce(context: BrowserContext, url: string, throttle: number): Promise<PageTimings> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, HYDRATED_MARK, {
      timeout: 60_000,
    });
    const t = await page.evaluate((mark) => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
      const hydrated = performance.getEntriesByName(mark)[0]?.startTime ?? NaN;
      return {
        ttfb: nav.responseStart,
        fcp,
        interactive: Math.max(hydrated, nav.domContentLoadedEventEnd),
        load: nav.loadEventEnd,
        elements: document.getElementsByTagName("*").length,
      };
    }, HYDRATED_MARK);
    if (new URL(page.url()).pathname !== new URL(url).pathname) throw new Error(`${url} redirected to ${page.url()}`);
    return t;
  } finally {
    await cdp.detach();
    await page.close();
  }
}

function medianTimings(samples: PageTimings[]): PageTimings {
  const med = (k: keyof PageTimings) => samples.map((s) => s[k]).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  return {
    ttfb: med("ttfb"),
    fcp: med("fcp"),
    interactive: med("interactive"),
    load: med("load"),
    elements: med("elements"),
  };
}

type PageUnderTest = { context: BrowserContext; url: string };

/**
 * Median timings of `runs` loads of each page, the two pages' loads interleaved (a, b, then b, a, …) after one warm-up
 * load of each (the server's route and the browser's cache): a ratio of the two then compares loads made under the
 * same conditions, not the first page's stretch of the run against the second's.
 */
async function pairedTimings(
  a: PageUnderTest,
  b: PageUnderTest,
  throttle: number,
  runs: number,
): Promise<[PageTimings, PageTimings]> {
  await loadOnce(a.context, a.url, throttle);
  await loadOnce(b.context, b.url, throttle);
  const samples: [PageTimings[], PageTimings[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const which of i % 2 ? [1, 0] : [0, 1]) {
      const page = which ? b : a;
      samples[which]!.push(await loadOnce(page.context, page.url, throttle));
    }
  }
  return [medianTimings(samples[0]), medianTimings(samples[1])];
}

/**
 * The home page (Overview) signed in, next to a minimal page (/login, signed out: the same root layout and
 * providers, no data) in the same browser and run, unthrottled and with the CPU slowed CPU_THROTTLE times. The home
 * page's unthrottled figures stay at the top level (fcp, interactive, load) for the callers that read them.
 */
async function browserTimings(
  base: string,
  cookie: string,
  runs = BROWSER_RUNS,
): Promise<PageTimings & { throttled: PageTimings; minimal: PageTimings; minimalThrottled: PageTimings }> {
  const browser = await launchBenchChromium();
  try {
    const signedIn = await browser.newContext();
    const [name, value] = cookie.split("=") as [string, string];
    await signedIn.addCookies([{ name, value, url: base }]);
    const signedOut = await browser.newContext();
    const home = { context: signedIn, url: `${base}/` };
    const login = { context: signedOut, url: `${base}/login` };
    const [homeTimings, minimal] = await pairedTimings(home, login, 1, runs);
    const [throttled, minimalThrottled] = await pairedTimings(home, login, CPU_THROTTLE, runs);
    return { ...homeTimings, throttled, minimal, minimalThrottled };
  } finally {
    await browser.close();
  }
}

interface HomePayload {
  htmlBytes: number;
  /** The inline RSC payload inside that HTML (tests/support/rsc-payload.ts). */
  rscBytes: number;
}

/** The size of the home page's HTML and of the RSC payload inlined in it: the bytes the browser parses before it answers. */
async function homePayload(base: string, cookie: string): Promise<HomePayload> {
  const html = await (await fetch(`${base}/`, { headers: { cookie } })).text();
  return { htmlBytes: Buffer.byteLength(html), rscBytes: Buffer.byteLength(inlineRscPayload(html)) };
}

function printTable(
  kind: string,
  f: Flags,
  rows: Row[],
  browser: Awaited<ReturnType<typeof browserTimings>>,
  payload: HomePayload,
): void {
  const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : "—");
  console.log(
    `\nDashboard benchmark — ${kind}, ${f.targets.toLocaleString("en")} targets, ${f.events.toLocaleString("en")} sync events, ${f.requests} requests each (home page ${f.homeRequests ?? f.requests}), one connection\n`,
  );
  console.log(`${"request".padEnd(34)} ${"p50".padStart(8)} ${"p95".padStart(8)} ${"errors".padStart(7)}  goal`);
  for (const r of rows) {
    const verdict = r.goal === undefined ? "" : r.p95 < r.goal ? `p95 < ${r.goal} ms ✓` : `p95 < ${r.goal} ms ✗`;
    console.log(
      `${r.name.padEnd(34)} ${ms(r.p50).padStart(8)} ${ms(r.p95).padStart(8)} ${String(r.errors).padStart(7)}  ${verdict}`,
    );
  }
  const ratio = (a: PageTimings, b: PageTimings) => a.interactive / b.interactive;
  const line = (name: string, t: PageTimings, verdict: string) =>
    console.log(
      `${name.padEnd(34)} TTFB ${ms(t.ttfb).padStart(8)}  FCP ${ms(t.fcp).padStart(8)}  interactive ${ms(t.interactive).padStart(8)}  load ${ms(t.load).padStart(8)}  ${String(t.elements).padStart(5)} elements  ${verdict}`,
    );
  const vsMinimal = (r: number) =>
    `${r.toFixed(2)}× /login ${r <= HOME_VS_MINIMAL_GOAL ? `≤ ${HOME_VS_MINIMAL_GOAL}× ✓` : `> ${HOME_VS_MINIMAL_GOAL}× ✗`}`;
  console.log(
    `\nIn Chromium, median of ${BROWSER_RUNS}, the two pages' loads interleaved (interactive = hydrated: DOMContentLoaded and the root layout's first effect)`,
  );
  line(
    "home page",
    browser,
    `${browser.interactive < HOME_GOAL_MS ? `< ${HOME_GOAL_MS} ms ✓` : `≥ ${HOME_GOAL_MS} ms ✗`}, ${vsMinimal(ratio(browser, browser.minimal))}`,
  );
  line("/login (minimal page)", browser.minimal, "");
  line(
    `home page, CPU ×${CPU_THROTTLE}`,
    browser.throttled,
    vsMinimal(ratio(browser.throttled, browser.minimalThrottled)),
  );
  line(`/login, CPU ×${CPU_THROTTLE}`, browser.minimalThrottled, "");
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`home page HTML ${kb(payload.htmlBytes)}, of which the inline RSC payload ${kb(payload.rscBytes)}`);
}

/** One database's figures, returned for `npm run bench -- all` (see runForTable). */
interface DashboardResult {
  kind: string;
  rows: Row[];
  browser: Awaited<ReturnType<typeof browserTimings>>;
  payload: HomePayload;
}

export async function run(argv = process.argv.slice(3)): Promise<DashboardResult[]> {
  const f = flags(argv);
  const results: DashboardResult[] = [];
  for (const kind of f.db) {
    const { url, dataDir } = await scaleDatabase(kind, f);
    const db = createDb(url);
    const port = await freePort();
    let server: ChildProcess | null = null;
    try {
      const admin = await benchAdmin(db);
      const cursors = await deepCursors(db, Math.min(5000, Math.floor(f.targets / 2)));
      server = await startServer(url, dataDir, port);
      const base = `http://127.0.0.1:${port}`;
      const bearer = { authorization: `Bearer ${admin.token}` };
      const cookie = await sessionCookie(base, admin);

      const q = encodeURIComponent;
      const rows: Row[] = [];
      const n = f.requests;
      if (!f.browserOnly) {
        rows.push(await measure("targets, first page", `${base}/api/targets?limit=50`, bearer, n, LIST_GOAL_MS));
        if (cursors.target)
          rows.push(
            await measure(
              "targets, deep cursor",
              `${base}/api/targets?limit=50&cursor=${q(cursors.target)}`,
              bearer,
              n,
              LIST_GOAL_MS,
            ),
          );
        // The Applications list (per-row sync, health, live revision) answers here; the scale seed holds no applications,
        // so its 10,000-application figures come from `npm run bench -- applications`.
        rows.push(
          await measure("applications, first page", `${base}/api/applications?limit=50`, bearer, n, LIST_GOAL_MS),
        );
        rows.push(
          await measure(
            "applications, sync=OutOfSync",
            `${base}/api/applications?limit=50&sync=OutOfSync`,
            bearer,
            n,
            LIST_GOAL_MS,
          ),
        );
        rows.push(
          await measure("sync history, first page", `${base}/api/sync-events?limit=50`, bearer, n, LIST_GOAL_MS),
        );
        if (cursors.event)
          rows.push(
            await measure(
              "sync history, deep cursor",
              `${base}/api/sync-events?limit=50&cursor=${q(cursors.event)}`,
              bearer,
              n,
              LIST_GOAL_MS,
            ),
          );
        rows.push(
          await measure("deployments, first page", `${base}/api/deployments?limit=25`, bearer, n, LIST_GOAL_MS),
        );
        if (cursors.deployment)
          rows.push(
            await measure(
              "deployments, deep cursor",
              `${base}/api/deployments?limit=25&cursor=${q(cursors.deployment)}`,
              bearer,
              n,
              LIST_GOAL_MS,
            ),
          );
        rows.push(await measure("audit, first page", `${base}/api/audit?limit=50`, bearer, n, LIST_GOAL_MS));
        if (cursors.audit)
          rows.push(
            await measure(
              "audit, deep cursor",
              `${base}/api/audit?limit=50&cursor=${cursors.audit}`,
              bearer,
              n,
              LIST_GOAL_MS,
            ),
          );
        rows.push(
          await measure(
            "credential access, first page",
            `${base}/api/credential-access?limit=50`,
            bearer,
            n,
            LIST_GOAL_MS,
          ),
        );
        rows.push(
          await measure("credentials, first page", `${base}/api/credentials?limit=50`, bearer, n, LIST_GOAL_MS),
        );
        if (cursors.credential)
          rows.push(
            await measure(
              "credentials, deep cursor",
              `${base}/api/credentials?limit=50&cursor=${q(cursors.credential)}`,
              bearer,
              n,
              LIST_GOAL_MS,
            ),
          );
        rows.push(
          await measure(
            "credentials, status=overdue",
            `${base}/api/credentials?status=overdue&limit=50`,
            bearer,
            n,
            LIST_GOAL_MS,
          ),
        );
        rows.push(await measure("users, first page", `${base}/api/users?limit=50`, bearer, n, LIST_GOAL_MS));
        if (cursors.deploymentId)
          rows.push(await measure("deployment detail", `${base}/api/deployments/${cursors.deploymentId}`, bearer, n));
        for (const page of LIST_PAGES)
          rows.push(await measure(`${page} page (HTML)`, `${base}${page}`, { cookie }, n, LIST_GOAL_MS));
        rows.push(await measure("home / comparison page (HTML)", `${base}/`, { cookie }, f.homeRequests ?? n));
      }
      const payload = await homePayload(base, cookie);
      const browser = await browserTimings(base, cookie);
      printTable(kind, f, rows, browser, payload);
      results.push({ kind, rows, browser, payload });
    } finally {
      if (server && server.exitCode === null) {
        const exited = new Promise((r) => server!.once("exit", r));
        server.kill("SIGTERM");
        await exited;
      }
      await db.$disconnect();
    }
  }
  return results;
}

/**
 * `npm run bench -- all`: SQLite with 1,000 targets and 50,000 sync events (seeded once), 50 requests a list, 10 of
 * the home page. Needs a production build (`npx next build`): building is not part of the 15 minutes.
 */
export async function runForTable(): Promise<BenchRow[]> {
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID")))
    return [notRun("dashboard", "no production build (run `npx next build` first)")];
  const [result] = await run("--db sqlite --targets 1000 --events 50000 --requests 50 --home-requests 10".split(" "));
  if (!result) return [notRun("dashboard", "no result")];
  const bench = "dashboard (SQLite, 1,000 targets, 50,000 events)";
  return [
    ...result.rows
      .filter((r) => r.goal !== undefined)
      .map((r) => belowGoal(bench, `${r.name}, p95 of 50${r.errors ? ` (${r.errors} errors)` : ""}`, r.p95, r.goal!)),
    belowGoal(
      bench,
      `home page interactive in Chromium (median of ${BROWSER_RUNS})`,
      result.browser.interactive,
      HOME_GOAL_MS,
    ),
    ratioRow(
      bench,
      "home page interactive / /login's, same run",
      result.browser.interactive / result.browser.minimal.interactive,
      HOME_VS_MINIMAL_GOAL,
    ),
    ratioRow(
      bench,
      `the same with the CPU ×${CPU_THROTTLE} slower`,
      result.browser.throttled.interactive / result.browser.minimalThrottled.interactive,
      HOME_VS_MINIMAL_GOAL,
    ),
  ];
}
