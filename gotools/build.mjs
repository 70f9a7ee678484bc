#!/usr/bin/env node
// `npm run cluster:build`: builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok (the fake node),
// helm and kustomize from the wrapper modules under gotools/ into a cache outside the repository
// (gotools/binaries.mjs says where). A module whose go.mod, go.sum and flags are unchanged is not rebuilt, so a second
// run takes a second. Needs Go ≥ 1.26 and the Go module proxy; never downloads a prebuilt binary.
//   npm run cluster:build [-- --only etcd,kubernetes,kwok]
//
// One build at a time (a lock in the cache directory), `go build -p 2`: the machines have two cores, shared.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { COMPLETE_MARKER, GOTOOLS_DIR, cacheRoot, goEnv, moduleDir, toolDir, toolModules } from "./binaries.mjs";

const MIN_GO = [1, 26];

function fail(line) {
  console.error(`cluster:build: ${line}`);
  process.exit(1);
}

function checkGo(env) {
  let version;
  try {
    version = execFileSync("go", ["env", "GOVERSION"], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch {
    fail(`Go ≥ ${MIN_GO.join(".")} is needed to build the real control plane, and there is no \`go\` on PATH.`);
  }
  const match = /^go(\d+)\.(\d+)/.exec(version);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) {
    fail(
      `Go ≥ ${MIN_GO.join(".")} is needed to build the real control plane; this machine has ${version || "an unknown Go"}.`,
    );
  }
  return version;
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A directory lock (mkdir is atomic) so the test preflight and a developer's own run never compile at once. */
async function withLock(root, fn) {
  mkdirSync(root, { recursive: true });
  const lock = path.join(root, ".build.lock");
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(path.join(lock, "pid"), "utf8"));
      } catch {
        // The holder has not written its pid yet.
      }
      const stale = holder > 0 && !pidAlive(holder);
      if (stale) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) console.log(`cluster:build: waiting for another build (pid ${holder || "?"}) to finish`);
      announced = true;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  const release = () => rmSync(lock, { recursive: true, force: true });
  process.on("exit", release);
  try {
    return await fn();
  } finally {
    release();
  }
}

function run(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const child = spawn("go", args, { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`go ${args[0]} exited with ${signal ?? code}`)),
    );
  });
}

function formatSeconds(ms) {
  return ms >= 60_000
    ? `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`
    : `${(ms / 1000).toFixed(1)}s`;
}

async function main() {
  const env = goEnv();
  const goVersion = checkGo(env);
  // `--only etcd,kubernetes,kwok` builds just those (the control plane alone, when helm and kustomize are not needed).
  const onlyArg = process.argv.indexOf("--only");
  const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? "").split(",").filter(Boolean) : undefined;
  const all = toolModules();
  const unknown = (only ?? []).filter((name) => !all.some((t) => t.name === name));
  if (unknown.length > 0) fail(`unknown module(s) ${unknown.join(", ")}; known: ${all.map((t) => t.name).join(", ")}`);
  const tools = only ? all.filter((t) => only.includes(t.name)) : all;
  const root = cacheRoot();
  const started = Date.now();
  const pending = tools.filter((t) => !existsSync(path.join(moduleDir(t), COMPLETE_MARKER)));
  if (pending.length === 0) {
    console.log(
      `cluster:build: all ${tools.length} modules cached in ${root} (${formatSeconds(Date.now() - started)})`,
    );
    return;
  }
  await withLock(root, async () => {
    for (const [i, tool] of tools.entries()) {
      const dir = moduleDir(tool);
      const label = `[${i + 1}/${tools.length}] ${tool.name} ${tool.version}`;
      if (existsSync(path.join(dir, COMPLETE_MARKER))) {
        console.log(`cluster:build: ${label}: cached`);
        continue;
      }
      const t0 = Date.now();
      console.log(
        `cluster:build: ${label}: building ${Object.keys(tool.commands).join(", ")} with ${goVersion} (a cold build takes minutes)`,
      );
      const tmp = `${dir}.partial-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      const ldflags = ["-s", "-w", ...tool.ldflags].join(" ");
      // One `go build` per command: the output name must not come from the package path (…/server/v3 would be "server").
      for (const [out, pkg] of Object.entries(tool.commands)) {
        await run(
          ["build", "-p", "2", "-trimpath", "-ldflags", ldflags, "-o", path.join(tmp, out), pkg],
          path.join(GOTOOLS_DIR, toolDir(tool)),
          env,
        );
      }
      if (tool.files) {
        const moduleSource = execFileSync("go", ["list", "-m", "-f", "{{.Dir}}", tool.module], {
          cwd: path.join(GOTOOLS_DIR, toolDir(tool)),
          env,
          encoding: "utf8",
        }).trim();
        for (const [out, files] of Object.entries(tool.files)) {
          writeFileSync(
            path.join(tmp, out),
            files.map((f) => readFileSync(path.join(moduleSource, f), "utf8").trim()).join("\n---\n") + "\n",
          );
        }
      }
      writeFileSync(
        path.join(tmp, "build.json"),
        JSON.stringify(
          { module: tool.module, version: tool.version, go: goVersion, builtAt: new Date().toISOString() },
          null,
          2,
        ),
      );
      writeFileSync(path.join(tmp, COMPLETE_MARKER), "");
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
      console.log(`cluster:build: ${label}: built in ${formatSeconds(Date.now() - t0)}`);
    }
  });
  console.log(`cluster:build: done in ${formatSeconds(Date.now() - started)}; binaries in ${root}`);
}

main().catch((e) => fail(e instanceof Error ? e.message : String(e)));
