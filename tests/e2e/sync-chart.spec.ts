import { expect, test } from "@playwright/test";

// The sync timeline is the comparison's daily chart: a day opens that UTC day's sync events in the history below it,
// on the same target, from the chart (pointer) and from its data table (keyboard); the red part its failures.
test("a day of the sync chart opens that day's sync events on the same target, from the chart and from its table", async ({
  page,
}) => {
  // web-staging is the seeded pull target.
  await page.goto("/targets?q=web-staging");
  await page.getByRole("link", { name: "web-staging" }).click();
  await expect(page).toHaveURL(/\/targets\/[^/?]+$/);
  const targetId = new URL(page.url()).pathname.split("/").pop()!;
  await expect(page.getByTestId("sync-chart")).toHaveAttribute("role", "img");

  await page.goto(`/sync?targetId=${targetId}`);
  const origin = new URL(page.url()).origin;
  const chart = page.getByTestId("sync-chart");
  await expect(chart).toHaveAttribute("role", "img");
  await expect(chart.locator("svg")).toBeVisible();

  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString();
  const figure = page.locator("figure").filter({ has: chart });
  // The day links are in the figure's data table, shown on demand.
  await figure.getByRole("button", { name: /^Show data table/ }).click();
  const todayRow = figure.getByRole("row", { name: new RegExp(`^${today}`) });
  const [all, failed] = [todayRow.getByRole("link").nth(0), todayRow.getByRole("link").nth(1)];
  const href = new URL((await all.getAttribute("href"))!, origin);
  expect(href.pathname).toBe("/sync");
  expect(href.searchParams.get("from")).toBe(`${today}T00:00:00.000Z`);
  expect(href.searchParams.get("to")).toBe(tomorrow);
  expect(href.searchParams.get("targetId")).toBe(targetId);
  // Exactly the results the bar counts.
  expect(href.searchParams.get("result")?.split(",").sort()).toEqual(["drift-corrected", "failed", "synced"]);
  expect(new URL((await failed.getAttribute("href"))!, origin).searchParams.get("result")).toBe("failed");

  // Point at the last day's column: the tooltip names the day; a click narrows the history on this page.
  const box = (await chart.locator("svg").boundingBox())!;
  await page.mouse.move(box.x + box.width - 10, box.y + box.height / 2);
  await expect(chart.getByTestId("chart-tooltip")).toContainText(today);
  // A click on the red part lists the day's failures, anywhere else in the column all of the day's rows.
  const onFailed = await page.evaluate(
    ([x, y]) => document.elementFromPoint(x!, y!)?.getAttribute("data-part") === "1",
    [box.x + box.width - 10, box.y + box.height / 2],
  );
  const expected = onFailed ? new URL((await failed.getAttribute("href"))!, origin) : href;
  await page.mouse.click(box.x + box.width - 10, box.y + box.height / 2);
  await expect(page).toHaveURL(/\/sync\?.*from=/);
  const landed = new URL(page.url());
  for (const k of ["from", "to", "targetId", "result"])
    expect(landed.searchParams.get(k), k).toBe(expected.searchParams.get(k));
  const chips = page.getByRole("group", { name: "Sync history is filtered by" });
  await expect(chips.getByTestId("filter-chip-range")).toContainText(`${today} → before ${tomorrow.slice(0, 10)}`);
  await expect(page.getByLabel("Target")).toHaveValue(targetId);

  // The table's failed link, from the keyboard: the history narrows to that day's failures. (The page re-rendered
  // for the new filter: the table stays open if React kept the chart, else it is opened again.)
  const toggle = figure.getByRole("button", { name: /data table/ });
  await expect(toggle).toBeVisible();
  if ((await toggle.getAttribute("aria-expanded")) === "false") await toggle.click();
  await failed.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/result=failed(&|$)/);
  await expect(page.getByLabel("Result")).toHaveValue("failed");
  await expect(chips.getByTestId("filter-chip-range")).toContainText(today);
});
