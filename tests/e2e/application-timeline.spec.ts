import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated, signedInPageAs, uid } from "./support";

// Issue 15, Must 3: an application's page shows one timeline (deployments, approvals, rollbacks), and an earlier
// deployment is rolled back to from it behind a confirmation that says what changes and that approval is needed.

// The seeded demo push target that needs one approval.
const TARGET = "shop-staging";

async function targetId(page: Page, name: string): Promise<string> {
  const res = await page.request.get(`/api/targets?q=${name}`);
  const hit = ((await res.json()) as { items: { id: string; name: string }[] }).items.find((t) => t.name === name);
  expect(hit, name).toBeDefined();
  return hit!.id;
}

const configMap = (name: string, color: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${TARGET}\ndata:\n  color: "${color}"\n`;

/** Requests a deployment of application `app` as the deployer, approves it as the approver, and waits for it to succeed. */
async function deploy(deployer: Page, approver: Page, app: string, manifests: string, reason: string) {
  const res = await deployer.request.post("/api/deployments", {
    data: {
      targetId: await targetId(deployer, TARGET),
      source: { kind: "manifests", manifests },
      application: app,
      reason,
    },
    headers: { origin: new URL(deployer.url()).origin },
  });
  expect(res.status(), await res.text()).toBe(201);
  const d = (await res.json()) as { id: string; application: { id: string } | null };
  const approved = await approver.request.post(`/api/deployments/${d.id}/approvals`, {
    data: { decision: "approved", comment: `ok ${reason}` },
    headers: { origin: new URL(approver.url()).origin },
  });
  expect(approved.status(), await approved.text()).toBe(201);
  await expect
    .poll(
      async () => ((await (await deployer.request.get(`/api/deployments/${d.id}`)).json()) as { state: string }).state,
      { timeout: 60_000 },
    )
    .toBe("succeeded");
  return d.id;
}

test("an application's timeline lists its deployments and approvals, and rolls back to an earlier one through approval", async ({
  browser,
  page,
}) => {
  test.setTimeout(180_000);
  const name = `rb-${uid()}`;
  const deployer = await signedInPageAs(browser, page, "deployer");
  const approver = await signedInPageAs(browser, page, "approver");
  const viewer = await signedInPageAs(browser, page, "viewer");
  const oldId = await deploy(deployer, approver, name, configMap(name, "blue"), `first ${name}`);
  const liveId = await deploy(deployer, approver, name, configMap(name, "green"), `second ${name}`);
  const appId = (
    (await (await deployer.request.get(`/api/deployments/${liveId}`)).json()) as { application: { id: string } }
  ).application.id;

  // A viewer sees the timeline and why they cannot roll back.
  await gotoHydrated(viewer, `/applications/${appId}`);
  const viewerTimeline = viewer.getByRole("list", { name: "Timeline" });
  await expect(viewerTimeline.getByRole("listitem")).toHaveCount(4);
  const viewerButton = viewerTimeline.getByRole("button", { name: "Roll back to this" });
  await expect(viewerButton).toBeDisabled();
  await expect(viewer.getByText("only deployers and admins may")).toBeVisible();

  await gotoHydrated(deployer, `/applications/${appId}`);
  const timeline = deployer.getByRole("list", { name: "Timeline" });
  const entries = timeline.getByRole("listitem");
  // Newest first: the second deployment's approval, the second deployment (live), the first's approval, the first.
  await expect(entries).toHaveCount(4);
  await expect(entries.nth(0)).toContainText("Deployment approval recorded");
  await expect(entries.nth(0)).toContainText(`ok second ${name}`);
  await expect(entries.nth(1)).toContainText(`second ${name}`);
  await expect(entries.nth(1)).toContainText("live");
  await expect(entries.nth(3)).toContainText(`first ${name}`);
  // Never offered on the live deployment; offered on the earlier one.
  await expect(entries.nth(1).getByRole("button", { name: "Roll back to this" })).toHaveCount(0);
  await expect(entries.nth(3).getByRole("link", { name: "Deployment requested" })).toHaveAttribute(
    "href",
    `/deployments/${oldId}`,
  );

  await entries.nth(3).getByRole("button", { name: "Roll back to this" }).click();
  const dialog = deployer.getByRole("dialog");
  await expect(dialog).toContainText(`Roll back ${name}`);
  await expect(dialog.getByTestId("preview-counts")).toContainText("1 change");
  // A changed object opens with its fields: the live value and the one the rollback brings back.
  await expect(dialog.getByRole("button", { name: new RegExp(`ConfigMap\\s*${name}`) })).toHaveAttribute(
    "aria-expanded",
    "true",
  );
  await expect(dialog).toContainText("green");
  await expect(dialog).toContainText("blue");
  await expect(dialog).toContainText(`${TARGET} requires 1 approval`);
  await dialog.getByRole("button", { name: "Request rollback" }).click();

  await expect(dialog).toHaveCount(0);
  await expect(deployer.getByRole("status").filter({ hasText: "Rollback requested" })).toContainText(
    `waits for 1 approval on ${TARGET}`,
  );
  await expect(entries).toHaveCount(5);
  await expect(entries.nth(0)).toContainText("Rollback requested");
  await expect(entries.nth(0).getByTestId("deployment-state")).toHaveText("pending approval");
  await deployer.getByRole("link", { name: "Open the request" }).click();
  await expect(deployer.getByTestId("deployment-state").first()).toHaveText("pending approval");
  await expect(deployer).not.toHaveURL(new RegExp(`/deployments/(${oldId}|${liveId})$`));
});
