import { expect, test } from "@playwright/test";
import { inlineRscPayload, occurrences } from "../support/rsc-payload";
import { uid } from "./support";

// The deliveries chart: a day links to exactly that UTC day's rows, from the chart (pointer) and from its data table
// (keyboard and screen readers, behind a "Show data table" disclosure), scoped to the comparison's environment.
test("a day of the deliveries chart opens that day's deployments, from the chart and from its table", async ({
  page,
}) => {
  const env = `e2e-${uid()}`;
  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const created = await page.request.post("/api/targets", {
    data: { name: `charts-${uid()}`, environment: env, mode: "push", serverUrl: "https://127.0.0.1:6443" },
    headers: { origin },
  });
  expect(created.status(), await created.text()).toBe(201);

  await page.goto(`/?range=7&environment=${env}`);
  const chart = page.getByTestId("compare-daily-push");
  await expect(chart).toHaveAttribute("role", "img");
  // Its name summarises the figure for a screen reader; the numbers are one disclosure away.
  await expect(chart).toHaveAccessibleName(
    /^push deployments and failures per day: \d+ deployments and \d+ failed over 7 days$/,
  );
  // Drawn on the server: the bars are there before any script runs.
  await chart.scrollIntoViewIfNeeded();
  await expect(chart.locator("svg")).toBeVisible();

  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString();
  const figure = page.locator("figure").filter({ has: chart });

  // The Overview parses and hydrates no chart table until one is asked for (issue 17, item 2: they were ~590 of its
  // ~1,200 elements); each chart's disclosure opens its own from the keyboard.
  await expect(page.locator("main table")).toHaveCount(0);
  const disclosure = figure.getByRole("button", { name: "Show data table: push deployments and failures per day" });
  await expect(disclosure).toHaveAttribute("aria-expanded", "false");
  await disclosure.focus();
  await page.keyboard.press("Enter");
  await expect(figure.getByRole("button", { name: /^Hide data table/ })).toHaveAttribute("aria-expanded", "true");
  const table = page.getByRole("table", { name: "push deployments and failures per day" });
  await expect(table).toBeVisible();
  await expect(page.locator("main table")).toHaveCount(1);
  // The next Tab stop is the table's first link, in sight.
  await page.keyboard.press("Tab");
  await expect(table.getByRole("link").first()).toBeFocused();
  await expect(table.getByRole("link").first()).toBeInViewport();

  const todayRow = figure.getByRole("row", { name: new RegExp(`^${today}`) });
  const [all, failed] = [todayRow.getByRole("link").nth(0), todayRow.getByRole("link").nth(1)];
  const href = new URL((await all.getAttribute("href"))!, origin);
  expect(href.pathname).toBe("/deployments");
  expect(href.searchParams.get("from")).toBe(`${today}T00:00:00.000Z`);
  expect(href.searchParams.get("to")).toBe(tomorrow);
  expect(href.searchParams.get("environment")).toBe(env);
  expect(href.searchParams.get("state")?.split(",").sort()).toEqual(["failed", "succeeded"]);
  expect(new URL((await failed.getAttribute("href"))!, origin).searchParams.get("state")).toBe("failed");

  await expect(figure.getByRole("table")).toHaveCount(1);

  // Each series crosses to the browser once: a day's link is in the page's inline RSC payload once (the figure's
  // table data, which the chart's pointer reads too), and not in the server's markup as well.
  const html = await (await page.request.get(`/?range=7&environment=${env}`)).text();
  const payload = inlineRscPayload(html);
  const dayHref = (await all.getAttribute("href"))!;
  expect(occurrences(payload, dayHref)).toBe(1);
  const markup = html.replace(/<script[\s\S]*?<\/script>/g, "");
  expect(occurrences(markup, dayHref.replaceAll("&", "&amp;"))).toBe(0);
  expect(markup).not.toContain("<table");

  // Point at the last day's column: the tooltip names the day; a click opens the same list.
  const box = (await chart.locator("svg").boundingBox())!;
  await page.mouse.move(box.x + box.width - 14, box.y + box.height / 2);
  await expect(chart.getByTestId("chart-tooltip")).toContainText(today);
  // A click on the red part lists the day's failures, anywhere else in the column all of the day's rows.
  const onFailed = await page.evaluate(
    ([x, y]) => document.elementFromPoint(x!, y!)?.getAttribute("data-part") === "1",
    [box.x + box.width - 14, box.y + box.height / 2],
  );
  const expected = onFailed ? new URL((await failed.getAttribute("href"))!, origin) : href;
  await page.mouse.click(box.x + box.width - 14, box.y + box.height / 2);
  await expect(page).toHaveURL(/\/deployments\?/);
  const landed = new URL(page.url());
  for (const k of ["from", "to", "environment", "state", "timeField", "mode"])
    expect(landed.searchParams.get(k), k).toBe(expected.searchParams.get(k));

  // The table's links reach the same list from the keyboard.
  await page.goBack();
  await figure.getByRole("button", { name: /^Show data table/ }).click();
  await all.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/deployments\?/);
  expect(new URL(page.url()).searchParams.get("from")).toBe(`${today}T00:00:00.000Z`);
});
