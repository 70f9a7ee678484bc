import fs from "node:fs";
import { expect, test } from "@playwright/test";
import YAML from "yaml";
import { fakeJwt, opensslCert, signedInPageAs, uid } from "./support";

const b64 = (s: string) => Buffer.from(s).toString("base64");

test("an admin imports two targets from a kubeconfig, with their credentials and status", async ({ page }) => {
  const id = uid();
  const ca = opensslCert("e2e-cluster-ca");
  const client = opensslCert("e2e-admin");
  const token = fakeJwt(new Date(Date.now() + 300 * 86_400_000));
  const kubeconfig = YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: `c-${id}`,
        cluster: { server: "https://10.20.30.40:6443", "certificate-authority-data": b64(ca.certPem) },
      },
    ],
    users: [
      { name: `tok-${id}`, user: { token } },
      {
        name: `cert-${id}`,
        user: { "client-certificate-data": b64(client.certPem), "client-key-data": b64(client.keyPem) },
      },
    ],
    contexts: [
      { name: `dev-${id}`, context: { cluster: `c-${id}`, user: `tok-${id}` } },
      { name: `ops-${id}`, context: { cluster: `c-${id}`, user: `cert-${id}` } },
    ],
    "current-context": `dev-${id}`,
  });

  await page.goto("/targets");
  await page.getByRole("link", { name: "Import from kubeconfig" }).click();
  await page.getByLabel("Kubeconfig").fill(kubeconfig);
  await page.getByRole("button", { name: "Preview contexts" }).click();
  // The preview names both contexts and never shows secret material.
  await expect(page.getByRole("listitem", { name: `Context dev-${id}` })).toBeVisible();
  await expect(page.getByRole("listitem", { name: `Context ops-${id}` })).toBeVisible();
  for (const ctx of [`dev-${id}`, `ops-${id}`]) {
    await expect(page.getByRole("listitem", { name: `Context ${ctx}` })).not.toContainText(token.slice(-20));
  }
  await page.getByRole("button", { name: "Import 2 targets" }).click();
  const imported = page.getByRole("list", { name: "Imported targets" });
  await expect(imported).toContainText(`dev-${id}`);
  await expect(imported).toContainText(`ops-${id}`);

  await page.goto("/targets");
  await page.getByRole("searchbox").fill(`dev-${id}`);
  await page.keyboard.press("Enter");
  await page.getByRole("link", { name: `dev-${id}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: `dev-${id}` })).toBeVisible();
  await expect(page.getByText("https://10.20.30.40:6443").first()).toBeVisible();
  await expect(page.getByTestId("credential-status")).toHaveAttribute("data-status", "ok");
  await expect(page.locator("body")).not.toContainText(token.slice(-20));
});

test("an admin creates a target, stores an expired token, and sees it flagged", async ({ page }) => {
  const name = `e2e-${uid()}`;
  await page.goto("/targets/new");
  await page.getByLabel("Name", { exact: true }).fill("Not A DNS Label");
  await page.getByLabel("Environment").fill("staging");
  await page.getByLabel("API server URL").fill("https://k8s.internal:6443");
  await page.getByRole("button", { name: /create target/i }).click();
  await expect(page.getByText(/lower-case|DNS/i).first()).toBeVisible();

  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: /create target/i }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();

  const token = fakeJwt(new Date(Date.now() - 3_600_000));
  await page.getByRole("button", { name: "Store credential" }).click();
  await page.getByLabel("Token").fill(token);
  await page.getByRole("form", { name: "Store credential" }).getByRole("button", { name: "Store credential" }).click();
  await expect(page.getByTestId("credential-status")).toHaveAttribute("data-status", "expired");
  await expect(page.locator("body")).not.toContainText(token);

  // Reloading shows the same status; the token itself is gone for good.
  await page.reload();
  await expect(page.getByTestId("credential-status")).toHaveAttribute("data-status", "expired");
  await expect(page.locator("body")).not.toContainText(token);
});

test("a viewer sees targets but no admin controls", async ({ page, browser }) => {
  const viewer = await signedInPageAs(browser, page, "viewer");
  await viewer.goto("/targets");
  await expect(viewer.getByRole("table", { name: "Deployment targets" })).toBeVisible();
  await expect(viewer.getByRole("link", { name: "New target" })).toHaveCount(0);
  await expect(viewer.getByRole("link", { name: "Import from kubeconfig" })).toHaveCount(0);
  await viewer.getByRole("table", { name: "Deployment targets" }).getByRole("link").first().click();
  await expect(viewer.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await expect(viewer.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: /store credential|replace credential/i })).toHaveCount(0);
  await expect(viewer.getByRole("link", { name: "Users" })).toHaveCount(0);
  await viewer.goto("/users");
  await expect(viewer).toHaveURL(/\/forbidden$/);
  await viewer.context().close();
});

test("the targets page, as a screenshot artifact", async ({ page }, testInfo) => {
  await page.goto("/targets");
  await expect(page.getByRole("table", { name: "Deployment targets" })).toBeVisible();
  const file = testInfo.outputPath("targets.png");
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach("targets page", { path: file, contentType: "image/png" });
  expect(fs.statSync(file).size).toBeGreaterThan(10_000);
});
