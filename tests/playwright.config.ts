import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.WHARF_E2E_PORT ?? 3100);
const dataDir = path.join(root, "tests/.artifacts/e2e-data");
export const E2E_ADMIN = { email: "admin@e2e.wharf", password: "e2e-admin-password-123" };
/** The test OpenID provider (tests/support/oidc-provider-cli.ts) the e2e Wharf offers as "Sign in with E2E IdP". */
export const E2E_OIDC = { port: port + 344, name: "E2E IdP", clientSecret: "e2e-oidc-client-secret" };

// Debian's Chromium is the browser here (no browser downloads); elsewhere fall back to Playwright's own build.
const debianChromium = "/usr/bin/chromium";
const executablePath = process.env.WHARF_CHROMIUM ?? (fs.existsSync(debianChromium) ? debianChromium : undefined);

export default defineConfig({
  testDir: path.join(root, "tests/e2e"),
  outputDir: path.join(root, "test-results"),
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { outputFolder: path.join(root, "playwright-report"), open: "never" }]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "on-first-retry",
    screenshot: "only-on-failure",
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "chromium",
      use: { ...devices["Desktop Chrome"], storageState: path.join(root, "tests/.artifacts/admin.json") },
      dependencies: ["setup"],
    },
  ],
  webServer: [
    {
      command: `npx tsx tests/support/oidc-provider-cli.ts ${E2E_OIDC.port} http://localhost:${port}/api/auth/oidc/callback ${E2E_OIDC.clientSecret}`,
      cwd: root,
      url: `http://127.0.0.1:${E2E_OIDC.port}/.well-known/openid-configuration`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
    },
    {
      // A throw-away Wharf on its own SQLite file, started exactly as users start it.
      command: `rm -rf "${dataDir}" && npm start`,
      cwd: root,
      url: `http://localhost:${port}/api/health`,
      timeout: 600_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        PORT: String(port),
        DATABASE_URL: `file:${path.join(dataDir, "wharf.db")}`,
        WHARF_DATA_DIR: dataDir,
        WHARF_ADMIN_EMAIL: E2E_ADMIN.email,
        WHARF_ADMIN_PASSWORD: E2E_ADMIN.password,
        WHARF_PUBLIC_URL: `http://localhost:${port}`,
        WHARF_SEED_DEMO: "true",
        WHARF_SANDBOX_PORT: String(port + 343),
        WHARF_OIDC_ISSUER: `http://127.0.0.1:${E2E_OIDC.port}`,
        WHARF_OIDC_CLIENT_ID: "wharf-test",
        WHARF_OIDC_CLIENT_SECRET: E2E_OIDC.clientSecret,
        WHARF_OIDC_ROLE_MAP: "platform-admins=admin,release-approvers=approver,devs=deployer",
        WHARF_OIDC_DISPLAY_NAME: E2E_OIDC.name,
        // The scope sweeper would add credential.decrypted rows at its own pace; the access log tests count them.
        WHARF_SCOPE_CHECK_INTERVAL: "off",
        // pull.spec.ts registers file:// repositories it makes under the temp directory; the demo agent may read them.
        WHARF_GIT_LOCAL_ROOTS: os.tmpdir(),
      },
    },
  ],
});
