#!/usr/bin/env node
// First step of `npm test`: make sure the machine has what the suite needs, so a fresh checkout fails at once with one
// line instead of deep inside a test. Installs missing Debian packages when it can (root with apt-get), otherwise names
// them; builds the real control plane's binaries when Go is present (cached: seconds when nothing changed).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PATH_DIRS = (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(path.delimiter);

function onPath(command) {
  return PATH_DIRS.some((dir) => dir && existsSync(path.join(dir, command)));
}

function stop(line) {
  console.error(`[preflight] ${line}`);
  process.exit(1);
}

/** Debian package → whether it is needed (each check is what the tests themselves run). */
function missingPackages() {
  const need = [];
  if (!existsSync("/usr/bin/chromium")) need.push("chromium"); // Playwright's executablePath
  if (!existsSync("/usr/bin/docker-registry")) need.push("docker-registry"); // tests/support/registry.ts
  if (!onPath("git")) need.push("git"); // the git server and the agent
  // Some images ship their own /usr/bin/kubectl, which Debian's kubernetes-client conflicts with: only when absent.
  if (!existsSync("/usr/bin/kubectl")) need.push("kubernetes-client");
  return need;
}

function installPackages(need) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !onPath("apt-get")) {
    stop(
      `npm test needs these Debian packages: ${need.join(" ")} — install them (apt-get install ${need.join(" ")}) and run it again.`,
    );
  }
  console.log(`[preflight] installing: ${need.join(" ")}`);
  const env = { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-q"],
    ["install", "-y", "-q", "--no-install-recommends", ...need],
  ]) {
    const result = spawnSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"], env });
    if (result.status !== 0)
      stop(`apt-get ${args[0]} failed (exit ${result.status ?? result.signal}); install ${need.join(" ")} by hand.`);
  }
}

function hasGo() {
  try {
    execFileSync("go", ["version"], {
      stdio: "ignore",
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    });
    return true;
  } catch {
    return false;
  }
}

/** The tools the test suite needs: the control plane and its fake node, and lib/render's helm and kustomize. */
const TEST_CLUSTER_MODULES = "etcd,kubernetes,kwok,helm,kustomize";

function buildCluster() {
  if (!hasGo()) {
    if (process.env.WHARF_REQUIRE_REAL_CLUSTER === "1")
      stop("WHARF_REQUIRE_REAL_CLUSTER=1 but there is no Go (≥ 1.26) to build the real control plane.");
    console.warn(
      "[preflight] no Go on PATH: the real control plane leg will be SKIPPED (install Go ≥ 1.26 to run it).",
    );
    return;
  }
  // build.mjs prints its own progress and fails with one line of its own. helm builds in the kubernetes module and
  // reuses its compiled k8s.io packages; kustomize is a small module of its own.
  const result = spawnSync(process.execPath, [path.join(root, "gotools/build.mjs"), "--only", TEST_CLUSTER_MODULES], {
    stdio: "inherit",
  });
  if (result.status !== 0) stop("building the real control plane failed (above); `npm run cluster:build` repeats it.");
}

try {
  const need = missingPackages();
  if (need.length > 0) installPackages(need);
  buildCluster();
} catch (e) {
  stop(`unexpected failure: ${e instanceof Error ? e.message : String(e)}`);
}
