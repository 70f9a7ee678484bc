import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, type Browser, type Page } from "@playwright/test";
import { HYDRATED_MARK } from "@/lib/utils";

/** A short random suffix so each test's data is its own. */
export function uid(): string {
  return randomBytes(3).toString("hex");
}

/** Creates a user through the admin API (the page's own session) and returns a page signed in as that user. */
export async function signedInPageAs(
  browser: Browser,
  admin: Page,
  role: "viewer" | "deployer" | "approver" | "admin",
): Promise<Page> {
  if (!admin.url().startsWith("http")) await admin.goto("/");
  const email = `${role}-${uid()}@e2e.wharf`;
  const password = `pw-${randomBytes(12).toString("hex")}`;
  const res = await admin.request.post("/api/users", {
    data: { email, name: `E2E ${role}`, role, password },
    headers: { origin: new URL(admin.url()).origin },
  });
  expect(res.status(), await res.text()).toBe(201);
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText(`${email} · ${role}`);
  return page;
}

/** An unsigned JWT-shaped token (header.payload.signature) with the given expiry, like a ServiceAccount token. */
export function fakeJwt(expiresAt: Date, sub = "system:serviceaccount:ci:deployer"): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "RS256", kid: "e2e" })}.${b64({ sub, iat: now, exp: Math.floor(expiresAt.getTime() / 1000) })}.${randomBytes(32).toString("base64url")}`;
}

/** A self-signed certificate and key made by openssl, as a cluster CA or a client certificate. */
export function opensslCert(cn: string): { certPem: string; keyPem: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-e2e-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "30",
        "-subj",
        `/CN=${cn}`,
        "-keyout",
        path.join(dir, "k.pem"),
        "-out",
        path.join(dir, "c.pem"),
      ],
      { stdio: "ignore" },
    );
    return {
      certPem: fs.readFileSync(path.join(dir, "c.pem"), "utf8"),
      keyPem: fs.readFileSync(path.join(dir, "k.pem"), "utf8"),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Opens a page and waits until React has hydrated it: a select changed or a button clicked on the server-rendered
 * HTML before hydration is reset or lost when React takes over.
 */
export async function gotoHydrated(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, HYDRATED_MARK);
}
