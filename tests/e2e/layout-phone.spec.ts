import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { gotoHydrated, uid } from "./support";

test.describe("at 390 px (a phone)", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the header is one row with a Menu button; the menu opens, closes on Escape with focus back, and on navigation", async ({
    page,
  }) => {
    await gotoHydrated(page, "/targets");
    const header = page.locator("header");
    const menu = page.getByRole("button", { name: "Menu" });
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(menu).toBeVisible();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav).toBeHidden();
    // One row: the brand, the button and the account fit in what a single line of the header takes.
    const closed = (await header.boundingBox())!;
    expect(closed.height).toBeLessThan(70);
    const brand = (await page.getByRole("link", { name: "⚓ Wharf" }).boundingBox())!;
    const button = (await menu.boundingBox())!;
    const account = (await page.getByTestId("current-user").boundingBox())!;
    for (const box of [button, account])
      expect(Math.abs(box.y + box.height / 2 - (brand.y + brand.height / 2))).toBeLessThan(8);

    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await expect(nav).toBeVisible();
    expect(await menu.getAttribute("aria-controls")).toBe(await nav.getAttribute("id"));
    await expect(nav.getByRole("link", { name: "Targets" })).toHaveAttribute("aria-current", "page");
    await expect(nav.getByRole("link", { name: "API tokens" })).toBeVisible();

    // The links are the next Tab stops after the button; Escape from one of them closes and returns focus.
    await page.keyboard.press("Tab");
    await expect(nav.getByRole("link", { name: "Overview" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(nav).toBeHidden();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(menu).toBeFocused();

    // Following a link closes the menu on the new page.
    await menu.click();
    await nav.getByRole("link", { name: "Sync" }).click();
    await expect(page).toHaveURL(/\/sync$/);
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav).toBeHidden();
  });

  test("the first Tab focuses Skip to content, which moves focus to the main landmark", async ({ page }) => {
    await gotoHydrated(page, "/targets");
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("main")).toBeFocused();
    // The next Tab goes into the page, not back through the header.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest("main"))).toBe(true);
  });
});

test("at 1280 px the links show in the header with no Menu button", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await gotoHydrated(page, "/targets");
  await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API tokens" })).toBeVisible();
});

test("removing a pull repository asks to type the repository's name, not its branch", async ({ page }) => {
  const name = `e2e-remove-${uid()}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  // A real repository with one commit, as pull.spec.ts makes, so the agent syncs it cleanly if it gets there first.
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      stdio: "pipe",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "E2E",
        GIT_AUTHOR_EMAIL: "e2e@e2e.wharf",
        GIT_COMMITTER_NAME: "E2E",
        GIT_COMMITTER_EMAIL: "e2e@e2e.wharf",
      },
    });
  git("init", "-q", "-b", "main");
  fs.mkdirSync(path.join(dir, "deploy"));
  fs.writeFileSync(
    path.join(dir, "deploy", "config.yaml"),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  greeting: hello\n`,
  );
  git("add", ".");
  git("commit", "-q", "-m", `Add ${name}`);
  const repoName = path.basename(dir);

  await page.goto("/targets?q=web-staging");
  await page.getByRole("link", { name: "web-staging" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "web-staging" })).toBeVisible();
  await page.getByRole("button", { name: "Register repository" }).first().click();
  const form = page.getByRole("form", { name: "Register repository" });
  await expect(form.getByText("file:///path works only for a directory on the agent's own machine")).toBeVisible();
  await form.getByLabel("Git repository URL").fill(`file://${dir}`);
  await form.getByLabel("Branch").fill("main");
  await form.getByLabel("Path").fill("deploy");
  await form.getByRole("button", { name: "Register repository" }).click();
  const table = page.getByRole("table", { name: "Registered repositories" });
  const row = table.getByRole("row").filter({ hasText: repoName });
  await expect(row).toBeVisible();

  await row.getByRole("button", { name: "Remove" }).click();
  const dialog = page.getByRole("dialog", { name: "Stop syncing this repository?" });
  await expect(dialog.getByText(`Type ${repoName} to confirm`)).toBeVisible();
  const input = dialog.getByLabel(`Type ${repoName} to confirm`);
  await input.fill("main");
  await expect(dialog.getByRole("button", { name: "Remove repository" })).toBeDisabled();
  await input.fill(repoName);
  await dialog.getByRole("button", { name: "Remove repository" }).click();
  await expect(row).toHaveCount(0);
  fs.rmSync(dir, { recursive: true, force: true });
});
