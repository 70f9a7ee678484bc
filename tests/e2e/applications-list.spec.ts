import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { uid } from "./support";

// The Applications list (issue 15, Must 3): filtered by health from the keyboard, the filter in the URL and a chip,
// a row followed to its application; a filter that matches nothing says so and clears; at 390 px the table scrolls
// inside its card, never the page. The test makes its own pull target, applications and agent, and reports their
// live state through the agent protocol, as the agent would.

async function post(request: APIRequestContext, origin: string, url: string, data: unknown, token?: string) {
  const res = await request.post(url, {
    data,
    headers: { origin, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  expect(res.status(), `${url}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

const state = (targetId: string, repoId: string, health: "Healthy" | "Degraded", image: string) => ({
  targetId,
  repoId,
  revisionId: "c0ffee".padEnd(40, "0"),
  health: { status: health, ...(health === "Degraded" ? { message: "web: 0/1 ready" } : {}) },
  roots: [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "default",
      name: "web",
      health: { status: health },
      inInventory: true,
      children: [
        {
          apiVersion: "v1",
          kind: "Pod",
          namespace: "default",
          name: "web-0",
          health: { status: health },
          inInventory: false,
          pod: { phase: "Running", restarts: 0, ready: health === "Healthy" ? 1 : 0, containers: 1, images: [image] },
          children: [],
        },
      ],
    },
  ],
  nodeCount: 2,
  truncated: false,
  observedAt: new Date().toISOString(),
});

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `page is ${scrollWidth} px wide in a ${clientWidth} px viewport`).toBeLessThanOrEqual(
    clientWidth,
  );
}

test("the Applications list filters by health from the keyboard and a row opens its application", async ({ page }) => {
  const env = `e2e-${uid()}`;
  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const target = await post(page.request, origin, "/api/targets", {
    name: `list-${uid()}`,
    environment: env,
    mode: "pull",
    serverUrl: "https://127.0.0.1:6443",
  });
  const app = (name: string) =>
    post(page.request, origin, "/api/applications", {
      name,
      targetId: target.id,
      source: { kind: "git", repoUrl: `https://git.example.test/e2e/${name}.git`, ref: "main", path: "." },
    });
  const healthy = await app(`ok-${uid()}`);
  const degraded = await app(`bad-${uid()}`);
  const agent = await post(page.request, origin, "/api/agents", { name: `agent-${uid()}`, targetIds: [target.id] });
  const enrolled = await post(page.request, origin, "/api/agent/v1/enrol", {
    enrolmentToken: agent.secret,
    hostname: "e2e-host",
    version: "0.0.0-e2e",
  });
  await post(
    page.request,
    origin,
    "/api/agent/v1/live-state",
    {
      states: [
        state(target.id, healthy.pullRepoId, "Healthy", "registry.e2e/ok:1.0"),
        state(target.id, degraded.pullRepoId, "Degraded", "registry.e2e/bad:2.0"),
      ],
    },
    enrolled.credential,
  );

  await page.goto(`/applications?environment=${env}`);
  const table = page.getByRole("table", { name: "Applications" });
  await expect(table.getByTestId("application-row")).toHaveCount(2);
  await expect(table.getByRole("columnheader")).toHaveText([
    "Name",
    "Environment / target",
    "Mode",
    "Sync",
    "Health",
    "Live revision",
    "Last deployment or sync",
  ]);
  const badRow = table.getByTestId("application-row").filter({ hasText: degraded.name });
  await expect(badRow).toContainText("Degraded");
  await expect(badRow.getByTestId("live-revision")).toContainText("registry.e2e/bad:2.0");

  // Keyboard only: Tab to the Health filter, choose Degraded.
  const health = page.getByLabel("Health");
  await health.focus();
  await expect(health).toBeFocused();
  await health.selectOption("Degraded");
  await expect(page).toHaveURL(/health=Degraded/);
  await expect(page).toHaveURL(new RegExp(`environment=${env}`));
  await expect(
    page.getByRole("group", { name: "Applications are filtered by" }).getByTestId("filter-chip-health"),
  ).toContainText("health: Degraded");
  await expect(table.getByTestId("application-row")).toHaveCount(1);
  await expect(table.getByTestId("application-row")).toContainText(degraded.name);

  // The URL is the filter: a reload (or a shared link) shows the same rows.
  await page.reload();
  await expect(page.getByRole("table", { name: "Applications" }).getByTestId("application-row")).toHaveCount(1);

  // Follow the row from the keyboard.
  const link = page
    .getByRole("table", { name: "Applications" })
    .getByRole("link", { name: degraded.name, exact: true });
  await link.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/applications/${degraded.id}$`));
  await expect(page.getByRole("heading", { level: 1, name: degraded.name })).toBeVisible();

  // A filter that matches nothing says so, and its link clears every filter.
  await page.goto(`/applications?environment=${env}&health=Missing`);
  await expect(page.getByText("No applications match these filters")).toBeVisible();
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/applications$/);

  // A phone: the table scrolls inside its card; the page itself does not scroll sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/applications?environment=${env}`);
  await expect(page.getByRole("table", { name: "Applications" }).getByTestId("application-row")).toHaveCount(2);
  await expectNoSidewaysScroll(page);
});
