import { expect, test, type Page } from "@playwright/test";

/** Fails when the page scrolls sideways (the layout is wider than the viewport). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `page is ${scrollWidth} px wide in a ${clientWidth} px viewport`).toBeLessThanOrEqual(
    clientWidth,
  );
}

/** Opens the seeded application `name` on the target `target` from the Applications list. */
async function openApplication(page: Page, name: string, target: string): Promise<void> {
  await page.goto(`/applications?name=${name}`);
  const row = page.getByRole("table", { name: "Applications" }).getByRole("row").filter({ hasText: target });
  await row.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

test("a pull application's live state: health, then the tree walked with the keyboard down to a Pod's phase and image", async ({
  page,
}) => {
  test.setTimeout(120_000);
  // catalog (demo-applications.ts) is a kustomize overlay on web-staging, the target the demo agent serves: a
  // Deployment of nginx:1.27 with 2 replicas, a Service and a ConfigMap.
  await openApplication(page, "catalog", "web-staging");
  const live = page.locator("section").filter({ has: page.getByRole("heading", { name: "Live state" }) });
  const tree = page.getByRole("tree", { name: "Resources of catalog" });
  // The agent reports after its first sync; the page polls, so the tree appears without a reload.
  await expect(tree).toBeVisible({ timeout: 60_000 });
  // The application's health: a glyph and a word, not a colour alone.
  await expect(live).toContainText(/Health\s*[✓↻✕⏸∅?]\s*(Healthy|Progressing|Degraded|Suspended|Missing|Unknown)/);
  await expect(live.getByText(/Reported by agent .+ \(pull\)/)).toBeVisible();
  // Once reported, the tree is in the page as the server sends it, not fetched after the page's scripts ran.
  const html = await (await page.request.get(page.url())).text();
  expect(html).toContain('aria-label="Resources of catalog"');

  // Top level expanded, what it owns collapsed.
  const deployment = tree.getByRole("treeitem", { name: /^Deployment .*\/catalog$/ });
  await expect(deployment).toHaveAttribute("aria-expanded", "true");
  const replicaSet = tree.getByRole("treeitem", { name: /^ReplicaSet / }).first();
  await expect(replicaSet).toHaveAttribute("aria-expanded", "false");
  await expect(tree.getByRole("treeitem", { name: /^Pod / })).toHaveCount(0);
  // Sync status per object (issue 15, Must 1): the agent's last check found catalog's own objects as Wharf applied
  // them; an expanded object shows its recent Events.
  await expect(deployment.locator(":scope > div").first()).toContainText(/=\s*Synced/);
  await expect(deployment.getByRole("list", { name: "Events of Deployment catalog" })).toContainText(
    "ScalingReplicaSet",
  );

  // Keyboard only: focus the Deployment, Down to its ReplicaSet, Right opens it, Right again enters its first Pod.
  await deployment.focus();
  await page.keyboard.press("ArrowDown");
  await expect(replicaSet).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(replicaSet).toHaveAttribute("aria-expanded", "true");
  await expect(replicaSet.getByRole("list", { name: /^Events of ReplicaSet catalog-/ })).toContainText(
    "SuccessfulCreate",
  );
  await page.keyboard.press("ArrowRight");
  const pod = tree.getByRole("treeitem", { name: /^Pod / }).first();
  await expect(pod).toBeFocused();
  await expect(pod).toHaveAttribute("aria-level", "3");
  await expect(pod).toContainText(/Phase\s*(Running|Pending|Succeeded)/);
  await expect(pod).toContainText("nginx:1.27");
  await expect(pod).toContainText(/Restarts\s*\d+/);
  // Left goes back to the parent, and Left again closes it.
  await page.keyboard.press("ArrowLeft");
  await expect(replicaSet).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(replicaSet).toHaveAttribute("aria-expanded", "false");

  // On a phone the tree wraps instead of widening the page.
  await page.setViewportSize({ width: 390, height: 844 });
  await replicaSet.press("ArrowRight");
  await expect(tree.getByRole("treeitem", { name: /^Pod / }).first()).toBeVisible();
  await expectNoSidewaysScroll(page);
});

test("a push application's live state is read from its cluster with the target's credential, and says so", async ({
  page,
}) => {
  test.setTimeout(120_000);
  // guestbook (demo-applications.ts) is a plain push application on shop-dev, deployed at first start.
  await openApplication(page, "guestbook", "shop-dev");
  const live = page.locator("section").filter({ has: page.getByRole("heading", { name: "Live state" }) });
  await expect(live.getByText(/Read from the cluster with .+ \(push\)/)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("tree", { name: "Resources of guestbook" })).toBeVisible();
  await expect(live).toContainText(/Health\s*[✓↻✕⏸∅?]\s*(Healthy|Progressing|Degraded|Suspended|Missing|Unknown)/);
  // A push application's tree is not in the page as served: rendering a page never reads a cluster with a credential.
  const html = await (await page.request.get(page.url())).text();
  expect(html).not.toContain('aria-label="Resources of guestbook"');
});
