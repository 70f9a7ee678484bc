import { expect, test, type Locator, type Page } from "@playwright/test";
import { gotoHydrated, uid } from "./support";

/** A user of the given role made through the API, with a name and email of its own. */
async function createUser(
  page: Page,
  role: "viewer" | "deployer",
): Promise<{ id: string; email: string; name: string }> {
  const id = uid();
  const email = `roles-${id}@e2e.wharf`;
  const name = `Roles ${id}`;
  const res = await page.request.post("/api/users", {
    data: { email, name, role, password: `pw-${id}-${id}-long` },
    headers: { origin: new URL(page.url()).origin },
  });
  expect(res.status(), await res.text()).toBe(201);
  return { id: ((await res.json()) as { user: { id: string } }).user.id, email, name };
}

/** The user's row on /users, loading more pages until it shows (the list is oldest first, 50 a page). */
async function userRow(page: Page, email: string): Promise<Locator> {
  const row = page.getByRole("row").filter({ hasText: email });
  for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
    await page.getByRole("button", { name: /load more/i }).click();
    await page.waitForTimeout(200);
  }
  await expect(row).toBeVisible();
  return row;
}

async function roleOnServer(page: Page, email: string): Promise<string> {
  for (let cursor: string | null = null; ;) {
    const res = await page.request.get(`/api/users?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
    const body = (await res.json()) as { items: { email: string; role: string }[]; nextCursor: string | null };
    const hit = body.items.find((u) => u.email === email);
    if (hit) return hit.role;
    if (!body.nextCursor) throw new Error(`no user ${email}`);
    cursor = body.nextCursor;
  }
}

test("a role change is applied only when asked, says what happened, and promotion to admin is confirmed first", async ({
  page,
}) => {
  await page.goto("/");
  const user = await createUser(page, "viewer");
  await gotoHydrated(page, "/users");
  const row = await userRow(page, user.email);
  const select = row.getByLabel(`Role of ${user.email}`);

  // Choosing a role only drafts it: nothing changes until "Change role".
  await select.selectOption("deployer");
  expect(await roleOnServer(page, user.email)).toBe("viewer");
  await row.getByRole("button", { name: "Change role" }).click();
  await expect(row.getByRole("status")).toHaveText(`Role changed: ${user.email} is now deployer (was viewer).`);
  expect(await roleOnServer(page, user.email)).toBe("deployer");
  await expect(select).toBeFocused();

  // Promotion to admin asks first, naming the person and what admins may do; declining changes nothing.
  await select.selectOption("admin");
  await row.getByRole("button", { name: "Change role" }).click();
  const dialog = page.getByRole("dialog", { name: `Make ${user.name} (${user.email}) an admin?` });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("Admins manage users and their roles");
  await dialog.getByRole("button", { name: "Keep deployer" }).click();
  await expect(dialog).toBeHidden();
  expect(await roleOnServer(page, user.email)).toBe("deployer");

  // With the keyboard: Enter on "Change role", Enter on the dialog's focused "Make admin".
  await row.getByRole("button", { name: "Change role" }).focus();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Make admin" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(row.getByRole("status")).toHaveText(`Role changed: ${user.email} is now admin (was deployer).`);
  expect(await roleOnServer(page, user.email)).toBe("admin");

  // A demotion needs no confirmation, and says what it did like any other change.
  await select.selectOption("viewer");
  await row.getByRole("button", { name: "Change role" }).click();
  await expect(row.getByRole("status")).toHaveText(`Role changed: ${user.email} is now viewer (was admin).`);
});
