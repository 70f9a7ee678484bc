import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated, signedInPageAs, uid } from "./support";

// Issue 15, Must 4, in Chromium: a pull application's revision live in staging (web-staging, no approvals) is
// promoted to prod (edge-prod, one approval) from the environments matrix; another user approves it, the demo agent
// (npm start serves both demo pull targets) pins and syncs it, and the prod cell shows the same commit live.

/** A real Git repository on disk with one folder per environment, each a ConfigMap; returns its commit. */
function makeRepo(name: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wharf-e2e-promote-${name}-`));
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Promote Author",
        GIT_AUTHOR_EMAIL: "promote@e2e.wharf",
        GIT_COMMITTER_NAME: "Promote Author",
        GIT_COMMITTER_EMAIL: "promote@e2e.wharf",
      },
      stdio: "pipe",
    })
      .toString()
      .trim();
  git("init", "-q", "-b", "main");
  for (const env of ["staging", "prod"]) {
    fs.mkdirSync(path.join(dir, "envs", env), { recursive: true });
    fs.writeFileSync(
      path.join(dir, "envs", env, "config.yaml"),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  environment: ${env}\n`,
    );
  }
  git("add", ".");
  git("commit", "-q", "-m", `First ${name}`);
  return { dir, sha: git("rev-parse", "HEAD") };
}

async function targetId(page: Page, name: string): Promise<string> {
  const res = await page.request.get(`/api/targets?q=${name}`);
  const hit = ((await res.json()) as { items: { id: string; name: string }[] }).items.find((t) => t.name === name);
  expect(hit, name).toBeDefined();
  return hit!.id;
}

async function createPullApplication(page: Page, name: string, target: string, url: string, folder: string) {
  const res = await page.request.post("/api/applications", {
    data: {
      name,
      targetId: await targetId(page, target),
      source: { kind: "git", repoUrl: url, ref: "main", path: folder },
    },
    headers: { origin: new URL(page.url()).origin },
  });
  expect(res.status(), await res.text()).toBe(201);
}

test("promote staging to prod from the environments matrix: a second user approves, and prod runs staging's commit", async ({
  browser,
  page,
}) => {
  test.setTimeout(240_000);
  // "a-…" sorts before the demo's and other specs' applications, so the row is on the matrix's first page.
  const name = `a-promote-${uid()}`;
  const repo = makeRepo(name);
  await gotoHydrated(page, "/environments");
  await createPullApplication(page, name, "web-staging", `file://${repo.dir}`, "envs/staging");
  await createPullApplication(page, name, "edge-prod", `file://${repo.dir}`, "envs/prod");

  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name }) });
  const staging = row.getByTestId("matrix-entry").filter({ hasText: "web-staging" });
  const prod = row.getByTestId("matrix-entry").filter({ hasText: "edge-prod" });
  // Staging needs no approval: its agent syncs the branch head. Prod's head waits for an approval, nothing live.
  await expect(async () => {
    await page.reload();
    await expect(staging).toContainText(repo.sha.slice(0, 10), { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(prod).toContainText("nothing live yet");

  // The dialog says what changes in prod, from → to, and that prod's rule decides.
  await row.getByRole("button", { name: "Promote to edge-prod" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`Promote ${name} to edge-prod?`);
  await expect(dialog).toContainText("approval rule of edge-prod");
  await expect(dialog.getByTestId("promote-current")).toHaveText("nothing yet");
  await expect(dialog.getByTestId("promote-next")).toContainText(repo.sha.slice(0, 10));
  await dialog.getByLabel("Reason").fill(`Ship ${name} to prod`);
  await dialog.getByRole("button", { name: "Request promotion" }).click();
  await expect(dialog.getByRole("status")).toContainText("is awaiting approval");
  const requestHref = await dialog.getByRole("link", { name: "request on edge-prod" }).getAttribute("href");
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(prod).toContainText("awaiting approval");

  // Someone else approves (the requester may not).
  const approver = await signedInPageAs(browser, page, "approver");
  await gotoHydrated(approver, requestHref ?? "");
  await expect(approver.getByTestId("deployment-state").first()).toHaveText("pending approval");
  // What it changes in prod, dry-run by edge-prod's agent before anyone approves: the ConfigMap is created.
  await expect(approver.getByTestId("preview-counts")).toContainText("1 create", { timeout: 60_000 });
  await expect(
    approver.getByTestId("preview-counts").locator("xpath=..").getByText(name, { exact: true }),
  ).toBeVisible();
  await approver.getByRole("button", { name: /^Approve/ }).click();
  await expect(approver.getByTestId("deployment-state").first()).not.toHaveText("pending approval");

  // The agent is pinned to it and syncs it: prod's cell runs staging's commit, no longer differing.
  await expect(async () => {
    await page.reload();
    await expect(prod).toContainText(repo.sha.slice(0, 10), { timeout: 2_000 });
    await expect(prod).toContainText("succeeded", { timeout: 2_000 });
  }).toPass({ timeout: 90_000 });
  await expect(prod).not.toHaveAttribute("data-differs", "true");
  await approver.reload();
  await expect(approver.getByTestId("deployment-state").first()).toHaveText("succeeded");
  fs.rmSync(repo.dir, { recursive: true, force: true });
});
