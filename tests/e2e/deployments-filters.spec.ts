import { expect, test } from "@playwright/test";
import { uid } from "./support";

// A comparison figure opens the deployments list narrowed exactly as the figure counted; the list says so with chips
// that clear with the keyboard, keeps the range in the URL, and says when the filter matched nothing.
test("a figure's link narrows the deployments list visibly; range and chips work from the keyboard", async ({
  page,
}) => {
  const env = `e2e-${uid()}`;
  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const created = await page.request.post("/api/targets", {
    data: { name: `filters-${uid()}`, environment: env, mode: "push", serverUrl: "https://127.0.0.1:6443" },
    headers: { origin },
  });
  expect(created.status(), await created.text()).toBe(201);

  await page.goto(`/?range=30&environment=${env}`);
  // Push is the first column.
  await page
    .getByTestId("comparison")
    .getByRole("link", { name: /change failure rate/ })
    .first()
    .click();

  await expect(page).toHaveURL(/\/deployments\?/);
  const url = new URL(page.url());
  expect(url.searchParams.get("environment")).toBe(env);
  expect(url.searchParams.get("timeField")).toBe("finished");
  expect(url.searchParams.get("state")).toBe("failed");
  expect(url.searchParams.get("from")).toMatch(/T00:00:00\.000Z$/);
  const chips = page.getByRole("group", { name: "Deployments are filtered by" });
  await expect(chips.getByTestId("filter-chip-range")).toContainText("range: finished");
  await expect(chips.getByTestId("filter-chip-environment")).toContainText(env);
  await expect(chips.getByTestId("filter-chip-state")).toContainText("failed");
  await expect(page.getByText("No deployments match these filters")).toBeVisible();
  await expect(page.getByText(/matched nothing/)).toBeVisible();

  // Clear the range with the keyboard: focus its × and press Enter.
  await chips.getByRole("button", { name: /^Clear range:/ }).focus();
  await page.keyboard.press("Enter");
  await expect(chips.getByTestId("filter-chip-range")).toHaveCount(0);
  await expect(page).not.toHaveURL(/from=/);
  await expect(page).toHaveURL(new RegExp(`environment=${env}`));

  // A range typed into the form and submitted with Enter lands in the URL and in a chip.
  await page.getByLabel("Range on").selectOption("approved");
  await page.getByLabel("From (UTC)").fill("2026-01-01");
  await page.getByLabel("Before (UTC)").fill("2026-01-31");
  await page.getByLabel("Before (UTC)").press("Enter");
  await expect(page).toHaveURL(/timeField=approved/);
  await expect(page).toHaveURL(/from=2026-01-01T00%3A00%3A00\.000Z/);
  await expect(chips.getByTestId("filter-chip-range")).toContainText("approved 2026-01-01 → before 2026-01-31 (UTC)");

  // An inverted range is refused in place, and the URL keeps the last good one.
  await page.getByLabel("From (UTC)").fill("2026-02-01");
  await page.getByLabel("Before (UTC)").press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: "must be later" })).toBeVisible();
  await expect(page).toHaveURL(/from=2026-01-01/);

  await page.getByRole("button", { name: "Clear all" }).click();
  await expect(chips).toHaveCount(0);
  await expect(page).toHaveURL(/\/deployments$/);
});
