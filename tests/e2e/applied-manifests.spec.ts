import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { gotoHydrated, signedInPageAs, uid } from "./support";

test("an approver downloads a deployment's manifests byte for byte from its page; a viewer sees the digest only", async ({
  browser,
  page,
}) => {
  // Three people sign in (argon2 on a busy machine) before the first assertion.
  test.setTimeout(120_000);
  const id = uid();
  const deployer = await signedInPageAs(browser, page, "deployer");
  const approver = await signedInPageAs(browser, page, "approver");
  const viewer = await signedInPageAs(browser, page, "viewer");
  const targets = await deployer.request.get("/api/targets?q=payments-prod");
  const target = ((await targets.json()) as { items: { id: string; name: string }[] }).items.find(
    (t) => t.name === "payments-prod",
  );
  const manifests = `# kept as written\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: file-${id}\n  namespace: payments-prod\ndata:\n  a: "1"\n`;
  const res = await deployer.request.post("/api/deployments", {
    data: { targetId: target!.id, source: { kind: "manifests", manifests }, reason: `Download ${id}` },
    headers: { origin: new URL(deployer.url()).origin },
  });
  expect(res.status(), await res.text()).toBe(201);
  const deploymentId = ((await res.json()) as { id: string }).id;

  await gotoHydrated(approver, `/deployments/${deploymentId}`);
  const record = approver.getByTestId("applied-manifests");
  await expect(record).toContainText("payments-prod");
  const sha = (await approver.getByTestId("applied-manifests-sha256").textContent())!.trim();
  expect(sha).toMatch(/^[0-9a-f]{64}$/);
  const [download] = await Promise.all([
    approver.waitForEvent("download"),
    approver.getByRole("link", { name: /Download .*manifests/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`${deploymentId}-${sha.slice(0, 12)}\\.yaml$`));
  expect(await readFile((await download.path())!, "utf8")).toBe(manifests);

  await gotoHydrated(viewer, `/deployments/${deploymentId}`);
  await expect(viewer.getByTestId("applied-manifests-sha256")).toHaveText(sha);
  await expect(viewer.getByRole("link", { name: /Download .*manifests/ })).toHaveCount(0);
});
