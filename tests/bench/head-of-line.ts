// `npm run bench -- head-of-line [--apps N] [--large]`: no head-of-line blocking in the pull agent (issue 18, Must 3).
// One agent process (the bundle deploy/agent/Dockerfile builds) follows 1,000 applications (`--apps N`; 10,000 with
// `--large`) on a sandbox cluster in its own process, through the stand-in dashboard (tests/support/agent-wharf.ts)
// and a real git daemon. One application's rollout never becomes ready; meanwhile another application takes 20
// commits, each notified, and "commit → synced" is timed until its `synced` event reaches the dashboard. Goals: that
// p95 within 1.2× of the same figure with the application alone on its agent, and agent peak RSS < 256 MiB at 1,000
// (< 1 GiB at 10,000).
// The stuck application is a paused Deployment: no ReplicaSet is ever made, so the agent waits its whole rollout
// timeout (5 minutes) on any cluster. An image tagged `:fail` does not stand in for it: the sandbox reports its crash
// loop as ProgressDeadlineExceeded at once (kwok on the real control plane after progressDeadlineSeconds), so that
// wait ends within seconds here. The bench checks the stuck rollout is still being waited for after the last commit.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repoAssignment, startFakeWharf, targetAssignment } from "../support/agent-wharf";
import { startGitServer, type GitServer } from "../support/git-server";
import { manyRepos, rssMiB, startAgentProcess, startSandboxProcess, stopProcess, type SandboxInfo } from "./pull";
import { belowGoal, percentile, ratioRow, seconds, type BenchRow } from "./support/table";

const run$ = promisify(execFile);
const AUTHOR = { name: "Bench", email: "bench@example.com" };
const COMMITS = 20;
const WARM_UP = 3;
const BENCH = "head-of-line (stand-in dashboard)";

interface Result {
  /** commit → synced of the measured application, ascending, ms. */
  sorted: number[];
  /** Agent peak RSS (MiB) after all applications synced and the commits were measured. */
  peakMiB: number;
  /** True when the never-ready rollout was still being waited for after the last measured commit. */
  stuckThroughout: boolean;
}

