import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { gotoHydrated, uid } from "./support";

// Every dashboard page at a laptop's and a phone's width (issue 17, items 12–14 and "Done when"): no page scrolls
// sideways, axe-core finds no serious or critical violation, and a screenshot of each page is kept as an artifact.
// One test per width, so one browser context (the signed-in admin's storage state) visits every page.

const dashboardDir = path.resolve(import.meta.dirname, "../../app/(dashboard)");

/** The dashboard's routes as the file system has them: "/targets/[id]/deploy", … */
function dashboardRoutes(dir = dashboardDir, prefix = ""): string[] {
  const routes: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) routes.push(...dashboardRoutes(path.join(dir, entry.name), `${prefix}/${entry.name}`));
    else if (entry.name === "page.tsx") routes.push(prefix || "/");
  }
  return routes.sort();
}

interface Seeded {
  pushTargetId: string;
  pullTargetId: string;
  applicationId: string;
  deploymentId: string;
  syncEventId: string;
}

/** The ids behind the detail pages: demo targets, an application, and a deployment requested here. */
async function seed(page: Page): Promise<Seeded> {
  await page.goto("/");
  const headers = { origin: new URL(page.url()).origin };
  const target = async (name: string) => {
    const res = await page.request.get(`/api/targets?q=${name}`);
    const hit = ((await res.json()) as { items: { id: string; name: string }[] }).items.find((t) => t.name === name);
    expect(hit, `demo target ${name}`).toBeDefined();
    return hit!.id;
  };
  const pushTargetId = await target("shop-dev");
  const pullTargetId = await target("web-staging");
  const apps = (await (await page.request.get("/api/applications")).json()) as { items: { id: string }[] };
  expect(apps.items.length, "the demo seeds applications").toBeGreaterThan(0);
  const id = uid();
  // A long reason and name: the deployment page must wrap them, not widen.
  const res = await page.request.post("/api/deployments", {
    headers,
    data: {
      targetId: pushTargetId,
      reason: `Layout check ${id}: ${"a-rather-long-unbroken-reason-".repeat(4)}and a sentence that goes on for a while.`,
      source: {
        kind: "manifests",
        manifests: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: every-page-${id}-${"x".repeat(40)}\ndata:\n  k: v\n`,
      },
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const deploymentId = ((await res.json()) as { id: string }).id;
  // A sync of the demo agent (started by npm start with the seeded pull target) for the sync event's page.
  let syncEventId = "";
  await expect
    .poll(
      async () => {
        const events = await page.request.get(`/api/sync-events?targetId=${pullTargetId}&limit=1`);
        syncEventId = ((await events.json()) as { items: { id: string }[] }).items[0]?.id ?? "";
        return syncEventId;
      },
      { message: "a sync event of the demo agent", timeout: 60_000 },
    )
    .not.toBe("");
  return { pushTargetId, pullTargetId, applicationId: apps.items[0]!.id, deploymentId, syncEventId };
}

/** Each route with the URL that shows it (detail pages with a seeded id). */
function pagesFor(s: Seeded): Record<string, string> {
  return {
    "/": "/",
    "/applications": "/applications",
    "/applications/[id]": `/applications/${s.applicationId}`,
    "/applications/drift": "/applications/drift",
    "/applications/new": "/applications/new",
    "/audit": "/audit",
    "/credentials": "/credentials",
    "/credentials/access": "/credentials/access",
    "/deployments": "/deployments",
    "/deployments/[id]": `/deployments/${s.deploymentId}`,
    "/environments": "/environments",
    "/notifications": "/notifications",
    "/policies": "/policies",
    "/rotation": "/rotation",
    "/sync": "/sync",
    "/sync/[id]": `/sync/${s.syncEventId}`,
    "/targets": "/targets",
    "/targets/[id]": `/targets/${s.pushTargetId}`,
    "/targets/[id]/deploy": `/targets/${s.pushTargetId}/deploy`,
    "/targets/[id]/edit": `/targets/${s.pushTargetId}/edit`,
    "/targets/import": "/targets/import",
    "/targets/new": "/targets/new",
    "/tokens": "/tokens",
    "/users": "/users",
  };
}

/** What sticks out past the viewport's right edge, to name in the failure (the widest few). */
async function overflowReport(page: Page): Promise<{ scrollWidth: number; innerWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    const culprits: { right: number; name: string }[] = [];
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= innerWidth + 1) continue;
      // Only the outermost offender of a chain: its ancestors inside the viewport are not the cause.
      const parent = el.parentElement?.getBoundingClientRect();
      if (parent && parent.right > innerWidth + 1) continue;
      // Content clipped by a scroll container that fits (a wide table in its own scroller) does not widen the page.
      let clipped = false;
      for (let a = el.parentElement; a && !clipped; a = a.parentElement)
        clipped = getComputedStyle(a).overflowX !== "visible" && a.getBoundingClientRect().right <= innerWidth + 1;
      if (clipped) continue;
      const cls = typeof el.className === "string" ? el.className.split(" ").slice(0, 4).join(".") : "";
      culprits.push({ right: Math.round(r.right), name: `${el.tagName.toLowerCase()}${cls ? `.${cls}` : ""}` });
    }
    culprits.sort((a, b) => b.right - a.right);
    return {
      scrollWidth: document.scrollingElement!.scrollWidth,
      innerWidth,
      culprits: culprits.slice(0, 5).map((c) => `${c.name} (right edge ${c.right}px)`),
    };
  });
}

async function checkEveryPage(page: Page, testInfo: TestInfo, width: number): Promise<void> {
  const pages = pagesFor(await seed(page));
  // A page added under app/(dashboard) without a URL here fails, so "every page" stays every page.
  expect(Object.keys(pages).sort()).toEqual(dashboardRoutes());

  for (const [route, url] of Object.entries(pages)) {
    await test.step(`${route} at ${width} px`, async () => {
      await gotoHydrated(page, url);
      await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
      // Client-side fetches (charts, lists) settle before measuring; polling pages never go fully idle, hence the cap.
      await page.waitForLoadState("networkidle", { timeout: 2_000 }).catch(() => undefined);

      const slug = route === "/" ? "overview" : route.slice(1).replace(/[[\]]/g, "").replace(/\//g, "-");
      const file = testInfo.outputPath(`${slug}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await testInfo.attach(`${slug} at ${width} px`, { path: file, contentType: "image/png" });

      const overflow = await overflowReport(page);
      expect
        .soft(overflow.scrollWidth, `${url} scrolls sideways at ${width} px: ${overflow.culprits.join(", ")}`)
        .toBeLessThanOrEqual(overflow.innerWidth);

      if (width >= 1280) {
        // On a laptop every column shows: long cells wrap or truncate rather than the table scrolling in its card.
        const wide = await page.evaluate(() =>
          Array.from(document.querySelectorAll<HTMLElement>("[data-table-scroll]"))
            .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
            .map(
              (el) =>
                `${el.querySelector("table")?.getAttribute("aria-label")} (${el.scrollWidth} in ${el.clientWidth} px)`,
            ),
        );
        expect.soft(wide, `${url}: tables wider than their card at ${width} px`).toEqual([]);
      }

      const axe = await new AxeBuilder({ page }).analyze();
      const serious = axe.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`);
      expect.soft(serious, `${url} at ${width} px`).toEqual([]);
    });
  }
}

for (const viewport of [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
]) {
  test.describe(`at ${viewport.width} px`, () => {
    test.use({ viewport });

    test("no page scrolls sideways or has a serious accessibility violation; each page's screenshot is kept", async ({
      page,
    }, testInfo) => {
      // 22 pages, each loaded, photographed and checked by axe-core: 2-4 min on a busy 2-core machine next to other specs.
      test.setTimeout(600_000);
      await checkEveryPage(page, testInfo, viewport.width);
    });
  });
}
