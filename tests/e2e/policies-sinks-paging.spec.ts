import { expect, test } from "@playwright/test";
import { gotoHydrated, uid } from "./support";

test("credential policies and notification sinks show 50 at a time; Load more (from the keyboard) brings the rest", async ({
  page,
}) => {
  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const run = uid();
  // "zz-…" sorts after the demo data, so the last of these is on the second page of either list.
  const names = Array.from({ length: 55 }, (_, i) => `zz-${run}-${String(i).padStart(2, "0")}`);
  for (const name of names) {
    const policy = await page.request.post("/api/policies", {
      data: { name, maxAgeDays: 30, warnBeforeDays: 7 },
      headers: { origin },
    });
    expect(policy.status(), await policy.text()).toBe(201);
    // Disabled, so the dispatcher never sends anything to it.
    const sink = await page.request.post("/api/notification-sinks", {
      data: { name, url: "http://127.0.0.1:9/hook", events: ["rotation.due"], enabled: false },
      headers: { origin },
    });
    expect(sink.status(), await sink.text()).toBe(201);
  }
  const last = names[names.length - 1]!;
  // How many there are in all (other tests may add their own): two pages show min(total, 100), and "Load more" stays
  // exactly when there are more.
  const totalOf = async (path: string) =>
    ((await (await page.request.get(`${path}?limit=200`)).json()) as { items: unknown[] }).items.length;
  const [policies, sinks] = [await totalOf("/api/policies"), await totalOf("/api/notification-sinks")];

  await gotoHydrated(page, "/policies");
  const table = page.getByRole("table", { name: "Credential policies" });
  await expect(table.locator("tbody tr")).toHaveCount(50);
  await expect(table.getByRole("cell", { name: last, exact: true })).toHaveCount(0);
  const morePolicies = page.getByRole("button", { name: "Load more" });
  await morePolicies.focus();
  await page.keyboard.press("Enter");
  await expect(table.getByRole("cell", { name: last, exact: true })).toBeVisible();
  await expect(table.locator("tbody tr").filter({ hasText: `zz-${run}-` })).toHaveCount(55);
  await expect(table.locator("tbody tr")).toHaveCount(Math.min(policies, 100));
  await expect(morePolicies).toHaveCount(policies > 100 ? 1 : 0);

  await gotoHydrated(page, "/notifications");
  const sinkHeadings = page.getByRole("heading", { level: 2, name: new RegExp(`^zz-${run}-`) });
  await expect(sinkHeadings.first()).toBeVisible();
  expect(await sinkHeadings.count()).toBeLessThanOrEqual(50);
  await expect(page.getByRole("heading", { level: 2, name: new RegExp(`^${last}`) })).toHaveCount(0);
  const moreSinks = page.getByRole("button", { name: "Load more" });
  await moreSinks.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 2, name: new RegExp(`^${last}`) })).toBeVisible();
  await expect(sinkHeadings).toHaveCount(55);
  // Every sink card's heading ends with its enabled/disabled badge.
  await expect(page.getByRole("heading", { level: 2, name: /(enabled|disabled)$/ })).toHaveCount(Math.min(sinks, 100));
  await expect(moreSinks).toHaveCount(sinks > 100 ? 1 : 0);
});
