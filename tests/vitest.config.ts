import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const resolve = {
  alias: {
    "@": root,
    // Tests run data-layer code in plain Node, where `server-only` would throw; Next itself still enforces it.
    "server-only": path.join(root, "node_modules/server-only/empty.js"),
  },
};

export default defineConfig({
  root,
  resolve,
  test: {
    // A focused test must never pass CI silently.
    allowOnly: !process.env.CI,
    projects: [
      {
        resolve,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        resolve,
        // Kubernetes tests: the sandbox API server, lib/kube and the pull agent against it; no database.
        test: { name: "kube", include: ["tests/kube/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        resolve,
        test: {
          name: "integration-sqlite",
          include: ["tests/integration/**/*.test.ts"],
          env: { WHARF_TEST_DB: "sqlite" },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        test: {
          name: "integration-postgresql",
          include: ["tests/integration/**/*.test.ts"],
          env: { WHARF_TEST_DB: "postgresql" },
          globalSetup: ["tests/support/postgres-global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
