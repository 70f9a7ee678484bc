import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { findToolBinaries } from "../gotools/binaries.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The real control plane leg runs when its binaries are built (`npm run cluster:build`, needs Go), and must run when
// WHARF_REQUIRE_REAL_CLUSTER=1 (CI): then missing binaries fail the run in its globalSetup. Decided here, before the
// test files are collected: a globalSetup runs too late to take a project's files away.
const requireReal = process.env.WHARF_REQUIRE_REAL_CLUSTER === "1";
const missingReal = findToolBinaries().missing.filter((m) => ["etcd", "kubernetes", "kwok"].includes(m));
const realLeg = requireReal || missingReal.length === 0;
const selects = (project: string) =>
  !process.argv.some((a) => a.startsWith("--project")) || process.argv.some((a) => a.endsWith(project));
if (!realLeg && (selects("kube-real") || selects("integration-postgresql"))) {
  console.warn(
    `\n[wharf] *** real control plane leg SKIPPED: its binaries are not built (${missingReal.join(", ")}); kube-real does not run ` +
      "and integration-postgresql uses the sandbox. Run `npm run cluster:build` (needs Go ≥ 1.26). ***\n",
  );
}
// lib/render finds helm and kustomize on PATH: the ones `npm run cluster:build` built (pinned versions) come first,
// for the test processes and every child they start, whatever else the machine has installed.
const built = findToolBinaries().paths;
const renderTools = ["helm", "kustomize"].flatMap((name) => (built[name] ? [path.dirname(built[name])] : []));
if (renderTools.length > 0) process.env.PATH = [...renderTools, process.env.PATH ?? ""].join(path.delimiter);

const resolve = {
  alias: {
    "@": root,
    // Tests run data-layer code in plain Node, where `server-only` would throw; Next itself still enforces it.
    "server-only": path.join(root, "node_modules/server-only/empty.js"),
  },
};

// Test files often wait (on SQLite/PostgreSQL, git, helm, the API servers, a rollout's timeout), so more files than
// cores run at once; vitest's default (cores - 1) is one file at a time on a 2-core machine, which made the
// integration phase ~17 min. One more than the cores: on the idle 2-core machine the integration phase took 762 s with
// 3 files at once against 860 s with 2 (the CPU was 80–97 % busy with 2, idle while a file waited out a timeout).
// Files are written for this: each has its own database, sandbox and namespaces on the shared real control plane.
const workers = Number(process.env.WHARF_TEST_WORKERS) || availableParallelism() + 1;

// @kubernetes/client-node is ~1,000 ES modules, imported again by every isolated test file that reaches lib/kube at
// import time (the kube projects): bundled once per run by Vitest's dependency optimizer, a file imports one module.
// Measured on the idle 2-core machine: 8 kube files alternated 3 times, import 7.0–7.9 s with it against 11.1–11.6 s
// without; both kube projects (54 files) 213 s against 230 s, import 38 s against 68 s. The integration files reach
// lib/kube later, from inside tests: no measurable gain there, so they load the package as published, like Next, the
// agent and the CLI do.
const kubeDeps = { optimizer: { ssr: { enabled: true, include: ["@kubernetes/client-node"] } } };

export default defineConfig({
  root,
  resolve,
  test: {
    // A focused test must never pass CI silently.
    allowOnly: !process.env.CI,
    maxWorkers: workers,
    projects: [
      {
        resolve,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        resolve,
        // Kubernetes tests: lib/kube and the pull agent against the sandbox API server (and its own tests); no database.
        test: {
          name: "kube",
          deps: kubeDeps,
          include: ["tests/kube/**/*.test.ts"],
          // startRealCluster()'s own tests belong to the real leg.
          exclude: ["tests/kube/real-cluster.test.ts"],
          env: { WHARF_TEST_CLUSTER: "sandbox" },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        // The same suite against a real control plane (lib/kube/real-cluster), one for the whole run. The sandbox's own
        // tests do not apply there: sandbox-api and sandbox-client test its internals (store compaction, clock, throttle),
        // sandbox-kubectl what kubectl sees of a fresh sandbox of its own (its exact namespace list), sandbox-workloads its
        // simulator's kubelet events and event sweep. kubectl's behaviour against an API server (kubectl, kubectl-validation,
        // kubectl-workloads) runs on both legs.
        // Skipped loudly without the binaries (above), unless WHARF_REQUIRE_REAL_CLUSTER=1 (CI).
        test: {
          name: "kube-real",
          deps: kubeDeps,
          include: realLeg ? ["tests/kube/**/*.test.ts"] : [],
          exclude: ["tests/kube/sandbox-*.test.ts"],
          env: { WHARF_TEST_CLUSTER: "real" },
          globalSetup: ["tests/support/real-cluster-global-setup.ts"],
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
      {
        resolve,
        test: {
          name: "integration-sqlite",
          include: ["tests/integration/**/*.test.ts"],
          // Matrix: SQLite with the sandbox, PostgreSQL with the real control plane (ARCHITECTURE.md, "Test legs").
          env: { WHARF_TEST_DB: "sqlite", WHARF_TEST_CLUSTER: "sandbox" },
          globalSetup: ["tests/support/sqlite-global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        test: {
          name: "integration-postgresql",
          include: ["tests/integration/**/*.test.ts"],
          env: { WHARF_TEST_DB: "postgresql", WHARF_TEST_CLUSTER: realLeg ? "real" : "sandbox" },
          globalSetup: [
            "tests/support/postgres-global-setup.ts",
            ...(realLeg ? ["tests/support/real-cluster-global-setup.ts"] : []),
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
