import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Document } from "yaml";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as importRoute from "@/app/api/targets/import/route";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createPushTarget } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let deployer: Caller;
let admin: Caller;

beforeAll(async () => {
  deployer = await createCaller("deployer");
  admin = await createCaller("admin");
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The reported attack: one 1.4 MB anchored string and 99 aliases to it (under yaml's alias count limit of 100): 139 MB expanded. */
function aliasBomb(lines: (big: string) => string[], size = 1_400_000): string {
  const big = "x".repeat(size);
  return lines(big).join("\n") + "\n";
}

describe("YAML alias expansion is bounded before anything is expanded", () => {
  it("POST /api/deployments with 99 aliases of a 1.4 MB string → 422 naming the alias; nothing is converted or stored", async () => {
    const target = await createPushTarget();
    const manifests = aliasBomb((big) => [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: bomb",
      "data:",
      `  a0: &s ${big}`,
      ...Array.from({ length: 99 }, (_, i) => `  a${i + 1}: *s`),
    ]);
    const toJS = vi.spyOn(Document.prototype, "toJS");
    const res = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: { targetId: target.id, source: { kind: "manifests", manifests }, reason: "alias bomb" },
      as: deployer,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.message).toMatch(
      /line 7, column \d+: invalid YAML: YAML aliases \(here \*s\) expand this input by more than 1 MiB/,
    );
    // The expansion was never built: no document was converted to plain values.
    expect(toJS).not.toHaveBeenCalled();
    expect(await dbFor(t.url).deployment.count({ where: { targetId: target.id } })).toBe(0);
  });

  it("small anchors still work: a label block aliased as annotations is accepted", async () => {
    const target = await createPushTarget();
    const manifests = [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: ok",
      "  labels: &l {app: web}",
      "  annotations: *l",
      "data:",
      '  x: "1"',
    ].join("\n");
    const toJS = vi.spyOn(Document.prototype, "toJS");
    const res = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: { targetId: target.id, source: { kind: "manifests", manifests }, reason: "small alias" },
      as: deployer,
    });
    expect(res.status, res.text).toBe(201);
    // The spy sees conversions (so its silence above means something).
    expect(toJS).toHaveBeenCalled();
  });

  it("kubeconfig import (1 MiB at most) refuses the same expansion with 422", async () => {
    const kubeconfig = aliasBomb(
      (big) => [
        "apiVersion: v1",
        "kind: Config",
        `preferences: {note: &s ${big}}`,
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]",
        "users: [{name: u, user: {token: abc}}]",
        "contexts: [{name: x, context: {cluster: c, user: u}}]",
        `extensions: [${Array.from({ length: 99 }, () => "*s").join(", ")}]`,
      ],
      900_000,
    );
    const toJS = vi.spyOn(Document.prototype, "toJS");
    const res = await callRoute(importRoute.POST, {
      method: "POST",
      path: "/api/targets/import",
      body: { kubeconfig, dryRun: true },
      as: admin,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("INVALID_KUBECONFIG");
    expect(res.body.error.message).toMatch(/YAML aliases \(here \*s\) expand this input by more than 1 MiB/);
    expect(toJS).not.toHaveBeenCalled();
  });
});
