import { expect, test } from "@playwright/test";
import { formatDateTime } from "@/lib/format/date";
import { fakeJwt, gotoHydrated, uid } from "./support";

// A browser far from the server in zone and locale: the credentials list is rendered on the server and hydrated here,
// so a date written with either side's own locale or zone ("Dec 9, 2026, 8:05 AM" vs "10.12.2026, 08:05") would make
// React discard the server's HTML. Every date is written in UTC with the zone shown, the same on both sides.
test.use({ locale: "de-DE", timezoneId: "Pacific/Kiritimati" });

test("the credentials list shows the same UTC dates as the server rendered, in a browser in another zone and locale", async ({
  page,
}) => {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && /hydrat|#418|#423|#425/i.test(m.text())) problems.push(m.text());
  });

  await page.goto("/");
  const origin = new URL(page.url()).origin;
  const name = `dates-${uid()}`;
  const created = await page.request.post("/api/targets", {
    data: { name, environment: "staging", mode: "push", serverUrl: "https://10.9.8.7:6443" },
    headers: { origin },
  });
  expect(created.status(), await created.text()).toBe(201);
  const targetId = ((await created.json()) as { id: string }).id;
  // Expired an hour ago, on a whole minute: the list shows it to the minute.
  const expiresAt = new Date(Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000);
  const stored = await page.request.post(`/api/targets/${targetId}/credentials`, {
    data: { kind: "service-account-token", token: fakeJwt(expiresAt) },
    headers: { origin },
  });
  expect(stored.status(), await stored.text()).toBe(201);

  await gotoHydrated(page, "/credentials?status=expired");
  const row = page.getByRole("row").filter({ hasText: name });
  const expires = row.locator("time").first();
  await expect(expires).toHaveText(formatDateTime(expiresAt));
  await expect(expires).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await expect(expires).toHaveAttribute("datetime", expiresAt.toISOString());
  expect(problems).toEqual([]);
});
