import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { uid } from "./support";

/** A real Git repository on disk whose `commit` adds one commit (a ConfigMap for the demo pull target) and returns its SHA. */
function makeRepo(name: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wharf-e2e-pin-${name}-`));
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Pin Author",
        GIT_AUTHOR_EMAIL: "pin@e2e.wharf",
        GIT_COMMITTER_NAME: "Pin Author",
        GIT_COMMITTER_EMAIL: "pin@e2e.wharf",
      },
      stdio: "pipe",
    })
      .toString()
      .trim();
  git("init", "-q", "-b", "main");
  fs.mkdirSync(path.join(dir, "deploy"));
  const commit = (greeting: string, message: string) => {
    fs.writeFileSync(
      path.join(dir, "deploy", "config.yaml"),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  greeting: ${greeting}\n`,
    );
    git("add", ".");
    git("commit", "-q", "-m", message);
    return git("rev-parse", "HEAD");
  };
  return { dir, commit };
}

const historyRow = (page: Page, message: string) =>
  page.getByRole("table", { name: "Sync history" }).getByRole("row").filter({ hasText: message }).first();

async function repoApi(page: Page, repoId: string) {
  const res = await page.request.get(`/api/repos/${repoId}`);
  expect(res.ok()).toBe(true);
  return (await res.json()) as { pinnedRevision: string | null };
}

test("rolling back from the sync history and unpinning both ask first, say what changes, and show the pin as commits behind", async ({
  page,
}) => {
  test.setTimeout(240_000);
  const name = `e2e-pin-${uid()}`;
  const repo = makeRepo(name);
  const m1 = `First ${name}`;
  const m2 = `Second ${name}`;
  const m3 = `Third ${name}`;
  const c1 = repo.commit("one", m1);

  // web-staging is the seeded pull target (no approvals) that the demo agent (started by npm start) serves.
  await page.goto("/targets?q=web-staging");
  await page.getByRole("link", { name: "web-staging" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "web-staging" })).toBeVisible();
  const targetUrl = page.url();
  await page.getByRole("button", { name: "Register repository" }).first().click();
  const form = page.getByRole("form", { name: "Register repository" });
  await form.getByLabel("Git repository URL").fill(`file://${repo.dir}`);
  await form.getByLabel("Branch").fill("main");
  await form.getByLabel("Path").fill("deploy");
  await form.getByLabel("Poll interval (seconds)").fill("5");
  await form.getByRole("button", { name: "Register repository" }).click();
  const repos = page.getByRole("table", { name: "Registered repositories" });
  const repoRow = repos.getByRole("row").filter({ hasText: path.basename(repo.dir) });
  await expect(repoRow).toBeVisible();
  const historyHref = await repoRow.getByRole("link", { name: "History" }).getAttribute("href");
  const repoId = new URL(historyHref ?? "", "http://x").searchParams.get("repoId") ?? "";
  expect(repoId).not.toBe("");
  await expect(repoRow).toContainText("In sync", { timeout: 45_000 });

  // Two more commits on main, each synced by the agent (polling every 5 s) before the next.
  await page.goto(historyHref ?? "");
  repo.commit("two", m2);
  await expect(historyRow(page, m2)).toContainText("synced", { timeout: 45_000 });
  const c3 = repo.commit("three", m3);
  await expect(historyRow(page, m3)).toContainText("synced", { timeout: 45_000 });
  await expect(historyRow(page, m1)).toBeVisible();

  // The live row offers no rollback; older ones do.
  await expect(historyRow(page, m3).getByRole("button", { name: "Roll back to this" })).toHaveCount(0);
  await expect(historyRow(page, m3)).toContainText("running now");
  const rollback = historyRow(page, m1).getByRole("button", { name: "Roll back to this" });
  await expect(rollback).toBeVisible();

  // Keyboard: the button opens the dialog with Enter; it names both revisions and what stops; Escape cancels.
  await rollback.focus();
  await page.keyboard.press("Enter");
  let dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("pin-from")).toContainText(m3);
  await expect(dialog.getByTestId("pin-from")).toContainText(c3.slice(0, 10));
  await expect(dialog.getByTestId("pin-from")).toContainText("Pin Author");
  await expect(dialog.getByTestId("pin-to")).toContainText(m1);
  await expect(dialog.getByTestId("pin-to")).toContainText(c1.slice(0, 10));
  await expect(dialog.getByTestId("pin-distance")).toContainText("2 commits back");
  await expect(dialog).toContainText("stops following main until the repository is unpinned");
  await expect(dialog).not.toContainText("approval");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(rollback).toBeFocused();
  // Cancel, too, changes nothing.
  await rollback.click();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect((await repoApi(page, repoId)).pinnedRevision).toBeNull();

  // Confirming pins c1; the agent rolls back to it.
  await rollback.click();
  dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Roll back", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: "Pinned" })).toBeVisible();
  expect((await repoApi(page, repoId)).pinnedRevision).toContain(c1);
  await expect(historyRow(page, m1)).toContainText("rollback", { timeout: 45_000 });

  // The target's status reads pinned and behind, not "In sync".
  await page.goto(targetUrl);
  await expect(repoRow.getByTestId("pinned-state")).toHaveText("Pinned, 2 commits behind main", { timeout: 45_000 });
  await expect(repoRow).not.toContainText("In sync");

  // Unpin asks first, naming the branch head it moves to; at 390 px the dialog fits the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const unpin = repoRow.getByRole("button", { name: "Unpin" });
  await unpin.click();
  dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("pin-to")).toContainText(m3);
  await expect(dialog.getByTestId("pin-to")).toContainText(c3.slice(0, 10));
  await expect(dialog.getByTestId("pin-distance")).toContainText("2 commits ahead");
  const box = await dialog.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect((await repoApi(page, repoId)).pinnedRevision).toContain(c1);

  await unpin.click();
  await page.getByRole("dialog").getByRole("button", { name: "Unpin and follow main" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect.poll(async () => (await repoApi(page, repoId)).pinnedRevision).toBeNull();
  await expect(repoRow).toContainText("In sync", { timeout: 45_000 });
  await expect(repoRow.getByTestId("pinned-state")).toHaveCount(0);
  fs.rmSync(repo.dir, { recursive: true, force: true });
});
