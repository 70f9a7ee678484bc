import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { fakeJwt, signedInPageAs, uid } from "./support";

// Issue 16, Musts 1 and 3: an auditor finds every use of one credential by typing its target's name (not an id), picks
// it from the suggestions with the keyboard, and downloads what they found; the target is deleted first, and its rows
// still read by name. An unknown name says so.
test("an auditor (viewer) finds every use of a deleted target's credential by typing the target's name, and downloads it", async ({
  page,
  browser,
}) => {
  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const id = uid();
  const mine = `pay${id}-payments`;
  const other = `pay${id}-payroll`;
  const seeded: Record<string, { targetId: string; credentialId: string; fingerprint: string }> = {};
  for (const name of [mine, other]) {
    // Port 1 refuses at once: the scope check fails fast, after its decrypt was audited.
    const target = await page.request.post("/api/targets", {
      data: { name, environment: "production", mode: "push", serverUrl: "https://127.0.0.1:1" },
      headers: { origin },
    });
    expect(target.status(), await target.text()).toBe(201);
    const targetId = ((await target.json()) as { id: string }).id;
    const stored = await page.request.post(`/api/targets/${targetId}/credentials`, {
      data: { kind: "service-account-token", token: fakeJwt(new Date(Date.now() + 30 * 86_400_000)) },
      headers: { origin },
    });
    expect(stored.status(), await stored.text()).toBe(201);
    const { credential } = (await stored.json()) as { credential: { id: string; fingerprint: string } };
    seeded[name] = { targetId, credentialId: credential.id, fingerprint: credential.fingerprint };
  }
  // Two uses of the credential (each a credential.decrypted row), one of the other target's.
  for (const name of [mine, mine, other]) {
    const check = await page.request.post(`/api/credentials/${seeded[name]!.credentialId}/scope-check`, {
      headers: { origin },
    });
    expect(check.status(), await check.text()).toBeGreaterThanOrEqual(200);
  }
  const deleted = await page.request.delete(`/api/targets/${seeded[mine]!.targetId}`, { headers: { origin } });
  expect(deleted.status(), await deleted.text()).toBe(204);

  const auditor = await signedInPageAs(browser, page, "viewer");
  await auditor.goto("/credentials/access");
  await expect(auditor.getByRole("heading", { level: 1, name: "Credential access" })).toBeVisible();

  // Type the start of the name (any case); the suggestions list both targets with audit events, deleted or not.
  const field = auditor.getByRole("combobox", { name: "Target" });
  await field.fill(`PAY${id.toUpperCase()}`);
  const listbox = auditor.getByRole("listbox", { name: "Suggestions" });
  await expect(field).toHaveAttribute("aria-expanded", "true");
  await expect(listbox.getByRole("option", { name: mine })).toBeVisible();
  await expect(listbox.getByRole("option", { name: other })).toBeVisible();
  await field.pressSequentially("-PAYM");
  await expect(listbox.getByRole("option")).toHaveCount(1);
  await field.press("ArrowDown");
  await expect(listbox.getByRole("option", { name: mine })).toHaveAttribute("aria-selected", "true");
  await field.press("Enter");
  await expect(field).toHaveValue(mine);
  await expect(field).toHaveAttribute("aria-expanded", "false");
  await field.press("Enter");
  await expect(auditor).toHaveURL(new RegExp(`target=${mine}$`));

  // Every use and the store of its credential, read by name though the target is gone.
  const rows = auditor.getByTestId("credential-access-row");
  await expect(rows.filter({ hasText: "credential.stored" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "credential.decrypted" }).nth(1)).toBeVisible();
  const shown = await rows.count();
  for (const row of await rows.all()) {
    await expect(row).toContainText(mine);
    await expect(row).toContainText(`${mine} service-account-token`);
    await expect(row).toContainText(seeded[mine]!.fingerprint);
  }
  await expect(auditor.locator("body")).not.toContainText(seeded[other]!.fingerprint);

  const downloading = auditor.waitForEvent("download");
  await auditor.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  const csv = fs.readFileSync((await download.path())!, "utf8");
  const [header, ...lines] = csv.split("\r\n").filter((l) => l !== "");
  const cols = header!.split(",");
  const cell = (line: string, col: string) => line.split(",")[cols.indexOf(col)];
  expect(lines).toHaveLength(shown);
  for (const line of lines) {
    expect(cell(line, "target_name")).toBe(mine);
    expect(cell(line, "target_environment")).toBe("production");
    expect(cell(line, "credential_label")).toBe(`${mine} service-account-token`);
    expect(cell(line, "fingerprint")).toBe(seeded[mine]!.fingerprint);
  }
  expect(lines.filter((l) => cell(l, "action") === "credential.decrypted").length).toBeGreaterThanOrEqual(2);
  expect(csv).not.toContain(seeded[other]!.fingerprint);

  // A name no row carries says so, instead of an empty list that reads like "nobody used it".
  await field.fill(`no-such-${id}`);
  await field.press("Escape");
  await auditor.getByRole("button", { name: "Apply" }).click();
  await expect(auditor.getByText(`No target named 'no-such-${id}' has audit events`)).toBeVisible();
  await expect(rows).toHaveCount(0);
  await auditor.context().close();
});
