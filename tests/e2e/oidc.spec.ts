import { expect, test } from "@playwright/test";
import { E2E_OIDC } from "../playwright.config";

// Signed out: this spec signs in through the identity provider itself.
test.use({ storageState: { cookies: [], origins: [] } });

test("a release-approvers member signs in with the identity provider and lands in Wharf as approver", async ({
  page,
}) => {
  await page.goto("/login");
  await page.getByRole("link", { name: `Sign in with ${E2E_OIDC.name}` }).click();

  // The provider's own login form (oidc-provider's devInteractions), on another origin.
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:${E2E_OIDC.port}/interaction/`));
  await page.locator('input[name="login"]').fill("ann");
  await page.locator('input[name="password"]').fill("any-password");
  await page.getByRole("button", { name: "Sign-in" }).click();

  await expect(page).toHaveURL(/localhost:\d+\/$/);
  await expect(page.getByTestId("current-user")).toContainText("ann@idp.e2e.wharf · approver");

  // Approvers read the audit trail: their own sign-in is there, marked as single sign-on rather than local.
  const res = await page.request.get("/api/audit?action=auth.signed-in");
  expect(res.ok()).toBe(true);
  const body = (await res.json()) as { items: { actorName: string; details: Record<string, unknown> }[] };
  const mine = body.items.find((e) => e.actorName === "ann@idp.e2e.wharf");
  expect(mine?.details).toMatchObject({ method: "oidc", local: false });
});

test("local accounts stay available next to single sign-on", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByRole("link", { name: `Sign in with ${E2E_OIDC.name}` })).toBeVisible();
  await expect(page.getByLabel("Email")).toBeVisible();
  await expect(page.getByLabel("Password")).toBeVisible();
});
