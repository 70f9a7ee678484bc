import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { uid } from "./support";

/** A real Git repository on disk with one commit: a ConfigMap for the demo pull target's namespace. */
function makeRepo(name: string, message: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wharf-e2e-repo-${name}-`));
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "E2E Dev",
        GIT_AUTHOR_EMAIL: "dev@e2e.wharf",
        GIT_COMMITTER_NAME: "E2E Dev",
        GIT_COMMITTER_EMAIL: "dev@e2e.wharf",
      },
      stdio: "pipe",
    });
  git("init", "-q", "-b", "main");
  fs.mkdirSync(path.join(dir, "deploy"));
  fs.writeFileSync(
    path.join(dir, "deploy", "config.yaml"),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  greeting: hello\n`,
  );
  git("add", ".");
  git("commit", "-q", "-m", message);
  return dir;
}

test("an admin registers a repository in the UI and sees it synced in the history without reloading", async ({
  page,
  context,
}) => {
  const name = `e2e-pull-${uid()}`;
  const message = `Add ${name}`;
  const repo = makeRepo(name, message);

  // The history is open in another tab before the repository exists; it must update by itself.
  const history = await context.newPage();
  await history.goto("/sync");
  await expect(history.getByRole("heading", { level: 1 })).toBeVisible();

  // web-staging is the seeded pull target that the demo agent (started by npm start) serves.
  await page.goto("/targets?q=web-staging");
  await page.getByRole("link", { name: "web-staging" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "web-staging" })).toBeVisible();

  await page.getByRole("button", { name: "Register repository" }).first().click();
  const form = page.getByRole("form", { name: "Register repository" });
  await form.getByLabel("Git repository URL").fill(`file://${repo}`);
  await form.getByLabel("Branch").fill("main");
  await form.getByLabel("Path").fill("deploy");
  await form.getByLabel("Poll interval (seconds)").fill("5");
  await form.getByRole("button", { name: "Register repository" }).click();
  await expect(page.getByRole("table", { name: "Registered repositories" })).toContainText(path.basename(repo));

  const row = history.getByRole("table", { name: "Sync history" }).getByRole("row").filter({ hasText: message });
  await expect(row.first()).toBeVisible({ timeout: 45_000 });
  await expect(row.first()).toContainText("synced");
  await expect(row.first()).toContainText("registered");
  fs.rmSync(repo, { recursive: true, force: true });
});
