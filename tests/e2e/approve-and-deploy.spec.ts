import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated, signedInPageAs, uid } from "./support";

async function targetId(page: Page, name: string): Promise<string> {
  const res = await page.request.get(`/api/targets?q=${name}`);
  const hit = ((await res.json()) as { items: { id: string; name: string }[] }).items.find((t) => t.name === name);
  expect(hit, name).toBeDefined();
  return hit!.id;
}

test("the approval that starts the deployment says so: “Approve and deploy” only on the last one needed", async ({
  browser,
  page,
}) => {
  // Three people sign in (argon2 on a busy machine) before the first assertion.
  test.setTimeout(120_000);
  const id = uid();
  const deployer = await signedInPageAs(browser, page, "deployer");
  const first = await signedInPageAs(browser, page, "approver");
  const second = await signedInPageAs(browser, page, "approver");
  // payments-prod needs two approvals.
  const res = await deployer.request.post("/api/deployments", {
    data: {
      targetId: await targetId(deployer, "payments-prod"),
      source: {
        kind: "manifests",
        manifests: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last-${id}\n  namespace: payments-prod\ndata:\n  a: "1"\n`,
      },
      reason: `Two approvals ${id}`,
    },
    headers: { origin: new URL(deployer.url()).origin },
  });
  expect(res.status(), await res.text()).toBe(201);
  const deploymentId = ((await res.json()) as { id: string }).id;

  await gotoHydrated(first, `/deployments/${deploymentId}`);
  await expect(first.getByTestId("approval-count")).toHaveText("0 of 2");
  await expect(first.getByRole("button", { name: "Approve", exact: true })).toBeVisible();
  await expect(first.getByRole("button", { name: "Approve and deploy" })).toHaveCount(0);
  await first.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(first.getByTestId("approval-count")).toHaveText("1 of 2");

  await gotoHydrated(second, `/deployments/${deploymentId}`);
  const approveAndDeploy = second.getByRole("button", { name: "Approve and deploy" });
  await expect(approveAndDeploy).toBeVisible();
  await expect(second.getByTestId("approval-starts")).toHaveText(
    "Yours is the last approval needed: approving starts the deployment to payments-prod.",
  );
  await approveAndDeploy.click();
  await expect(second.getByTestId("deployment-state").first()).not.toHaveText("pending approval");
  const after = await second.request.get(`/api/deployments/${deploymentId}`);
  expect(((await after.json()) as { state: string }).state).not.toBe("pending-approval");
});
