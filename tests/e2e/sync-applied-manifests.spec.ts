import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { gotoHydrated, signedInPageAs, uid } from "./support";

test("an approver opens a sync's record from the history and downloads what the agent applied; a viewer sees the digest only", async ({
  browser,
  page,
}) => {
  // A real sync by the demo agent (npm start), and two people signing in on a busy machine.
  test.setTimeout(240_000);
  const name = `e2e-record-${uid()}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wharf-e2e-${name}-`));
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Record Author",
        GIT_AUTHOR_EMAIL: "record@e2e.wharf",
        GIT_COMMITTER_NAME: "Record Author",
        GIT_COMMITTER_EMAIL: "record@e2e.wharf",
      },
      stdio: "pipe",
    })
      .toString()
      .trim();
  git("init", "-q", "-b", "main");
  fs.mkdirSync(path.join(dir, "deploy"));
  fs.writeFileSync(
    path.join(dir, "deploy", "config.yaml"),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  greeting: "héllo"\n`,
  );
  git("add", ".");
  git("commit", "-q", "-m", `Record ${name}`);
  const sha = git("rev-parse", "HEAD");

  // web-staging is the seeded pull target (no approvals) that the demo agent serves.
  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const targets = await page.request.get("/api/targets?q=web-staging");
  const target = ((await targets.json()) as { items: { id: string; name: string }[] }).items.find(
    (t) => t.name === "web-staging",
  );
  const registered = await page.request.post(`/api/targets/${target!.id}/repos`, {
    data: { url: `file://${dir}`, branch: "main", path: "deploy", pollIntervalSeconds: 5 },
    headers: { origin },
  });
  expect(registered.status(), await registered.text()).toBe(201);
  const repoId = ((await registered.json()) as { id: string }).id;
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/sync-events?repoId=${repoId}&result=synced`);
        const items = ((await res.json()) as { items: { revision: { sha: string } | null; manifests: unknown }[] })
          .items;
        return items.some((e) => e.revision?.sha === sha && e.manifests !== null);
      },
      { timeout: 60_000 },
    )
    .toBe(true);

  const approver = await signedInPageAs(browser, page, "approver");
  await gotoHydrated(approver, `/sync?repoId=${repoId}`);
  await approver.getByTestId("sync-event-row").first().getByTestId("sync-event-link").click();
  await expect(approver).toHaveURL(/\/sync\/[0-9a-f-]{36}$/);
  const record = approver.getByTestId("sync-event-record");
  await expect(record).toContainText("web-staging");
  await expect(approver.getByTestId("sync-event-revision")).toContainText(sha);
  const digest = (await approver.getByTestId("sync-applied-manifests-sha256").textContent())!.trim();
  expect(digest).toMatch(/^[0-9a-f]{64}$/);
  const eventId = approver.url().split("/").pop()!;
  const [download] = await Promise.all([
    approver.waitForEvent("download"),
    approver.getByRole("link", { name: /Download applied manifests/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`${eventId}-${digest.slice(0, 12)}\\.yaml$`));
  const file = await readFile((await download.path())!);
  // The file is what the digest names, and it is what the agent applied: the commit's ConfigMap.
  expect(createHash("sha256").update(file).digest("hex")).toBe(digest);
  expect(file.toString("utf8")).toContain(`name: ${name}`);
  expect(file.toString("utf8")).toContain("héllo");

  const viewer = await signedInPageAs(browser, page, "viewer");
  await gotoHydrated(viewer, `/sync/${eventId}`);
  await expect(viewer.getByTestId("sync-applied-manifests-sha256")).toHaveText(digest);
  await expect(viewer.getByRole("link", { name: /Download applied manifests/ })).toHaveCount(0);
  const refused = await viewer.request.get(`/api/sync-events/${eventId}/manifests`);
  expect(refused.status()).toBe(403);
});
