import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated, signedInPageAs, uid } from "./support";

const origin = (page: Page) => ({ origin: new URL(page.url()).origin });

/** A push target of its own on an address nothing answers (nothing here talks to it). */
async function ownTarget(page: Page, name: string): Promise<string> {
  await page.goto("/");
  const res = await page.request.post("/api/targets", {
    data: { name, environment: "staging", mode: "push", serverUrl: "https://10.9.8.7:6443" },
    headers: origin(page),
  });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

test("the cancel dialog's buttons cannot both be read as “cancel”", async ({ browser, page }) => {
  const id = uid();
  const deployer = await signedInPageAs(browser, page, "deployer");
  const targets = await deployer.request.get("/api/targets?q=payments-prod");
  const target = ((await targets.json()) as { items: { id: string; name: string }[] }).items.find(
    (t) => t.name === "payments-prod",
  );
  const res = await deployer.request.post("/api/deployments", {
    data: {
      targetId: target!.id,
      source: {
        kind: "manifests",
        manifests: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep-${id}\n  namespace: payments-prod\ndata:\n  a: "1"\n`,
      },
      reason: `Keep ${id}`,
    },
    headers: origin(deployer),
  });
  expect(res.status(), await res.text()).toBe(201);
  const deploymentId = ((await res.json()) as { id: string }).id;

  await gotoHydrated(deployer, `/deployments/${deploymentId}`);
  await deployer.getByRole("button", { name: "Cancel deployment" }).click();
  const dialog = deployer.getByRole("dialog", { name: "Cancel this deployment?" });
  await expect(dialog.getByRole("button", { name: "Cancel", exact: true })).toHaveCount(0);
  await expect(dialog.getByRole("button", { name: "Cancel deployment" })).toBeVisible();
  await dialog.getByRole("button", { name: "Keep the request" }).click();
  await expect(dialog).toBeHidden();
  await expect(deployer.getByTestId("deployment-state").first()).toHaveText("pending approval");
});

test("removing a repository binding asks for the repository's name, not the branch", async ({ page }) => {
  const id = uid();
  const targetId = await ownTarget(page, `bind-${id}`);
  await gotoHydrated(page, `/targets/${targetId}`);
  const form = page.getByRole("form", { name: "Bind a repository" });
  await form.getByLabel("Repository URL").fill(`https://git.example.com/team/shop-${id}.git`);
  await form.getByRole("button", { name: "Bind repository" }).click();
  const bindings = page.getByRole("table", { name: "Repository bindings" });
  await expect(bindings).toContainText(`shop-${id}.git`);

  await bindings.getByRole("button", { name: "Remove" }).click();
  const dialog = page.getByRole("dialog", { name: "Remove this binding?" });
  await expect(dialog.getByText(`Type shop-${id} to confirm`)).toBeVisible();
  await dialog.getByLabel(`Type shop-${id} to confirm`).fill("main");
  await expect(dialog.getByRole("button", { name: "Remove binding" })).toBeDisabled();
  await dialog.getByLabel(`Type shop-${id} to confirm`).fill(`shop-${id}`);
  await dialog.getByRole("button", { name: "Remove binding" }).click();
  await expect(page.getByText("No repository is bound to this target yet.")).toBeVisible();
});

test("a credential policy cannot be set to let viewers replace credentials", async ({ page }) => {
  await gotoHydrated(page, "/policies");
  await page.getByRole("button", { name: "New policy" }).click();
  const select = page.getByLabel("Minimum role to replace a credential");
  await expect(select.locator("option")).toHaveText(["deployer", "approver", "admin"]);
  const res = await page.request.post("/api/policies", {
    data: { name: `viewers-${uid()}`, maxAgeDays: 30, warnBeforeDays: 7, minReplaceRole: "viewer", autoRotate: false },
    headers: origin(page),
  });
  expect(res.status(), await res.text()).toBe(422);
});

test("“Rotate now” on a bearer token opens the replace form for a bearer token and says why", async ({ page }) => {
  const id = uid();
  const targetId = await ownTarget(page, `bearer-${id}`);
  const stored = await page.request.post(`/api/targets/${targetId}/credentials`, {
    data: { kind: "bearer-token", token: `bearer-${id}-0123456789abcdef` },
    headers: origin(page),
  });
  expect(stored.status(), await stored.text()).toBe(201);

  await gotoHydrated(page, `/targets/${targetId}`);
  await page.getByRole("button", { name: "Rotate now" }).click();
  const form = page.getByRole("form", { name: "Replace credential" });
  await expect(form.getByLabel("Kind")).toHaveValue("bearer-token");
  await expect(form.getByTestId("credential-form-note")).toContainText("Wharf cannot mint a new bearer token");

  // From the rotation page's link too (?credential=replace).
  await gotoHydrated(page, `/targets/${targetId}?credential=replace`);
  await expect(page.getByRole("form", { name: "Replace credential" }).getByLabel("Kind")).toHaveValue("bearer-token");
});
