import { expect, test } from "@playwright/test";
import { gotoHydrated, uid } from "./support";

const CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: '1'\n";

// Deleting a target archives it (issue 16, Must 2): the dialog says its history is kept and what happens to the
// cluster's objects; afterwards its deployment's page and its own page still read, with a "deleted" banner, it leaves
// the targets list, and a new target may take its name.
test("an admin deletes a target: its deployment page stays readable, marked deleted, and its name is free", async ({
  page,
}) => {
  const name = `gone-${uid()}`;
  await page.goto("/targets");
  const origin = new URL(page.url()).origin;
  const created = await page.request.post("/api/targets", {
    headers: { origin },
    data: { name, environment: "dev", mode: "push", serverUrl: "https://10.20.30.40:6443", requiredApprovals: 1 },
  });
  expect(created.status(), await created.text()).toBe(201);
  const target = (await created.json()) as { id: string };
  const requested = await page.request.post("/api/deployments", {
    headers: { origin },
    data: { targetId: target.id, source: { kind: "manifests", manifests: CONFIG_MAP }, reason: `Ship ${name}` },
  });
  expect(requested.status(), await requested.text()).toBe(201);
  const deployment = (await requested.json()) as { id: string };

  await gotoHydrated(page, `/targets/${target.id}`);
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete target ${name}?` });
  await expect(dialog).toContainText("The objects already applied stay in the cluster as they are");
  await expect(dialog).toContainText("Its history is kept");
  await dialog.getByLabel(`Type ${name} to confirm`).fill(name);
  await dialog.getByRole("button", { name: "Delete target" }).click();
  await expect(page).toHaveURL(/\/targets$/);
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);

  // The deployment's page (where the audit trail links) still reads, with the banner and the marker.
  await page.goto(`/deployments/${deployment.id}`);
  const banner = page.getByRole("note").filter({ hasText: "was deleted" });
  await expect(banner).toContainText(`The target ${name} was deleted`);
  await expect(banner).toContainText("nothing can be deployed or synced to it any more");
  await expect(page.getByText(`Ship ${name}`)).toBeVisible();
  await expect(page.getByTestId("deployment-state").first()).toHaveText("cancelled");
  // The target's page too, with nothing left to change or deploy.
  await page.goto(`/targets/${target.id}`);
  await expect(page.getByRole("note").filter({ hasText: "was deleted" })).toContainText(
    `The target ${name} was deleted`,
  );
  await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);

  // The name is free for a new target.
  const again = await page.request.post("/api/targets", {
    headers: { origin },
    data: { name, environment: "dev", mode: "push", serverUrl: "https://10.20.30.40:6443" },
  });
  expect(again.status(), await again.text()).toBe(201);
});
