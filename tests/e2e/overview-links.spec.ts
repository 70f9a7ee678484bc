import { expect, test } from "@playwright/test";
import { inlineRscPayload } from "../support/rsc-payload";
import { gotoHydrated } from "./support";

// The Overview renders some 70 links (figures, counts, the cards' rows, the charts' data tables). They are plain
// anchors, not a next/link client component each — hydrated on every load, with their props in the RSC payload too —
// and the dashboard's one document listener (components/layout/in-app-links.tsx) still navigates them in the app
// (issue 17, item 2).
test("the Overview's links are plain anchors that navigate in the app", async ({ page }) => {
  await gotoHydrated(page, "/");
  const hrefs = await page.locator("main a[href^='/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
  expect(hrefs.length).toBeGreaterThan(20);

  // No link of the page crosses to the browser as a client component's props.
  const payload = inlineRscPayload(await (await page.request.get("/")).text());
  const componentHrefs = [...payload.matchAll(/\["\$","\$L[0-9a-z]+",null,\{"href":("(?:[^"\\]|\\.)*")/g)].map(
    (m) => JSON.parse(m[1]!) as string,
  );
  expect(hrefs.filter((h) => componentHrefs.includes(h))).toEqual([]);

  // A click on a figure opens its rows without loading a new document.
  await page.evaluate(() => Object.assign(window, { wharfSameDocument: true }));
  await page.locator("main a[href='/targets?mode=push']").first().click();
  await expect(page).toHaveURL(/\/targets\?mode=push$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Deployment targets");
  expect(await page.evaluate(() => "wharfSameDocument" in window)).toBe(true);

  // A modified click is the browser's (a new tab), not the app's: this page stays.
  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  const [popup] = await Promise.all([
    page.context().waitForEvent("page"),
    page
      .locator("main a[href='/targets?mode=pull']")
      .first()
      .click({ modifiers: [process.platform === "darwin" ? "Meta" : "Control"] }),
  ]);
  await expect(popup).toHaveURL(/\/targets\?mode=pull$/);
  await expect(page).toHaveURL(/\/$/);
  await popup.close();
});
