import { expect, test } from "@playwright/test";
import { gotoHydrated, uid } from "./support";

test("Add user opened again after creating one shows an empty form, not the last result", async ({ page }) => {
  await gotoHydrated(page, "/users");
  const id = uid();
  await page.getByRole("button", { name: "Add user" }).click();
  let dialog = page.getByRole("dialog", { name: "Add user" });
  await dialog.getByLabel("Name").fill(`Added ${id}`);
  await dialog.getByLabel("Email").fill(`added-${id}@e2e.wharf`);
  await dialog.getByRole("button", { name: "Generate" }).click();
  await dialog.getByRole("button", { name: "Create user" }).click();
  const created = page.getByRole("dialog", { name: "User created" });
  await expect(created).toContainText(`added-${id}@e2e.wharf`);
  await expect(created.getByTestId("generated-password")).toBeVisible();
  await created.getByRole("button", { name: "Done" }).click();
  await expect(created).toBeHidden();

  await page.getByRole("button", { name: "Add user" }).click();
  dialog = page.getByRole("dialog", { name: "Add user" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveValue("");
  await expect(dialog.getByLabel("Email")).toHaveValue("");
  await expect(page.getByRole("dialog", { name: "User created" })).toHaveCount(0);
});
