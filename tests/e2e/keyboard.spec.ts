import { expect, test } from "@playwright/test";
import { gotoHydrated, uid } from "./support";

// Issue 17, item 14: the deployment form's source tabs follow the WAI-ARIA tabs pattern, and focus moves to the result
// of a submit (the error when it fails, the new page when it succeeds).

test("the source tabs move with the arrow keys, Home and End; a failed submit focuses the error, a successful one the new page", async ({
  page,
}) => {
  await gotoHydrated(page, "/targets?q=shop-dev");
  await page.getByRole("link", { name: "shop-dev", exact: true }).click();
  await page.getByRole("link", { name: "New deployment" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("shop-dev");
  // A client-side navigation puts focus on the new page's heading, not back on <body>.
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();

  const tablist = page.getByRole("tablist", { name: "Source" });
  const tab = (name: string) => tablist.getByRole("tab", { name });
  // One Tab stop for the whole tab list: the selected tab.
  await expect(tab("Paste YAML")).toHaveAttribute("tabindex", "0");
  await expect(tab("Upload file")).toHaveAttribute("tabindex", "-1");
  await expect(tab("Git repository")).toHaveAttribute("tabindex", "-1");

  await tab("Paste YAML").focus();
  const expectSelected = async (name: string, panelLabel: string) => {
    await expect(tab(name)).toBeFocused();
    await expect(tab(name)).toHaveAttribute("aria-selected", "true");
    await expect(tab(name)).toHaveAttribute("tabindex", "0");
    await expect(page.getByRole("tabpanel", { name })).toBeVisible();
    await expect(page.getByRole("tabpanel", { name }).getByLabel(panelLabel)).toBeVisible();
  };
  await page.keyboard.press("ArrowRight");
  await expectSelected("Upload file", "Manifest file");
  await page.keyboard.press("ArrowRight");
  await expectSelected("Git repository", "Repository URL");
  await page.keyboard.press("ArrowRight"); // wraps to the first
  await expectSelected("Paste YAML", "Manifests");
  await page.keyboard.press("ArrowLeft"); // wraps to the last
  await expectSelected("Git repository", "Repository URL");
  await page.keyboard.press("Home");
  await expectSelected("Paste YAML", "Manifests");
  await page.keyboard.press("End");
  await expectSelected("Git repository", "Repository URL");
  // Tab leaves the tab list for the panel: the next stop is the panel's first input, not the next tab.
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Repository URL")).toBeFocused();

  // Nothing to deploy: the whole-form error takes focus.
  await tab("Git repository").focus();
  await page.keyboard.press("Home");
  await page.getByRole("button", { name: "Request deployment" }).click();
  // The form's own alert (its first child), not a field's message below it.
  const alert = page.locator("form").getByRole("alert").first();
  await expect(alert).toBeVisible();
  await expect(alert).toBeFocused();

  // A valid request opens the deployment, with focus on its heading.
  const id = uid();
  await page
    .getByLabel("Manifests")
    .fill(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keyboard-${id}\ndata:\n  k: v\n`);
  await page.getByLabel("Reason").fill(`keyboard ${id}`);
  await page.getByRole("button", { name: "Request deployment" }).click();
  await expect(page).toHaveURL(/\/deployments\/[^/]+$/);
  const heading = page.getByRole("heading", { level: 1, name: "Deployment to shop-dev" });
  await expect(heading).toBeVisible();
  await expect(heading).toBeFocused();
});
