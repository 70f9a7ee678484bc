import { randomBytes } from "node:crypto";
import { expect, type Browser, type Page } from "@playwright/test";

/** A short random suffix so each test's data is its own. */
export function uid(): string {
  return randomBytes(3).toString("hex");
}

/** Creates a user through the admin API (the page's own session) and returns a page signed in as that user. */
export async function signedInPageAs(browser: Browser, admin: Page, role: "viewer" | "deployer" | "approver" | "admin"): Promise<Page> {
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
