// `npm run bench -- pull-e2e [--commits 50]`: pull, end to end, on the real control plane (issue 18, Must 1).
// A commit lands in a repository served by `git daemon` on loopback → a GitHub push webhook, signed with the
// binding's secret, is POSTed to a real `next start` of this checkout's production build (fresh SQLite) → the agent
// (lib/agent/main.ts bundled as deploy/agent/Dockerfile builds it, its own process, long-polling that dashboard) is
// woken, fetches, renders (plain YAML, a kustomize overlay, a Helm chart: one repository each, commits in turn) and
// applies server-side to etcd + kube-apiserver + kube-controller-manager + kube-scheduler + kwok
// (lib/kube/real-cluster; `npm run cluster:build` first) → the Deployment rolls out on kwok's fake node → the agent's
// `synced` event is stored → its row appears in the sync history open in Chromium.
// Each commit changes its Deployment's image, so each has a rollout. The bench watches the Deployments itself
// (a raw watch, as kubectl -w): "applied" is when the new generation is first seen, "ready" when the controller
// reports it rolled out (lib/kube/rollout's rule). The rollout wait (ready − applied) is reported apart; everything
// else — webhook, wake, fetch, render, apply, the agent noticing the rollout, the event, the page — is Wharf's.
// The row's time is taken in the page by a MutationObserver (Date.now(), the same clock as the bench's).
import { execFile, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Page } from "@playwright/test";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import { createDb } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { startRealCluster, type RealCluster, type RealClusterInfo } from "@/lib/kube/real-cluster";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { findToolBinaries } from "../../gotools/binaries.mjs";
import { appManifests } from "../kube/agent-support";
import { callRoute, createCaller } from "../support/api";
import { startGitServer, type GitServer, type TestRepo } from "../support/git-server";
import { bindRepository, githubPushDelivery } from "../support/git-webhook";
import { createEnrolledAgent, createPullTarget } from "../support/pull";
import { benchAdmin, freePort, sessionCookie, startServer } from "./dashboard";
import { startAgentProcess, stopProcess } from "./pull";
import { launchBenchChromium } from "./support/chromium";
import { belowGoal, notRun, percentile, type BenchRow, type TableOptions } from "./support/table";
import { watchDeployments } from "./support/watch-deployments";

const run$ = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BENCH = "pull end to end (real control plane, Chromium)";
const GOAL_MS = 1000;
const AUTHOR = { name: "Bench", email: "bench@example.com" };
const SOURCES = ["plain", "kustomize", "helm"] as const;
type Source = (typeof SOURCES)[number];

