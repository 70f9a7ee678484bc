import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { fakeJwt, gotoHydrated, signedInPageAs, uid } from "./support";

test("an auditor (viewer) filters the credential access log for one credential and downloads it as CSV", async ({
  page,
  browser,
}) => {
  // Seed as the admin: a new push target and its credential, which writes a credential.stored row; a second
  // target's credential gives the filter something to leave out.
  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const token = fakeJwt(new Date(Date.now() + 90 * 86_400_000), `system:serviceaccount:ci:auditor-${uid()}`);
  const seeded: { targetId: string; credentialId: string; fingerprint: string; label: string }[] = [];
  for (const name of [`access-${uid()}`, `other-${uid()}`]) {
    const target = await page.request.post("/api/targets", {
      data: { name, environment: "staging", mode: "push", serverUrl: "https://10.9.8.7:6443" },
      headers: { origin },
    });
    expect(target.status(), await target.text()).toBe(201);
    const targetId = ((await target.json()) as { id: string }).id;
    const stored = await page.request.post(`/api/targets/${targetId}/credentials`, {
      data: {
        kind: "service-account-token",
        token: name.startsWith("access") ? token : fakeJwt(new Date(Date.now() + 86_400_000)),
      },
      headers: { origin },
    });
    expect(stored.status(), await stored.text()).toBe(201);
    const { credential } = (await stored.json()) as { credential: { id: string; fingerprint: string } };
    seeded.push({
      targetId,
      credentialId: credential.id,
      fingerprint: credential.fingerprint,
      label: `${name} service-account-token`,
    });
  }
  const [mine, other] = seeded as [(typeof seeded)[number], (typeof seeded)[number]];

  const auditor = await signedInPageAs(browser, page, "viewer");
  await auditor.goto("/credentials");
  await auditor.getByRole("link", { name: "Credential access", exact: true }).first().click();
  await expect(auditor.getByRole("heading", { level: 1, name: "Credential access" })).toBeVisible();

  // Credentials are found by their label ("<target name> <kind>" unless given one), not their id.
  await auditor.getByLabel("Credential", { exact: true }).fill(mine.label);
  await auditor.getByRole("button", { name: "Apply" }).click();
  await expect(auditor).toHaveURL(new RegExp(`credential=${mine.label.replace(" ", "\\+")}`));
  const rows = auditor.getByTestId("credential-access-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("credential.stored");
  await expect(rows.first()).toContainText(mine.fingerprint);
  await expect(auditor.locator("body")).not.toContainText(other.fingerprint);

  // The filter survives a reload: the URL is the shareable view.
  await auditor.reload();
  await expect(auditor.getByTestId("credential-access-row")).toHaveCount(1);

  const downloading = auditor.waitForEvent("download");
  await auditor.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^wharf-credential-access-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  const lines = csv.split("\r\n").filter((l) => l !== "");
  expect(lines[0]).toBe(
    "time,seq,id,actor_kind,actor_id,actor_name,action,credential_id,credential_label,credential_kind,fingerprint,target_id,target_name,target_environment,purpose,purpose_id,application,deployment_reason,deployment_requester,revision,outcome,reason,ip,user_agent,request_id,prev_hash,hash",
  );
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(mine.fingerprint);
  expect(lines[1]).toContain("credential.stored");
  expect(csv).not.toContain(other.fingerprint);
  // Never the secret: neither the token nor its signature part.
  expect(csv).not.toContain(token);
  expect(csv).not.toContain(token.split(".")[2]!);
  await auditor.context().close();
});

test("the audit trail filters by action and target name, keeps the filter in the URL, and Reset shows everything again", async ({
  page,
}) => {
  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const name = `trail-${uid()}`;
  const created = await page.request.post("/api/targets", {
    data: { name, environment: "staging", mode: "push", serverUrl: "https://10.9.8.6:6443" },
    headers: { origin },
  });
  expect(created.status(), await created.text()).toBe(201);

  await gotoHydrated(page, "/audit");
  await page.getByLabel("Action").selectOption("target.created");
  await page.getByLabel("Target", { exact: true }).fill(` ${name} `);
  await page.getByRole("button", { name: "Apply" }).click();
  // Trimmed before it is applied: the URL holds the name alone.
  await expect(page).toHaveURL(new RegExp(`action=target\\.created.*target=${name}$`));
  const table = page.getByRole("table", { name: "Audit events" });
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table.locator("tbody tr").first()).toContainText(name);
  await expect(page.getByText("1 shown")).toBeVisible();

  await page.getByRole("button", { name: "Reset" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByLabel("Action")).toHaveValue("");
  await expect(table.locator("tbody tr").nth(1)).toBeVisible();
});

test("the credentials list filters by status in the URL and goes back to the first page when the status changes", async ({
  page,
}) => {
  await gotoHydrated(page, "/credentials");
  const group = page.getByRole("group", { name: "Filter by status" });
  await group.getByRole("button", { name: /^OK/ }).click();
  await expect(page).toHaveURL(/\/credentials\?status=ok$/);
  await expect(group.getByRole("button", { name: /^OK/ })).toHaveAttribute("aria-pressed", "true");
  await expect(group.getByRole("button", { name: /^All/ })).toHaveAttribute("aria-pressed", "false");
  // Every row shown has the status filtered for (found by its header: columns come and go; a cluster-admin badge may
  // follow the status in its cell).
  const table = page.getByRole("table", { name: "Credentials" });
  const headers = (await table.locator("thead th").allTextContents()).map((h) => h.trim());
  expect(headers).toContain("Status");
  const statuses = table.locator(`tbody tr td:nth-child(${headers.indexOf("Status") + 1})`);
  await expect(statuses.first()).toBeVisible();
  for (const text of await statuses.allInnerTexts()) expect(text.trim().startsWith("OK"), text).toBe(true);

  await group.getByRole("button", { name: /^All/ }).click();
  await expect(page).toHaveURL(/\/credentials$/);
});
