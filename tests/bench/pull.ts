// `npm run bench -- pull`: the pull agent end to end, as a separate process (`lib/agent/main.ts`, configured by
// env like `npm run agent`) against a sandbox cluster in its own process, a real git daemon and the agent protocol.
// 1. commit → synced latency over 20 commits with notify (goal p95 < 2 s) and with a 5 s poll instead;
// 2. the agent's resident memory with 1,000 registered small repositories (goal < 256 MiB).
// "Synced" is when Wharf has received the agent's `synced` event for that commit (applied, rollout checked, reported).
// The agent runs as deploy/agent/Dockerfile builds it: bundled with esbuild, on plain node. Its idle memory under tsx
// (`npm run agent`) is printed for comparison.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { repoAssignment, startFakeWharf, targetAssignment, type FakeWharf } from "../support/agent-wharf";
import { startGitServer, type GitServer } from "../support/git-server";
import { belowGoal, percentile, seconds, type BenchRow } from "./support/table";

const run$ = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const AUTHOR = { name: "Bench", email: "bench@example.com" };
const COMMITS = 20;
const REPOS = Number(process.env.BENCH_PULL_REPOS ?? 1000);

export interface SandboxInfo {
  url: string;
  kubeconfigPath: string;
}

export async function startSandboxProcess(): Promise<{ info: SandboxInfo; child: ChildProcess }> {
  const script = path.join(root, "tests/bench/support/sandbox-process.ts");
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    stdio: ["ignore", "pipe", "inherit"],
    cwd: root,
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
  return { info: JSON.parse(line) as SandboxInfo, child };
}

let bundle: string | undefined;

/** lib/agent/main.ts bundled by the Dockerfile's own step (`npm run agent:build`): packages included, no node_modules. */
async function agentBundle(): Promise<string> {
  if (bundle) return bundle;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-agent-bundle-"));
  const outfile = path.join(dir, "agent.mjs");
  await run$(process.execPath, [path.join(root, "deploy/agent/build.mjs"), "--outfile", outfile], { cwd: root });
  bundle = outfile;
  return outfile;
}

