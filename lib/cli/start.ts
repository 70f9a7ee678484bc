// `npm start`: one command from a fresh clone to a working Wharf — applies migrations, starts the sandbox cluster,
// seeds demo data into an empty database, builds the dashboard when the sources changed, and serves it.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { findToolBinaries } from "../../gotools/binaries.mjs";
import { ensureMasterKey } from "@/lib/credentials/keyring";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { redactUrl } from "@/lib/db/url";
import { env, resetEnvCache } from "@/lib/env";
import { startSandbox, type Sandbox } from "@/lib/kube/sandbox";
import { ensurePortFree, spawnTethered, watchAncestors } from "./child-lifecycle";
import { seedDemoApplications } from "./demo-applications";
import { demoPaths, startDemoAgent } from "./demo-pull";
import { seedIfEmpty } from "./seed-demo";

const root = process.cwd();
const nextBin = path.join(root, "node_modules", ".bin", "next");

/** Newest modification time under the folders that make up the build. */
function newestSourceMtime(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "generated" || entry.name.startsWith(".")) continue;
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of ["app", "components", "lib", "public"])
    if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  for (const f of ["next.config.js", "package-lock.json", "postcss.config.mjs"]) {
    if (fs.existsSync(path.join(root, f))) newest = Math.max(newest, fs.statSync(path.join(root, f)).mtimeMs);
  }
  return newest;
}

/** A path as people type it here: relative to the checkout when inside it (data/demo-repo), else absolute. */
function shown(p: string): string {
  const rel = path.relative(root, p);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
}

function buildIsCurrent(): boolean {
  const id = path.join(root, ".next", "BUILD_ID");
  return fs.existsSync(id) && fs.statSync(id).mtimeMs >= newestSourceMtime();
}

/**
 * The environment of `npm start`'s two children, `next build` and `next start` (the dashboard): they are Wharf itself,
 * not tools, and read its configuration (DATABASE_URL, WHARF_MASTER_KEY, …) through lib/env.ts, so they get this
 * process's environment. Nothing else does: tools (git, kubectl, tar) run through lib/process/run-tool.ts with a
 * minimal one, and the sandbox and the demo agent run in this process (the agent with its own file:// roots).
 */
function wharfChildEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

/**
 * helm and kustomize render Git sources that are charts or kustomizations (lib/render looks them up on PATH): the ones
 * `npm run cluster:build` built go first on this process's PATH, and so on the dashboard's and the demo agent's, as the
 * tests do. Returns the tools put there.
 */
function useBuiltRenderTools(): string[] {
  const built = findToolBinaries().paths;
  const found = (["helm", "kustomize"] as const).filter((name) => built[name]);
  const dirs = found.map((name) => path.dirname(built[name]!));
  if (dirs.length > 0) process.env.PATH = [...new Set(dirs), process.env.PATH ?? ""].join(path.delimiter);
  return [...found];
}

/**
 * The demo's repositories are file:// repositories in the data directory: the dashboard may fetch them (push
 * deployments of the demo applications) as the demo agent may; WHARF_GIT_LOCAL_ROOTS still decides for anything else.
 */
function allowDemoRepositories(): void {
  const e = env();
  if (e.WHARF_SEED_DEMO === "false" || e.WHARF_SANDBOX !== "on") return;
  const demo = demoPaths();
  process.env.WHARF_GIT_LOCAL_ROOTS = [...new Set([...e.WHARF_GIT_LOCAL_ROOTS, demo.repo, demo.appsRepo])].join(",");
  resetEnvCache();
}

