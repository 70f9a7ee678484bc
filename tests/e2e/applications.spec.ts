import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { HELM_CHART } from "../support/render-fixtures";
import { signedInPageAs, uid } from "./support";

// The seeded demo push target with the strictest rule: two approvals from approvers, the requester may not approve.
const TARGET = "payments-prod";

/** A real Git repository on disk (under the temp directory, which the e2e Wharf may read) holding a Helm chart. */
function chartRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-e2e-chart-"));
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
  for (const [file, content] of Object.entries(HELM_CHART)) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  git("add", ".");
  git("commit", "-q", "-m", "Add the web chart");
  return dir;
}

/** Fails when the page scrolls sideways (the layout is wider than the viewport). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `page is ${scrollWidth} px wide in a ${clientWidth} px viewport`).toBeLessThanOrEqual(
    clientWidth,
  );
}

test("a deployer creates an application from a Helm chart folder, deploys it, two approvers approve, and it succeeds", async ({
  browser,
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const name = `web-${uid()}`;
  const release = `rel-${uid()}`;
  const repo = chartRepo();
  const deployer = await signedInPageAs(browser, page, "deployer");
  const approvers = [await signedInPageAs(browser, page, "approver"), await signedInPageAs(browser, page, "approver")];

  await deployer.goto("/applications");
  await deployer.getByRole("link", { name: "New application" }).click();
  await expect(deployer.getByRole("heading", { level: 1, name: "New application" })).toBeVisible();

  // Mistakes are shown at their inputs, before anything is sent: a name that is no DNS label, values that are no YAML.
  await deployer.getByLabel("Name", { exact: true }).fill("Web_App");
  await deployer.getByLabel("Target").selectOption({ label: `${TARGET} — prod, push` });
  await expect(deployer.getByText(/Deploys need 2 approvals from approvers or admins/)).toBeVisible();
  await deployer.getByLabel("Repository URL").fill(`file://${repo}`);
  await deployer.getByLabel("Path", { exact: true }).fill("charts/web");
  await deployer.getByLabel("Render as").selectOption("helm");
  await deployer.getByLabel("Release name").fill(release);
  await deployer.getByLabel("Values files").fill("values-prod.yaml");
  await deployer.getByLabel("Inline values").fill("color: [green");
  await deployer.getByRole("button", { name: "Create application" }).click();
  await expect(deployer.getByText(/^The values are not valid YAML or JSON: .*line 1/)).toBeVisible();
  await deployer.getByLabel("Inline values").fill("color: green");
  await deployer.getByRole("button", { name: "Create application" }).click();
  await expect(deployer.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(deployer).toHaveURL(/\/applications\/new$/);

  await deployer.getByLabel("Name", { exact: true }).fill(name);
  await deployer.getByRole("button", { name: "Create application" }).click();
  await expect(deployer).toHaveURL(/\/applications\/(?!new$)[^/]+$/);
  const appUrl = deployer.url().replace(/\?.*$/, "");
  await expect(deployer.getByRole("heading", { level: 1, name })).toBeVisible();
  // The result of the form is where the focus goes.
  await expect(deployer.getByText(`Created ${name}. Deploy requests a deployment of its newest commit.`)).toBeFocused();
  await expect(deployer.getByText("Helm chart")).toBeVisible();
  await expect(deployer.getByText("Not deployed yet")).toBeVisible();

  // Deploy: the request renders the chart with the application's options and opens the deployment with its preview.
  await deployer.getByRole("button", { name: "Deploy" }).click();
  const dialog = deployer.getByRole("dialog", { name: `Deploy ${name} to ${TARGET}` });
  await expect(dialog).toContainText("Deploys need 2 approvals");
  await dialog.getByLabel("Reason").fill(`Ship ${name}`);
  await dialog.getByRole("button", { name: "Request deployment" }).click();
  await expect(deployer).toHaveURL(/\/deployments\/[a-z0-9]+$/, { timeout: 30_000 });
  const deploymentUrl = deployer.url();
  await expect(deployer.getByTestId("deployment-state").first()).toHaveText("pending approval");
  await expect(deployer.getByTestId("preview-counts")).toContainText("1 create");
  // Rendered with the application's release name, its values file and its inline values.
  const object = deployer.getByRole("button", { name: new RegExp(`ConfigMap\\s*${release}-config`) });
  await object.click();
  const preview = deployer.getByRole("listitem").filter({ has: object });
  await expect(preview).toContainText("hello from prod");
  await expect(preview).toContainText("green");

  // Two distinct approvers approve; the requester may not.
  await expect(deployer.getByRole("button", { name: /^Approve/ })).toHaveCount(0);
  for (const [i, approver] of approvers.entries()) {
    await approver.goto(deploymentUrl);
    await approver.getByLabel("Comment").fill(`Approval ${i + 1}`);
    await approver.getByRole("button", { name: /^Approve/ }).click();
    await expect(approver.getByText(`“Approval ${i + 1}”`)).toBeVisible();
  }

  await expect(deployer.getByTestId("deployment-state").first()).toHaveText("succeeded", { timeout: 90_000 });
  await deployer.screenshot({ path: testInfo.outputPath("application-deployment-succeeded.png"), fullPage: true });

  // The application's timeline lists the deployment as succeeded (after its two approvals), and links to it.
  await deployer.goto(appUrl);
  const recent = deployer.getByRole("list", { name: "Timeline" });
  await expect(recent.getByTestId("deployment-state")).toHaveText("succeeded");
  await expect(recent.getByRole("link").first()).toHaveAttribute("href", new URL(deploymentUrl).pathname);
  // "All deployments" is the deployments list narrowed to this application, and says so.
  await deployer.getByRole("link", { name: "All deployments" }).click();
  await expect(deployer.getByTestId("filter-chip-application")).toContainText(`application: ${name} on ${TARGET}`);
  await expect(deployer.getByRole("table", { name: "Deployments" })).toContainText(`Ship ${name}`);
  await deployer.goto(appUrl);

  // A values change on this gated target is confirmed first, saying the next deployment waits for approval.
  await deployer.getByRole("button", { name: "Edit settings" }).click();
  await deployer.getByLabel("Inline values").fill("color: red");
  await deployer.getByRole("button", { name: "Save settings" }).click();
  const confirm = deployer.getByRole("dialog", { name: "This change needs approval" });
  await expect(confirm).toContainText(`the next deployment of ${name} renders the new source`);
  await confirm.getByRole("button", { name: "Save the change" }).click();
  await expect(deployer.getByText(/^Saved\. Nothing running changed/)).toBeFocused();
  await expect(deployer.getByText('"color": "red"')).toBeVisible();

  // Deleting says what stays; the objects it applied are left in the cluster.
  await deployer.getByRole("button", { name: "Delete" }).click();
  const del = deployer.getByRole("dialog", { name: `Delete ${name} from ${TARGET}?` });
  await expect(del).toContainText("The objects it applied stay in the cluster as they are");
  await del.getByRole("button", { name: "Delete application" }).click();
  await expect(deployer).toHaveURL(/\/applications$/);
  await expect(deployer.getByRole("link", { name, exact: true })).toHaveCount(0);
  // Its deployments stay.
  await deployer.goto(deploymentUrl);
  await expect(deployer.getByTestId("deployment-state").first()).toHaveText("succeeded");
});

/** Creates an application through the API (the page's own session) on the named demo target; returns its id. */
async function createApplication(page: Page, targetName: string, body: Record<string, unknown>): Promise<string> {
  const targets = await page.request.get(`/api/targets?q=${targetName}`);
  const target = ((await targets.json()) as { items: { id: string; name: string }[] }).items.find(
    (t) => t.name === targetName,
  );
  expect(target, targetName).toBeDefined();
  const created = await page.request.post("/api/applications", {
    headers: { origin: new URL(page.url()).origin },
    data: { ...body, targetId: target!.id },
  });
  expect(created.status(), await created.text()).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

test("the application pages fit a phone: no sideways scroll at 390 px, push and pull", async ({ page }, testInfo) => {
  // Its own applications, with long values, through the API.
  await page.goto("/applications");
  const longRepo = "https://git.example.com/a-team-with-a-long-name/a-repository-with-an-even-longer-name.git";
  const push = await createApplication(page, "shop-dev", {
    name: `phone-${uid()}`,
    source: { kind: "git", repoUrl: longRepo, ref: "main", path: "deploy/charts/a-chart-folder-whose-name-goes-on" },
    renderOptions: {
      kind: "helm",
      helm: { valuesFiles: ["values-production-europe-west.yaml"], values: { image: { tag: "1.2.3" } } },
    },
  });
  const pull = await createApplication(page, "web-staging", {
    name: `phone-pull-${uid()}`,
    source: { kind: "git", repoUrl: longRepo, ref: "main", path: "deploy/overlays/staging" },
    renderOptions: { kind: "kustomize" },
    selfHeal: false,
    driftInterval: 300,
  });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/applications/new");
  await expect(page.getByRole("heading", { level: 1, name: "New application" })).toBeVisible();
  await page.getByLabel("Render as").selectOption("helm");
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: testInfo.outputPath("new-application-390.png"), fullPage: true });
  // A pull target's application is Git only, with self-heal and a drift interval.
  await page.getByLabel("Target").selectOption({ label: "web-staging — staging, pull" });
  await expect(page.getByRole("radio")).toHaveCount(0);
  await expect(page.getByLabel("Self-heal")).toBeChecked();
  await expect(page.getByLabel("Drift check interval (seconds)")).toBeVisible();
  await expectNoSidewaysScroll(page);

  await page.goto("/applications");
  await expectNoSidewaysScroll(page);
  await page.goto(`/applications/${push}`);
  await expect(page.getByRole("heading", { level: 2, name: "Settings" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Timeline" })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: testInfo.outputPath("application-390.png"), fullPage: true });

  await page.goto(`/applications/${pull}`);
  await expect(page.getByRole("heading", { level: 2, name: "Timeline" })).toBeVisible();
  await expect(page.getByText("Off: drift is reported only")).toBeVisible();
  await expect(page.getByText("Every 300 s")).toBeVisible();
  await expect(page.getByRole("button", { name: "Deploy" })).toHaveCount(0);
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: testInfo.outputPath("pull-application-390.png"), fullPage: true });
});