export async function startAgentProcess(
  wharf: Pick<FakeWharf, "url" | "credential">,
  sandbox: Pick<SandboxInfo, "kubeconfigPath">,
  stateDir: string,
  runner: "bundle" | "tsx" = "bundle",
): Promise<ChildProcess> {
  const args = runner === "tsx" ? ["--import", "tsx", path.join(root, "lib/agent/main.ts")] : [await agentBundle()];
  return spawn(process.execPath, args, {
    cwd: root,
    stdio: [
      "ignore",
      process.env.BENCH_PULL_AGENT_LOG ? fs.openSync(process.env.BENCH_PULL_AGENT_LOG, "a") : "ignore",
      "inherit",
    ],
    env: {
      PATH: process.env.PATH,
      HOME: stateDir,
      WHARF_URL: wharf.url,
      WHARF_AGENT_CREDENTIAL: wharf.credential,
      WHARF_AGENT_STATE_DIR: stateDir,
      WHARF_AGENT_KUBECONFIG: sandbox.kubeconfigPath,
    } as unknown as NodeJS.ProcessEnv,
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

export function rssMiB(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

function app(ns: string, value: string): Record<string, string> {
  return {
    "deploy/config.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: ${ns}\ndata:\n  value: "${value}"\n`,
    "deploy/deployment.yaml": `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: ${ns}\nspec:\n  replicas: 1\n  selector: { matchLabels: { app: app } }\n  template:\n    metadata: { labels: { app: app } }\n    spec:\n      containers: [{ name: app, image: "nginx:1.27" }]\n`,
    "deploy/service.yaml": `apiVersion: v1\nkind: Service\nmetadata:\n  name: app\n  namespace: ${ns}\nspec:\n  selector: { app: app }\n  ports: [{ port: 80 }]\n`,
  };
}

async function latency(git: GitServer, sandbox: SandboxInfo, mode: "notify" | "poll"): Promise<number[]> {
  const ns = `bench-${mode}-${process.pid}`;
  const repo = await git.createRepo(`${ns}.git`);
  const first = await repo.commit({ files: app(ns, "0"), author: AUTHOR });
  const wharf = await startFakeWharf();
  await run$("/usr/bin/kubectl", ["--kubeconfig", sandbox.kubeconfigPath, "create", "namespace", ns]);
  const repoId = `repo-${ns}`;
  wharf.setTargets([
    targetAssignment({
      targetId: `t-${ns}`,
      defaultNamespace: ns,
      repos: [
        repoAssignment({ repoId, url: repo.url, path: "deploy", pollIntervalSeconds: mode === "poll" ? 5 : 3600 }),
      ],
    }),
  ]);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-bench-agent-"));
  const agent = await startAgentProcess(wharf, sandbox, stateDir);
  const samples: number[] = [];
  try {
    await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === first, 60_000);
    for (let i = 1; i <= COMMITS; i++) {
      // Pushes arrive at random moments relative to the poll timer, not right after a sync.
      if (mode === "poll") await new Promise((resolve) => setTimeout(resolve, Math.random() * 5000));
      const sha = await repo.commit({
        files: { "deploy/config.yaml": app(ns, String(i))["deploy/config.yaml"]! },
        author: AUTHOR,
        message: `change ${i}`,
      });
      const started = performance.now();
      if (mode === "notify") wharf.notify(repoId);
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.sha === sha, 60_000);
      samples.push(performance.now() - started);
    }
  } finally {
    await stopProcess(agent);
    await wharf.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  return samples;
}

/** 1,000 bare repositories, one commit each (one ConfigMap), written with git fast-import: one process per repo. */
export async function manyRepos(git: GitServer, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `many-${i}.git`);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      const dir = path.join(git.baseDir, names[i]!);
      await run$("git", ["init", "--quiet", "--bare", "--initial-branch=main", dir]);
      const content = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  index: "${i}"\n`;
      const stream = `commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata 4\nrepo\nM 644 inline cm.yaml\ndata ${Buffer.byteLength(content)}\n${content}\n`;
      await new Promise<void>((resolve, reject) => {
        const child = execFile("git", ["fast-import", "--quiet"], { cwd: dir }, (err) =>
          err ? reject(err) : resolve(),
        );
        child.stdin?.end(stream);
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return names.map((name) => git.urlOf(name));
}

/** Returns the agent's peak RSS in MiB once all `REPOS` repositories synced. */
async function memory(git: GitServer, sandbox: SandboxInfo, REPOS: number): Promise<number> {
  const ns = `bench-many-${process.pid}`;
  await run$("/usr/bin/kubectl", ["--kubeconfig", sandbox.kubeconfigPath, "create", "namespace", ns]);
  const created = performance.now();
  const urls = await manyRepos(git, REPOS);
  console.log(`  created ${REPOS} repositories in ${((performance.now() - created) / 1000).toFixed(1)} s`);
  const wharf = await startFakeWharf();
  wharf.setTargets([
    targetAssignment({
      targetId: "t-many",
      defaultNamespace: ns,
      repos: urls.map((url, i) => repoAssignment({ repoId: `many-${i}`, url, pollIntervalSeconds: 300 })),
    }),
  ]);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-bench-agent-"));
  const agent = await startAgentProcess(wharf, sandbox, stateDir);
  const started = performance.now();
  try {
    while (wharf.heartbeats.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const idle = rssMiB(agent.pid!).rss;
    let lastReport = 0;
    while (wharf.events.filter((e) => e.result === "synced").length < REPOS) {
      if (agent.exitCode !== null) throw new Error(`agent exited with ${agent.exitCode}`);
      const failed = wharf.events.filter((e) => e.result === "failed");
      if (failed.length > 0) throw new Error(`sync failed: ${failed[0]!.message}`);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.log(
          `  … ${wharf.events.filter((e) => e.result === "synced").length}/${REPOS} synced, RSS ${rssMiB(agent.pid!).rss.toFixed(0)} MiB`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const allSynced = (performance.now() - started) / 1000;
    const afterSync = rssMiB(agent.pid!);
    console.log(`  all ${REPOS} repos synced in ${allSynced.toFixed(1)} s`);
    console.log(
      `  agent RSS: ${idle.toFixed(0)} MiB at start (repos registered), ${afterSync.rss.toFixed(0)} MiB after all synced, peak ${afterSync.peak.toFixed(0)} MiB (goal < 256 MiB: ${afterSync.peak < 256 ? "met" : "NOT met"})`,
    );
    return afterSync.peak;
  } finally {
    await stopProcess(agent);
    await wharf.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

function summary(label: string, samples: number[], goal?: number): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  console.log(
    `${label}: p50 ${(p50 / 1000).toFixed(2)} s, p95 ${(p95 / 1000).toFixed(2)} s, max ${((sorted[sorted.length - 1] ?? 0) / 1000).toFixed(2)} s over ${samples.length} commits${
      goal ? ` (goal p95 < ${goal / 1000} s: ${p95 < goal ? "met" : "NOT met"})` : ""
    }`,
  );
}

/**
 * `npm run bench -- all`: commit → synced with notify over 20 commits, and the agent's memory with 300 repositories
 * (the 1,000 of `npm run bench -- pull` take minutes to sync on 2 cores; the goal is the one for 1,000).
 * The 5 s poll figure is left to the full run: it is a minute of waiting for a number with no goal.
 */
export async function runForTable(): Promise<BenchRow[]> {
  const { info: sandbox, child } = await startSandboxProcess();
  const git = await startGitServer();
  try {
    const sorted = (await latency(git, sandbox, "notify")).sort((a, b) => a - b);
    const repos = 300;
    const peak = await memory(git, sandbox, repos);
    return [
      {
        bench: "pull (stand-in dashboard)",
        figure: `commit → synced with notify, p50 of ${COMMITS}`,
        goal: "—",
        value: seconds(percentile(sorted, 50)),
        met: null,
      },
      belowGoal(
        "pull (stand-in dashboard)",
        `commit → synced with notify, p95 of ${COMMITS}`,
        percentile(sorted, 95),
        2000,
        seconds,
      ),
      {
        bench: "pull (stand-in dashboard)",
        figure: `agent peak RSS with ${repos} repositories synced`,
        goal: "< 256 MiB",
        value: `${peak.toFixed(0)} MiB`,
        met: peak < 256,
      },
    ];
  } finally {
    await git.stop();
    await stopProcess(child);
  }
}

async function tsxOverhead(wharf: FakeWharf, sandbox: SandboxInfo): Promise<void> {
  const measure = async (runner: "bundle" | "tsx") => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-bench-agent-"));
    const heartbeats = wharf.heartbeats.length;
    const agent = await startAgentProcess(wharf, sandbox, stateDir, runner);
    // Measured once the agent is fully up (its first heartbeat arrived) and has settled for a second.
    while (wharf.heartbeats.length === heartbeats) await new Promise((resolve) => setTimeout(resolve, 50));
    const rss = await new Promise<number>((resolve) => setTimeout(() => resolve(rssMiB(agent.pid!).rss), 1000));
    await stopProcess(agent);
    fs.rmSync(stateDir, { recursive: true, force: true });
    return rss;
  };
  console.log(
    `agent RSS with no repos: ${(await measure("bundle")).toFixed(0)} MiB bundled on node, ${(await measure("tsx")).toFixed(0)} MiB under tsx (npm run agent)`,
  );
}

/** Runs the three measurements and prints them. */
export async function run(): Promise<void> {
  const { info: sandbox, child } = await startSandboxProcess();
  const git = await startGitServer();
  try {
    if (!process.env.BENCH_PULL_MEMORY_ONLY) {
      summary("commit → synced with notify", await latency(git, sandbox, "notify"), 2000);
      summary("commit → synced with a 5 s poll", await latency(git, sandbox, "poll"));
    }
    const idleWharf = await startFakeWharf();
    await tsxOverhead(idleWharf, sandbox);
    await idleWharf.stop();
    console.log(`agent memory with ${REPOS} registered repositories:`);
    await memory(git, sandbox, REPOS);
  } finally {
    await git.stop();
    await stopProcess(child);
  }
}