/** Each source's files at commit `i` (its Deployment's image tag is 1.0.i) and the folder registered. */
const SOURCE_FILES: Record<Source, { path: string; files: (i: number) => Record<string, string> }> = {
  plain: {
    path: "deploy",
    files: (i) =>
      appManifests({ name: "plain", value: String(i), image: `registry.bench/plain:1.0.${i}`, replicas: 1 }),
  },
  kustomize: {
    path: "overlays/bench",
    // The base is appManifests' app; the overlay sets the image tag, as a kustomize user bumps a release.
    files: (i) => ({
      ...Object.fromEntries(
        Object.entries(appManifests({ name: "kustomize", image: "registry.bench/kustomize:1.0.0", replicas: 1 })).map(
          ([file, content]) => [file.replace(/^deploy\//, "base/"), content],
        ),
      ),
      "base/kustomization.yaml": "resources:\n  - config.yaml\n  - deployment.yaml\n",
      "overlays/bench/kustomization.yaml": `resources:\n  - ../../base\nimages:\n  - name: registry.bench/kustomize\n    newTag: "1.0.${i}"\n`,
    }),
  },
  helm: {
    path: "chart",
    files: (i) => ({
      "chart/Chart.yaml": "apiVersion: v2\nname: bench\nversion: 0.1.0\n",
      "chart/values.yaml": `tag: "1.0.${i}"\n`,
      "chart/templates/deployment.yaml": [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: helm",
        "  labels: { app.kubernetes.io/instance: {{ .Release.Name | quote }} }",
        "spec:",
        "  replicas: 1",
        "  selector: { matchLabels: { app: helm } }",
        "  template:",
        "    metadata: { labels: { app: helm } }",
        "    spec:",
        "      containers:",
        "        - name: web",
        '          image: "registry.bench/helm:{{ .Values.tag }}"',
        "",
      ].join("\n"),
    }),
  },
};

/** What the bench needs of the control plane. */
type Cluster = Pick<RealClusterInfo, "url" | "caPem" | "adminToken" | "kubeconfigPath">;

/**
 * Records, in the page, when each sync row's revision first appears (a MutationObserver sees every insertion). A
 * string, not a function: tsx would wrap a named inner function in a helper the page does not have.
 */
const OBSERVE_ROWS = `(() => {
  window.rowsSeen = {};
  const look = () => {
    const now = Date.now();
    for (const el of document.querySelectorAll('[data-testid="sync-event-row"] [title]'))
      window.rowsSeen[el.getAttribute("title") ?? ""] ??= now;
  };
  look();
  new MutationObserver(look).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["title"] });
})()`;

/** When the page first showed a row of `sha` (its revision id starts with the commit SHA). */
async function rowSeenAt(page: Page, sha: string, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(
    (s) => {
      const seen = (window as unknown as { rowsSeen: Record<string, number> }).rowsSeen;
      const key = Object.keys(seen).find((k) => k.startsWith(s));
      return key ? seen[key] : undefined;
    },
    sha,
    { polling: 100, timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as number;
}

interface Sample {
  source: Source;
  /** webhook sent → row on the page, all of it. */
  total: number;
  /** Deployment's new generation seen → rolled out. */
  rollout: number;
  /** webhook sent → new generation seen (answer, wake, fetch, render, apply). */
  toApplied: number;
  /** Of which: webhook sent → the agent's sync started (the event's occurredAt − durationMs): answer and wake. */
  toSyncStart: number;
  /** rolled out → event stored (the agent noticing, prune, the event POST). */
  readyToStored: number;
  /** Of which: the event made (occurredAt) → stored (receivedAt): the agent's send and the dashboard's store. */
  madeToStored: number;
  /** event stored → row on the page. */
  storedToRow: number;
}

interface Measured {
  samples: Sample[];
  commits: number;
}

async function measure(cluster: Cluster, commits: number): Promise<Measured> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-bench-pull-e2e-"));
  const url = `file:${path.join(dir, "wharf.db")}`;
  process.env.DATABASE_URL = url;
  process.env.WHARF_DATA_DIR = dir;
  delete process.env.WHARF_MASTER_KEY;
  resetEnvCache();
  await migrateDatabase(url);
  // lib/render finds helm and kustomize on PATH: the pinned ones `npm run cluster:build` built come first.
  const built = findToolBinaries().paths as Record<string, string | undefined>;
  const tools = ["helm", "kustomize"].flatMap((t) => (built[t] ? [path.dirname(built[t])] : []));
  process.env.PATH = [...tools, process.env.PATH ?? ""].join(path.delimiter);

  const db = createDb(url);
  const ns = "bench-pull-e2e";
  const stateDir = path.join(dir, "agent");
  fs.mkdirSync(stateDir);
  let server: ChildProcess | null = null;
  let agent: ChildProcess | null = null;
  let git: GitServer | null = null;
  let watch: ReturnType<typeof watchDeployments> | null = null;
  const browser = await launchBenchChromium();
  try {
    await run$("/usr/bin/kubectl", ["--kubeconfig", cluster.kubeconfigPath, "create", "namespace", ns]);
    watch = watchDeployments(cluster, ns);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    [server, git] = await Promise.all([startServer(url, dir, port), startGitServer()]);
    const viewer = await benchAdmin(db);
    const admin = await createCaller("admin");
    const target = await createPullTarget({ name: "bench-pull" });
    await db.target.update({ where: { id: target.id }, data: { defaultNamespace: ns } });
    const enrolled = await createEnrolledAgent(admin, [target.id], "bench-agent");

    const repos = {} as Record<Source, { repo: TestRepo; repoId: string; secret: string; sha: string }>;
    for (const source of SOURCES) {
      const repo = await git.createRepo(`${source}.git`);
      const sha = await repo.commit({ files: SOURCE_FILES[source].files(0), author: AUTHOR, message: "first" });
      const { secret } = await bindRepository(admin, target.id, { repoUrl: repo.url });
      // An hour's poll: only the webhook explains a pickup within the bench.
      const registered = await callRoute(reposRoute.POST, {
        method: "POST",
        path: `/api/targets/${target.id}/repos`,
        params: { id: target.id },
        body: { url: repo.url, path: SOURCE_FILES[source].path, pollIntervalSeconds: 3600 },
        as: admin,
      });
      if (registered.status !== 201) throw new Error(`registering ${source}: ${registered.status} ${registered.text}`);
      repos[source] = { repo, repoId: (registered.body as { id: string }).id, secret, sha };
    }
    // Started once the bench's own writes are done: SQLite has one writer, and the dashboard stores the agent's events.
    agent = await startAgentProcess(
      { url: base, credential: enrolled.token },
      { kubeconfigPath: cluster.kubeconfigPath },
      stateDir,
    );
    // Registration syncs each repository once (and rolls each Deployment out): not measured.
    const firstSynced = async (source: Source) => {
      const { repoId, sha } = repos[source];
      for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
        const row = await db.syncEvent.findFirst({ where: { repoId, revisionSha: sha } });
        if (row?.result === "synced") return;
        if (row) throw new Error(`${source}: first sync ${row.result}: ${row.message}`);
        if (agent?.exitCode != null) throw new Error(`the agent exited with ${agent.exitCode}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`${source}: the registered revision did not sync in 2 minutes`);
    };
    for (const source of SOURCES) await firstSynced(source);

    const context = await browser.newContext();
    const [name, value] = (await sessionCookie(base, viewer)).split("=") as [string, string];
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/sync?targetId=${target.id}`);
    await page.locator('[data-testid="sync-event-row"]').first().waitFor({ timeout: 60_000 });
    await page.evaluate(OBSERVE_ROWS);

    const samples: Sample[] = [];
    for (let i = 1; i <= commits; i++) {
      const source = SOURCES[(i - 1) % SOURCES.length]!;
      const { repo, repoId, secret } = repos[source];
      const generation = watch.latest(source) + 1;
      const sha = await repo.commit({ files: SOURCE_FILES[source].files(i), author: AUTHOR, message: `change ${i}` });
      const { body, headers } = githubPushDelivery({
        secret,
        sha,
        delivery: `bench-${sha}`,
        repository: { full_name: `bench/${source}`, clone_url: repo.url, html_url: repo.url },
      });
      const t0 = Date.now();
      const res = await fetch(`${base}/api/webhooks/git`, { method: "POST", headers, body });
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      const rowAt = await rowSeenAt(page, sha, 60_000);
      const event = await db.syncEvent.findFirst({ where: { repoId, revisionSha: sha, result: "synced" } });
      const gen = watch.generation(source, generation);
      if (!event || !gen?.readyAt) throw new Error(`${source} ${sha.slice(0, 7)}: no synced event or no rollout seen`);
      if (event.trigger !== "notify") throw new Error(`${source} ${sha.slice(0, 7)}: picked up by ${event.trigger}`);
      const sample: Sample = {
        source,
        total: rowAt - t0,
        rollout: gen.readyAt - gen.seenAt,
        toApplied: gen.seenAt - t0,
        toSyncStart: event.occurredAt.getTime() - (event.durationMs ?? 0) - t0,
        readyToStored: event.receivedAt.getTime() - gen.readyAt,
        madeToStored: event.receivedAt.getTime() - event.occurredAt.getTime(),
        storedToRow: rowAt - event.receivedAt.getTime(),
      };
      samples.push(sample);
      console.log(
        `[bench] ${String(i).padStart(2)} ${source.padEnd(9)} webhook → applied ${sample.toApplied} ms (sync started at ${sample.toSyncStart}), rollout ${sample.rollout} ms, ready → stored ${sample.readyToStored} ms (event made → stored ${sample.madeToStored}), stored → row ${sample.storedToRow} ms; excl. rollout ${sample.total - sample.rollout} ms`,
      );
    }
    await context.close();
    return { samples, commits };
  } finally {
    watch?.stop();
    await browser.close();
    if (agent) await stopProcess(agent);
    if (server) await stopProcess(server);
    await git?.stop();
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const sortedOf = (values: number[]) => [...values].sort((a, b) => a - b);

function rows(m: Measured): BenchRow[] {
  const excl = sortedOf(m.samples.map((s) => s.total - s.rollout));
  const rollout = sortedOf(m.samples.map((s) => s.rollout));
  const n = m.samples.length;
  const cores = os.availableParallelism();
  const info = (figure: string, value: number): BenchRow => ({
    bench: BENCH,
    figure,
    goal: "—",
    value: `${value.toFixed(0)} ms`,
    met: null,
  });
  return [
    info(`commit → synced on page excl. rollout wait, p50 of ${n} (${cores} cores)`, percentile(excl, 50)),
    belowGoal(
      BENCH,
      `commit → synced on page excl. rollout wait, p95 of ${n} (${cores} cores)`,
      percentile(excl, 95),
      GOAL_MS,
    ),
    info(`rollout wait (kwok's fake node), p50 of ${n}`, percentile(rollout, 50)),
    info(`rollout wait (kwok's fake node), p95 of ${n}`, percentile(rollout, 95)),
  ];
}

function summary(m: Measured): void {
  const line = (label: string, pick: (s: Sample) => number, of = m.samples) => {
    const sorted = sortedOf(of.map(pick));
    console.log(
      `  ${label.padEnd(44)} p50 ${percentile(sorted, 50).toFixed(0).padStart(5)} ms  p95 ${percentile(sorted, 95).toFixed(0).padStart(5)} ms  max ${sorted[sorted.length - 1]!.toFixed(0).padStart(5)} ms`,
    );
  };
  console.log(`\n${m.samples.length} commits (${SOURCES.join(", ")} in turn), ${os.availableParallelism()} cores:`);
  line("commit → synced on page, excl. rollout wait", (s) => s.total - s.rollout);
  line("rollout wait", (s) => s.rollout);
  line("webhook → applied", (s) => s.toApplied);
  line("  of which webhook → agent's sync started", (s) => s.toSyncStart);
  line("rolled out → event stored", (s) => s.readyToStored);
  line("  of which event made → stored", (s) => s.madeToStored);
  line("event stored → row on the page", (s) => s.storedToRow);
  for (const source of SOURCES)
    line(
      `${source}: excl. rollout wait`,
      (s) => s.total - s.rollout,
      m.samples.filter((s) => s.source === source),
    );
}

function commitsFlag(argv: string[]): number {
  const i = argv.indexOf("--commits");
  return i >= 0 ? Number(argv[i + 1]) : 50;
}

async function withCluster<T>(work: (cluster: RealCluster) => Promise<T>): Promise<T> {
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID")))
    throw new Error("no production build here: run `npx next build` first (the page is measured on `next start`)");
  const cluster = await startRealCluster();
  try {
    return await work(cluster);
  } finally {
    await cluster.stop();
  }
}

/** `npm run bench -- all`: the 50 commits (about 3 minutes on 2 cores), or a row saying why not. */
export async function runForTable(opts: TableOptions): Promise<BenchRow[]> {
  if (opts.realClusterMissing) return [notRun(BENCH, opts.realClusterMissing)];
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID")))
    return [notRun(BENCH, "no production build (run `npx next build` first)")];
  const m = await withCluster((cluster) => measure(cluster, 50));
  summary(m);
  return rows(m);
}

export async function run(argv = process.argv.slice(3)): Promise<void> {
  const m = await withCluster((cluster) => measure(cluster, commitsFlag(argv)));
  summary(m);
  for (const r of rows(m))
    console.log(`${r.figure}: ${r.value} (goal ${r.goal}${r.met === null ? "" : r.met ? ", met" : ", NOT met"})`);
}
