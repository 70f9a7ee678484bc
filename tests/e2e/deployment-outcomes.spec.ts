import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated, signedInPageAs, uid } from "./support";

function workload(id: string, namespace: string, image: string): string {
  return [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: web-${id}`,
    `  namespace: ${namespace}`,
    "spec:",
    "  replicas: 2",
    "  selector:",
    `    matchLabels: {app: web-${id}}`,
    "  template:",
    `    metadata: {labels: {app: web-${id}}}`,
    "    spec:",
    "      containers:",
    "        - name: web",
    `          image: ${image}`,
  ].join("\n");
}

async function targetId(page: Page, name: string): Promise<string> {
  const res = await page.request.get(`/api/targets?q=${name}`);
  const hit = ((await res.json()) as { items: { id: string; name: string }[] }).items.find((t) => t.name === name);
  expect(hit, name).toBeDefined();
  return hit!.id;
}

const origin = (page: Page) => ({ origin: new URL(page.url()).origin });

/** A deployment requested through the API as `page`'s user; its id. */
async function request(page: Page, body: object): Promise<string> {
  const res = await page.request.post("/api/deployments", { data: body, headers: origin(page) });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function approve(page: Page, id: string): Promise<void> {
  const res = await page.request.post(`/api/deployments/${id}/approvals`, {
    data: { decision: "approved" },
    headers: origin(page),
  });
  expect(res.status(), await res.text()).toBe(201);
}

async function stateOf(page: Page, id: string): Promise<string> {
  return ((await (await page.request.get(`/api/deployments/${id}`)).json()) as { state: string }).state;
}

test("a failed run shows why instead of a full bar, and offers the way back to the last success; the live one offers no rollback to itself", async ({
  browser,
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const id = uid();
  const deployer = await signedInPageAs(browser, page, "deployer");
  const approver = await signedInPageAs(browser, page, "approver");
  const target = await targetId(deployer, "shop-staging");
  // An application of its own, so other tests' deployments to shop-staging do not change which one is live.
  const application = `outcomes-${id}`;
  const good = await request(deployer, {
    targetId: target,
    source: { kind: "manifests", manifests: workload(id, "shop-staging", "nginx:1.27") },
    reason: `Good ${id}`,
    application,
  });
  await approve(approver, good);
  await expect.poll(() => stateOf(deployer, good), { timeout: 60_000 }).toBe("succeeded");

  // The live deployment: nothing to roll back to.
  await gotoHydrated(deployer, `/deployments/${good}`);
  await expect(deployer.getByTestId("deployment-live")).toBeVisible();
  await expect(deployer.getByRole("button", { name: "Roll back to this" })).toHaveCount(0);

  const bad = await request(deployer, {
    targetId: target,
    source: { kind: "manifests", manifests: workload(id, "shop-staging", "nginx:fail") },
    reason: `Bad ${id}`,
    application,
  });
  await approve(approver, bad);
  await expect.poll(() => stateOf(deployer, bad), { timeout: 60_000 }).toBe("failed");

  await gotoHydrated(deployer, `/deployments/${bad}`);
  await expect(deployer.getByTestId("progress-failed")).toHaveText("Failed after applying 1 of 1 object.");
  await expect(deployer.getByRole("status").filter({ hasText: /^failed: Rollout failed: /i })).toBeVisible();
  await expect(deployer.getByRole("progressbar")).toHaveCount(0);
  await expect(deployer.getByText(/Replicas ready/)).toHaveCount(0);
  await deployer.screenshot({ path: testInfo.outputPath("deployment-failed.png"), fullPage: true });

  await deployer.getByRole("button", { name: "Roll back to the last successful deployment" }).click();
  const dialog = deployer.getByRole("dialog", { name: "Roll back to the last successful deployment?" });
  await expect(dialog).toContainText("It needs the target's approvals like any other.");
  await dialog.getByRole("button", { name: "Request rollback" }).click();
  await expect(deployer).not.toHaveURL(new RegExp(`/deployments/${bad}$`));
  await expect(deployer).toHaveURL(/\/deployments\/[a-z0-9]+$/);
  await expect(deployer.getByRole("link", { name: good })).toBeVisible();
  await expect(deployer.getByTestId("deployment-state").first()).toHaveText("pending approval");

  // The good one is still the live one (the rollback has not run): still no rollback to itself.
  await gotoHydrated(deployer, `/deployments/${good}`);
  await expect(deployer.getByRole("button", { name: "Roll back to this" })).toHaveCount(0);
});