const configMap = (value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe-config\ndata:\n  value: "${value}"\n`;

const pausedDeployment = (ns: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: stuck\n  namespace: ${ns}\nspec:\n  paused: true\n  replicas: 1\n  selector: { matchLabels: { app: stuck } }\n  template:\n    metadata: { labels: { app: stuck } }\n    spec:\n      containers: [{ name: app, image: "nginx:1.27" }]\n`;

/**
 * Times COMMITS notified commits of one application on an agent that also follows the `many` repositories' URLs and,
 * when `stuck`, one application whose rollout is made to hang first.
 */
async function measure(git: GitServer, sandbox: SandboxInfo, label: string, many: string[], stuck: boolean) {
  const ns = `bench-hol-${label}-${process.pid}`;
  await run$("/usr/bin/kubectl", ["--kubeconfig", sandbox.kubeconfigPath, "create", "namespace", ns]);
  const probe = await git.createRepo(`${ns}-probe.git`);
  const first = await probe.commit({ files: { "cm.yaml": configMap("0") }, author: AUTHOR });
  const stuckRepo = stuck ? await git.createRepo(`${ns}-stuck.git`) : undefined;
  await stuckRepo?.commit({ files: { "stuck.yaml": configMap("0").replace("probe", "stuck") }, author: AUTHOR });
  const wharf = await startFakeWharf();
  const repos = [
    repoAssignment({ repoId: "probe", url: probe.url, pollIntervalSeconds: 3600 }),
    ...(stuckRepo ? [repoAssignment({ repoId: "stuck", url: stuckRepo.url, pollIntervalSeconds: 3600 })] : []),
    ...many.map((url, i) => repoAssignment({ repoId: `many-${i}`, url, pollIntervalSeconds: 3600 })),
  ];
  wharf.setTargets([targetAssignment({ targetId: `t-${ns}`, defaultNamespace: ns, repos })]);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-bench-agent-"));
  const agent = await startAgentProcess(wharf, sandbox, stateDir);
  const started = performance.now();
  try {
    let lastReport = performance.now();
    for (;;) {
      if (agent.exitCode !== null) throw new Error(`agent exited with ${agent.exitCode}`);
      const failed = wharf.events.find((e) => e.result === "failed");
      if (failed) throw new Error(`sync failed: ${failed.message}`);
      const synced = new Set(wharf.events.filter((e) => e.result === "synced").map((e) => e.repoId)).size;
      if (synced >= repos.length) break;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.log(`  … ${synced}/${repos.length} synced, RSS ${rssMiB(agent.pid!).rss.toFixed(0)} MiB`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    console.log(
      `  ${label}: ${repos.length} applications synced in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    await wharf.waitForEvent((e) => e.repoId === "probe" && e.result === "synced" && e.revision?.sha === first);

    let stuckSha: string | undefined;
    if (stuckRepo) {
      stuckSha = await stuckRepo.commit({ files: { "deploy.yaml": pausedDeployment(ns) }, author: AUTHOR });
      wharf.notify("stuck");
      // The Deployment exists once the agent applied it; from then on it waits for a rollout that never comes.
      for (;;) {
        const got = await run$("/usr/bin/kubectl", [
          "--kubeconfig",
          sandbox.kubeconfigPath,
          "get",
          "deployment",
          "stuck",
          "-n",
          ns,
          "--ignore-not-found",
          "-o",
          "name",
        ]);
        if (got.stdout.trim()) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    const samples: number[] = [];
    // The first few commits pay for JIT in the agent and the sandbox: not counted, on both sides alike.
    for (let i = 1 - WARM_UP; i <= COMMITS; i++) {
      const sha = await probe.commit({
        files: { "cm.yaml": configMap(`c${i}`) },
        author: AUTHOR,
        message: `change ${i}`,
      });
      const t0 = performance.now();
      wharf.notify("probe");
      await wharf.waitForEvent(
        (e) => e.repoId === "probe" && e.result === "synced" && e.revision?.sha === sha,
        120_000,
      );
      if (i > 0) samples.push(performance.now() - t0);
    }
    const stuckThroughout =
      !stuckSha || !wharf.events.some((e) => e.repoId === "stuck" && e.revision?.sha === stuckSha);
    return { sorted: samples.sort((a, b) => a - b), peakMiB: rssMiB(agent.pid!).peak, stuckThroughout };
  } finally {
    await stopProcess(agent);
    await wharf.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

async function both(apps: number): Promise<{ single: Result; crowded: Result }> {
  const { info: sandbox, child } = await startSandboxProcess();
  const git = await startGitServer();
  try {
    const single = await measure(git, sandbox, "single", [], false);
    const created = performance.now();
    const many = await manyRepos(git, apps - 2);
    console.log(`  created ${apps - 2} more repositories in ${((performance.now() - created) / 1000).toFixed(1)} s`);
    const crowded = await measure(git, sandbox, "crowded", many, true);
    return { single, crowded };
  } finally {
    await git.stop();
    await stopProcess(child);
  }
}

function rows(apps: number, { single, crowded }: { single: Result; crowded: Result }): BenchRow[] {
  const p95 = (r: Result) => percentile(r.sorted, 95);
  const rssGoal = apps > 1000 ? 1024 : 256;
  return [
    {
      bench: BENCH,
      figure: `commit → synced with notify, p95 of ${COMMITS}, the application alone`,
      goal: "—",
      value: seconds(p95(single)),
      met: null,
    },
    {
      bench: BENCH,
      figure: `same, among ${apps} applications, one rollout never ready${crowded.stuckThroughout ? "" : " (it ended early!)"}`,
      goal: "—",
      value: seconds(p95(crowded)),
      met: null,
    },
    {
      ...ratioRow(BENCH, `p95 among ${apps} with a stuck rollout / p95 alone`, p95(crowded) / p95(single), 1.2),
      // A measurement during which the stuck rollout was not stuck says nothing about blocking.
      ...(crowded.stuckThroughout ? {} : { met: false }),
    },
    belowGoal(BENCH, `agent peak RSS with ${apps} applications`, crowded.peakMiB, rssGoal, (n) =>
      Number.isFinite(n) ? `${n.toFixed(0)} MiB` : "—",
    ),
  ];
}

/** `npm run bench -- all`: 200 applications (1,000 take minutes to sync on 2 cores; the RSS goal is the one for 1,000). */
export async function runForTable(): Promise<BenchRow[]> {
  const apps = 200;
  return rows(apps, await both(apps));
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export async function run(): Promise<void> {
  const apps = process.argv.includes("--large") ? 10_000 : Number(argValue("--apps") ?? 1000);
  if (!Number.isInteger(apps) || apps < 3) throw new Error("--apps takes a whole number of at least 3");
  const result = await both(apps);
  console.log(`machine: ${os.availableParallelism()} cores`);
  for (const row of rows(apps, result)) {
    const verdict = row.met === null ? "" : row.met ? " — met" : " — NOT met";
    console.log(`${row.figure}: ${row.value}${row.goal === "—" ? "" : ` (goal ${row.goal})`}${verdict}`);
  }
  const { single, crowded } = result;
  console.log(
    `p50: ${seconds(percentile(single.sorted, 50))} alone, ${seconds(percentile(crowded.sorted, 50))} among ${apps}`,
  );
}
