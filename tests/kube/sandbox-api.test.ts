import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "@/lib/kube/sandbox";
import type { Sandbox } from "@/lib/kube/sandbox";
import { sandboxInternals } from "@/lib/kube/sandbox/server";
import { rawRequest } from "@/tests/support/sandbox";

let sandbox: Sandbox;
const CM = "/api/v1/namespaces/default/configmaps";

beforeAll(async () => {
  sandbox = await startSandbox({ rolloutDelayMs: 100 });
  for (const [name, tier] of [
    ["a", "web"],
    ["b", "db"],
    ["c", "cache"],
    ["d", ""],
  ] as const) {
    const labels: Record<string, string> = tier ? { tier, team: "x" } : { team: "y" };
    const r = await rawRequest(sandbox, "POST", CM, {
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data: { k: name } },
    });
    expect(r.status).toBe(201);
  }
});

afterAll(async () => {
  await sandbox?.stop();
});

const names = (r: { json: { items: Array<{ metadata: { name: string } }> } }) =>
  r.json.items.map((i) => i.metadata.name).filter((n) => n !== "kube-root-ca.crt");

describe("sandbox API semantics", () => {
  it("filters with equality and set-based label selectors and field selectors", async () => {
    const q = async (sel: string) =>
      names(await rawRequest(sandbox, "GET", `${CM}?labelSelector=${encodeURIComponent(sel)}`));
    expect(await q("tier in (web,db)")).toEqual(["a", "b"]);
    expect(await q("tier notin (web),team=x")).toEqual(["b", "c"]);
    expect(await q("!tier")).toEqual(["d"]);
    expect(await q("tier")).toEqual(["a", "b", "c"]);
    expect(await q("team!=x")).toEqual(["d"]);
    expect(names(await rawRequest(sandbox, "GET", `${CM}?fieldSelector=metadata.name%3Dc`))).toEqual(["c"]);
    const bad = await rawRequest(sandbox, "GET", `${CM}?fieldSelector=spec.foo%3Dx`);
    expect(bad.status).toBe(400);
  });

  it("pages with limit/continue and answers 410 Expired for a compacted continue token", async () => {
    const first = await rawRequest(sandbox, "GET", `${CM}?limit=2`);
    expect(first.json.items).toHaveLength(2);
    expect(first.json.metadata.remainingItemCount).toBe(3);
    const token = first.json.metadata.continue as string;
    const second = await rawRequest(sandbox, "GET", `${CM}?limit=2&continue=${token}`);
    expect(second.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["c", "d"]);
    // A write after the snapshot, then a compaction past it: the snapshot the token points at is gone.
    await rawRequest(sandbox, "POST", CM, {
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "later" } },
    });
    sandboxInternals(sandbox).store.compact();
    const expired = await rawRequest(sandbox, "GET", `${CM}?limit=2&continue=${token}`);
    expect(expired.status).toBe(410);
    expect(expired.json).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
  });

  it("rejects invalid objects with 422 and real causes, stale updates with 409, unknown resources with 404", async () => {
    const invalid = await rawRequest(sandbox, "POST", CM, {
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad_Name" } },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json.reason).toBe("Invalid");
    expect(invalid.json.message).toMatch(
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(invalid.json.details.causes[0]).toMatchObject({ reason: "FieldValueInvalid", field: "metadata.name" });
    const missing = await rawRequest(sandbox, "POST", CM, {
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: {} },
    });
    expect(missing.json.details.causes[0]).toMatchObject({
      reason: "FieldValueRequired",
      field: "metadata.name",
      message: "Required value: name or generateName is required",
    });

    const current = await rawRequest(sandbox, "GET", `${CM}/a`);
    const ok = await rawRequest(sandbox, "PUT", `${CM}/a`, { body: { ...current.json, data: { k: "a2" } } });
    expect(ok.status).toBe(200);
    const stale = await rawRequest(sandbox, "PUT", `${CM}/a`, { body: { ...current.json, data: { k: "a3" } } });
    expect(stale.status).toBe(409);
    expect(stale.json.message).toBe(
      'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
    );

    expect((await rawRequest(sandbox, "GET", "/apis/apps/v1/namespaces/default/gizmos")).status).toBe(404);
    const noField = await rawRequest(sandbox, "PATCH", `${CM}/a`, {
      body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
      contentType: "application/apply-patch+yaml",
    });
    expect(noField.status).toBe(422);
    expect(noField.json.message).toContain("fieldManager: Required value: is required for apply patch");
  });

  it("patches with strategic merge (list merge by name, $patch: delete) and JSON patch", async () => {
    const dep = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [
              {
                name: "a",
                image: "nginx:1",
                env: [
                  { name: "X", value: "1" },
                  { name: "Y", value: "2" },
                ],
              },
              { name: "b", image: "busybox:1" },
            ],
          },
        },
      },
    };
    expect(
      (await rawRequest(sandbox, "POST", "/apis/apps/v1/namespaces/default/deployments", { body: dep })).status,
    ).toBe(201);
    const smp = await rawRequest(sandbox, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", {
      contentType: "application/strategic-merge-patch+json",
      body: {
        spec: {
          template: {
            spec: {
              containers: [
                { name: "a", image: "nginx:2", env: [{ name: "Y", $patch: "delete" }] },
                { name: "b", $patch: "delete" },
              ],
            },
          },
        },
      },
    });
    expect(smp.status).toBe(200);
    const containers = smp.json.spec.template.spec.containers;
    expect(containers).toHaveLength(1);
    expect(containers[0]).toMatchObject({ name: "a", image: "nginx:2", env: [{ name: "X", value: "1" }] });
    expect(smp.json.metadata.generation).toBe(2);

    const jp = await rawRequest(sandbox, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", {
      contentType: "application/json-patch+json",
      body: [
        { op: "replace", path: "/spec/replicas", value: 3 },
        { op: "add", path: "/metadata/labels", value: { a: "b" } },
      ],
    });
    expect(jp.json.spec.replicas).toBe(3);
    expect(jp.json.metadata.labels).toEqual({ a: "b" });
    const scale = await rawRequest(sandbox, "GET", "/apis/apps/v1/namespaces/default/deployments/web/scale");
    expect(scale.json).toMatchObject({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      spec: { replicas: 3 },
      status: { selector: "app=web" },
    });
  });

  it("keeps an object with finalizers until they are removed", async () => {
    await rawRequest(sandbox, "POST", CM, {
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", finalizers: ["example.com/hold"] } },
    });
    const del = await rawRequest(sandbox, "DELETE", `${CM}/held`);
    expect(del.status).toBe(200);
    const still = await rawRequest(sandbox, "GET", `${CM}/held`);
    expect(still.json.metadata.deletionTimestamp).toBeTruthy();
    const release = await rawRequest(sandbox, "PATCH", `${CM}/held`, {
      contentType: "application/merge-patch+json",
      body: { metadata: { finalizers: null } },
    });
    expect(release.status).toBe(200);
    expect((await rawRequest(sandbox, "GET", `${CM}/held`)).status).toBe(404);
  });

  it("answers 429 with Retry-After when throttling is on", async () => {
    const throttled = await startSandbox({ throttle: { everyNth: 2 } });
    try {
      const codes: number[] = [];
      let retryAfter: unknown;
      for (let i = 0; i < 4; i++) {
        const r = await rawRequest(throttled, "GET", "/api/v1/namespaces", { token: throttled.adminToken });
        codes.push(r.status);
        if (r.status === 429) retryAfter = r.headers["retry-after"];
      }
      expect(codes).toEqual([200, 429, 200, 429]);
      expect(retryAfter).toBe("1");
    } finally {
      await throttled.stop();
    }
  });
});
