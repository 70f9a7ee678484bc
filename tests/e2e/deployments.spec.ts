import { expect, test } from "@playwright/test";
import { signedInPageAs, uid } from "./support";

// The seeded demo push target: one approval from an approver, namespace shop-staging, a sandbox credential.
const TARGET = "shop-staging";

function manifests(id: string, namespace = TARGET): string {
  return [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: web-${id}-config`,
    `  namespace: ${namespace}`,
    "data:",
    '  greeting: "hello"',
    "---",
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: web-${id}`,
    "spec:",
    "  replicas: 2",
    "  selector:",
    `    matchLabels: {app: web-${id}}`,
    "  template:",
    `    metadata: {labels: {app: web-${id}}}`,
    "    spec:",
    "      containers:",
    "        - name: web",
    "          image: nginx:1.27",
  ].join("\n");
}

test("a deployer requests, an approver approves in a second browser, and the progress bar reaches 100 %", async ({
  browser,
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const id = uid();
  const deployer = await signedInPageAs(browser, page, "deployer");
  const approver = await signedInPageAs(browser, page, "approver");

  await deployer.goto("/targets?mode=push");
  await deployer.getByRole("link", { name: TARGET, exact: true }).click();
  await deployer.getByRole("link", { name: "New deployment" }).click();
  await expect(deployer.getByRole("heading", { level: 1, name: `New deployment to ${TARGET}` })).toBeVisible();

  // A namespace outside the target's rules is refused, with document and line, and nothing is created.
  await deployer.getByLabel("Manifests").fill(manifests(id, "kube-system"));
  await deployer.getByLabel("Reason").fill(`Ship web ${id}`);
  await deployer.getByRole("button", { name: "Request deployment" }).click();
  await expect(
    deployer
      .getByRole("tabpanel", { name: "Paste YAML" })
      .getByText(
        /^document 1, line 1: ConfigMap web-.* is in namespace "kube-system", which this target does not allow/,
      ),
  ).toBeVisible();
  await expect(deployer).toHaveURL(/\/targets\/[^/]+\/deploy$/);

  await deployer.getByLabel("Manifests").fill(manifests(id));
  await deployer.getByRole("button", { name: "Request deployment" }).click();
  await expect(deployer).toHaveURL(/\/deployments\/[a-z0-9]+$/);
  const url = deployer.url();
  await expect(deployer.getByTestId("deployment-state").first()).toHaveText("pending approval");
  await expect(deployer.getByTestId("preview-counts")).toContainText("2 create");
  // The requester sees why they cannot approve, and no Approve button.
  await expect(deployer.getByTestId("cannot-approve")).toHaveText(
    "Your role cannot approve deployments to this target.",
  );
  await expect(deployer.getByRole("button", { name: "Approve" })).toHaveCount(0);

  // The approver finds it waiting on the home page, and approves it.
  await approver.goto("/");
  await approver
    .getByTestId("awaiting-approval")
    .getByRole("link", { name: new RegExp(`Ship web ${id}`) })
    .click();
  await expect(approver).toHaveURL(url);
  await expect(approver.getByTestId("approval-rule")).toContainText(
    "1 approval from approvers or admins; the requester and the commit author may not approve",
  );
  await approver.getByLabel("Comment").fill("Looks right");
  await approver.getByRole("button", { name: "Approve" }).click();
  await expect(approver.getByText("“Looks right”")).toBeVisible();

  // The deployer's page follows along: applied, rolled out, succeeded.
  const bar = deployer.getByRole("progressbar");
  await expect(bar).toHaveAttribute("aria-valuenow", "100", { timeout: 60_000 });
  await expect(deployer.getByTestId("deployment-state").first()).toHaveText("succeeded", { timeout: 30_000 });
  await deployer.screenshot({ path: testInfo.outputPath("deployment-succeeded.png"), fullPage: true });

  // It is listed as succeeded. It is what runs now (shop-staging's newest success), so there is nothing to roll back to.
  await expect(deployer.getByTestId("deployment-live")).toBeVisible();
  await expect(deployer.getByRole("button", { name: "Roll back to this" })).toHaveCount(0);
  await deployer.goto(`/deployments?state=succeeded`);
  await expect(deployer.getByRole("table", { name: "Deployments" })).toContainText(`Ship web ${id}`);
});