function run(cmd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnTethered(cmd, args, { env: wharfChildEnv(extraEnv) });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.join(" ")} exited with ${code}`)),
    );
    child.on("error", reject);
  });
}

async function main(): Promise<void> {
  const builtTools = useBuiltRenderTools();
  allowDemoRepositories();
  const e = env();
  // npm, its sh or the tsx launcher killed outright: stop as on Ctrl-C — until the dashboard runs, by exiting (as
  // Ctrl-C's default does; the tether stops a running build), then through stop() below. This process killed outright:
  // the tethers stop the children.
  let onAncestorGone = (): void => {
    console.error("[wharf] npm start was killed; exiting");
    process.exit(1);
  };
  watchAncestors(() => onAncestorGone());
  // Before minutes of migrations and building: a taken port is one line, not Next's stack trace at the very end.
  await ensurePortFree(e.PORT);
  fs.mkdirSync(e.dataDir, { recursive: true });
  ensureMasterKey();

  const applied = await migrateDatabase(e.DATABASE_URL);
  console.log(
    `[wharf] database ${redactUrl(e.DATABASE_URL)}: ${applied.length ? `applied ${applied.join(", ")}` : "up to date"}`,
  );

  let sandbox: Sandbox | null = null;
  if (e.WHARF_SANDBOX === "on") {
    sandbox = await startSandbox({
      port: e.WHARF_SANDBOX_PORT,
      dataDir: path.join(e.dataDir, "sandbox"),
      persist: true,
    }).catch((err: Error) => {
      throw new Error(
        `could not start the sandbox cluster on port ${e.WHARF_SANDBOX_PORT} (${err.message}); set WHARF_SANDBOX_PORT or WHARF_SANDBOX=off`,
      );
    });
    console.log(`[wharf] sandbox cluster at ${sandbox.url} (kubectl --kubeconfig ${sandbox.kubeconfigPath} get ns)`);
  }

  const seed = await seedIfEmpty({ sandbox });
  const demoNotes: string[] = [];
  const demo = demoPaths();
  // The demo's applications: on a first start, and on later ones while some wait for a binary (helm, kustomize).
  if (sandbox && e.WHARF_SEED_DEMO !== "false" && (seed.seeded || fs.existsSync(demo.appsRepo))) {
    if (builtTools.length > 0) console.log(`[wharf] render tools from npm run cluster:build: ${builtTools.join(", ")}`);
    const apps = await seedDemoApplications({ repoDir: demo.appsRepo, stateFile: demo.appsState });
    if (apps.created.length > 0)
      console.log(`[wharf] demo applications (${shown(demo.appsRepo)}): ${apps.created.join(", ")}`);
    for (const note of apps.notes) console.log(`[wharf] note: ${note}`);
    demoNotes.push(...apps.notes);
  }

  if (!buildIsCurrent()) {
    console.log("[wharf] building the dashboard (first start or sources changed)…");
    await run(nextBin, ["build"]);
  }

  const children: ChildProcess[] = [];
  let agent: { stop(): Promise<void> } | null = null;
  let stopping = false;
  // The demo agent stops first, while the dashboard it reports to still answers: stopped after the server, its last
  // flush would retry against a closed port. A second signal, or a part that hangs, ends the process anyway.
  const stop = (): void => {
    if (stopping) {
      console.error("[wharf] stopping now");
      process.exit(130);
    }
    stopping = true;
    console.log("[wharf] stopping (press Ctrl-C again to force)…");
    setTimeout(() => {
      console.error("[wharf] did not stop within 20 s; exiting");
      process.exit(1);
    }, 20_000).unref();
    void Promise.resolve(agent?.stop())
      .catch((err: unknown) => console.error(`[wharf] demo agent did not stop cleanly: ${(err as Error).message}`))
      .finally(() => {
        agent = null;
        for (const c of children) c.kill("SIGTERM");
      });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  onAncestorGone = stop;

  // Checked again: a build can take minutes, and something may have taken the port meanwhile.
  await ensurePortFree(e.PORT);
  const server = spawnTethered(nextBin, ["start", "-p", String(e.PORT)], {
    stdout: "pipe",
    env: wharfChildEnv({ NODE_ENV: "production" }),
  });
  children.push(server);
  let announced = false;
  server.stdout?.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    if (!announced && /Ready|started server/i.test(chunk.toString())) {
      announced = true;
      console.log(`\n  Wharf is running at ${e.publicUrl}`);
      if (seed.seeded) {
        console.log(
          `  Sign in as ${seed.adminEmail}${seed.generatedPassword ? ` with password ${seed.generatedPassword}` : " with WHARF_ADMIN_PASSWORD"}`,
        );
        if (seed.generatedPassword)
          console.log("  (generated for this first start and shown only once — change it or set WHARF_ADMIN_PASSWORD)");
      }
      // Repeated here, where a first start's reader looks: the demo is missing applications until they act.
      for (const note of demoNotes) console.log(`  Note: ${note}`);
      console.log("");
      // The demo pull agent talks to the dashboard over HTTP, so it starts once the server answers.
      if (sandbox) {
        startDemoAgent(sandbox)
          .then((a) => {
            if (stopping) {
              void a?.stop();
              return;
            }
            agent = a;
            if (a)
              console.log(
                `[wharf] demo pull agent running (${shown(demo.repo)} and ${shown(demo.appsRepo)} → target web-staging; commit there to watch it sync)`,
              );
          })
          .catch((err: unknown) => console.error(`[wharf] demo agent did not start: ${(err as Error).message}`));
      }
    }
  });
  server.on("exit", (code) => {
    for (const c of children) c.kill("SIGTERM");
    // Let the sandbox write its last snapshot before the process ends.
    void Promise.resolve(agent?.stop())
      .then(() => sandbox?.stop())
      .finally(() => process.exit(code ?? 0));
  });
}

main().catch((err: unknown) => {
  console.error(`[wharf] start failed: ${(err as Error).message}`);
  process.exit(1);
});
