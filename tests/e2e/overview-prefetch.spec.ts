import { expect, test } from "@playwright/test";
import { gotoHydrated } from "./support";

// The Overview's links open a figure's rows now and then; they are not the next page. Every dashboard page is dynamic
// without a loading state, so a prefetch would fetch only layouts the browser already has, and each one costs a
// server render while the Overview itself is still hydrating (issue 17, item 2).
test("the Overview prefetches nothing once hydrated, with every link scrolled into view", async ({ page }) => {
  const prefetched: string[] = [];
  page.on("request", (r) => {
    const rsc = new URL(r.url()).searchParams.has("_rsc") || r.headers()["next-router-prefetch"] !== undefined;
    if (rsc) prefetched.push(r.url());
  });
  await gotoHydrated(page, "/");
  // Links prefetch when they enter the viewport: scroll the whole page through it.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 400) {
    // Two frames at each position, so the links' intersection observers see it.
    await page.evaluate(async (top) => {
      window.scrollTo(0, top);
      for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
    }, y);
  }
  await page.waitForLoadState("networkidle");
  expect(prefetched).toEqual([]);
});
