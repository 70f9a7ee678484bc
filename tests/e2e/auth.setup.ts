import path from "node:path";
import { expect, test as setup } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";

const artifacts = path.resolve(import.meta.dirname, "../.artifacts");

setup("admin signs in through the sign-in page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect" })).toBeVisible();

  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText(`${E2E_ADMIN.email} · admin`);
  await page.context().storageState({ path: path.join(artifacts, "admin.json") });
});
