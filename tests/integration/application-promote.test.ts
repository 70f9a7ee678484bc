import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as promoteRoute from "@/app/api/applications/[id]/promote/route";
import * as matrixRoute from "@/app/api/applications/matrix/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import { ZEnvironmentMatrix } from "@/lib/applications/matrix-schemas";
import { manifestsTextOf } from "@/lib/deployments/stored-manifests";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { startGitServer, type GitServer } from "../support/git-server";
import { useTestDatabase } from "../support/test-db";

// Promote (issue 15, Must 4): what is live of a push application in one environment becomes a deployment request of
// its namesake in the next, through that target's own approval rule.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let deployer: Caller;
let viewer: Caller;
let git: GitServer;

beforeAll(async () => {
  deployer = await createCaller("deployer");
  viewer = await createCaller("viewer");
  git = await startGitServer();
});

afterAll(async () => {
  await git?.stop();
});

const cm = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

const MANIFESTS = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\ndata:\n  color: "blue"\n';

async function target(environment: string, mode: "push" | "pull", requiredApprovals = 0) {
  return db().target.create({
    data: {
      name: `${environment}-${randomBytes(3).toString("hex")}`,
      environment,
      mode,
      serverUrl: "https://127.0.0.1:1",
      requiredApprovals,
    },
  });
}

const promote = (id: string, body: unknown, as: Caller | null = deployer) =>
  callRoute(promoteRoute.POST, { method: "POST", path: `/api/applications/${id}/promote`, params: { id }, body, as });

describe("promote", () => {
  it("requests what is live in staging on prod, pending prod's approval, with the same manifests digest", async () => {
    const staging = await target("staging", "push");
    const prod = await target("prod", "push", 1);
    const requested = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: { targetId: staging.id, source: { kind: "manifests", manifests: MANIFESTS }, application: "web" },
      as: deployer,
    });
    expect(requested.status).toBe(201);
    const source = await db().application.findUniqueOrThrow({
      where: { targetId_name_archivedKey: { targetId: staging.id, name: "web", archivedKey: "" } },
    });
    const webProd = await db().application.create({
      data: { name: "web", targetId: prod.id, mode: "push", sourceKind: "manifests", inventoryKey: "web-prod" },
    });

    // Nothing live yet: nothing to promote.
    expect((await promote(source.id, { to: prod.id })).status).toBe(409);
    await db().deployment.update({
      where: { id: requested.body.id },
      data: { state: "succeeded", finishedAt: new Date() },
    });

    expect((await promote(source.id, { to: prod.id }, null)).status).toBe(401);
    expect((await promote(source.id, { to: prod.id }, viewer)).status).toBe(403);
    expect((await promote(source.id, { to: staging.id })).status).toBe(422);
    expect((await promote(source.id, { to: "nope" })).status).toBe(404);
    expect((await promote("nope", { to: prod.id })).status).toBe(404);

    const promoted = await promote(source.id, { to: prod.id });
    expect(promoted.status).toBe(201);
    expect(promoted.body).toMatchObject({ state: "pending-approval", target: { id: prod.id } });
    const row = await db().deployment.findUniqueOrThrow({ where: { id: promoted.body.id } });
    expect(row).toMatchObject({ applicationId: webProd.id, state: "pending-approval", approvedAt: null });
    expect(row.manifestsDigest).toBe(requested.body.manifestsDigest);
    expect(row.reason).toContain(`Promote web from ${staging.name} (staging)`);
    const audit = await db().auditEvent.findMany({ where: { subjectId: row.id } });
    expect(audit.map((a) => a.action)).toContain("deployment.requested");

    // The matrix shows prod awaiting approval, still with nothing live there.
    const m = ZEnvironmentMatrix.parse(
      (await callRoute(matrixRoute.GET, { path: "/api/applications/matrix", as: viewer })).body,
    );
    const web = m.rows.find((r) => r.name === "web")!;
    expect(web.cells[m.environments.indexOf("prod")]![0]).toMatchObject({
      revision: null,
      result: { state: "awaiting-approval" },
    });
  });

  it("refuses pull applications on either side", async () => {
    const staging = await target("staging", "push");
    const pull = await target("prod", "pull");
    const src = await db().application.create({
      data: { name: "shop", targetId: staging.id, mode: "push", sourceKind: "manifests", inventoryKey: "shop-s" },
    });
    const dst = await db().application.create({
      data: { name: "shop", targetId: pull.id, mode: "pull", sourceKind: "git", inventoryKey: "shop-p" },
    });
    expect((await promote(src.id, { to: pull.id })).status).toBe(409);
    expect((await promote(dst.id, { to: staging.id })).status).toBe(409);
  });

  it("from Git requests the live commit, not the branch head, at the destination's own path", async () => {
    const repo = await git.createRepo(`promote-${randomBytes(3).toString("hex")}`);
    const live = await repo.commit({
      author: { name: "Ada", email: "ada@example.com" },
      files: { "staging/cm.yaml": cm("api", "staging-1"), "prod/cm.yaml": cm("api", "prod-1") },
    });
    await repo.commit({
      author: { name: "Ada", email: "ada@example.com" },
      files: { "staging/cm.yaml": cm("api", "staging-2"), "prod/cm.yaml": cm("api", "prod-2") },
    });
    const staging = await target("staging", "push");
    const prod = await target("prod", "push", 1);
    const app = (targetId: string, path: string) =>
      db().application.create({
        data: {
          name: "api",
          targetId,
          mode: "push",
          sourceKind: "git",
          repoUrl: repo.url,
          ref: "main",
          path,
          inventoryKey: `api-${path}`,
        },
      });
    const source = await app(staging.id, "staging");
    const destination = await app(prod.id, "prod");
    await db().deployment.create({
      data: {
        targetId: staging.id,
        applicationId: source.id,
        state: "succeeded",
        sourceKind: "git",
        manifests: cm("api", "staging-1"),
        manifestsDigest: "sha256:staging",
        objectCount: 1,
        gitUrl: repo.url,
        gitRef: "main",
        gitPath: "staging",
        commitSha: live,
        requestedById: deployer.userId,
        requestedByKind: "user",
        requestedByName: "Test",
        finishedAt: new Date(),
      },
    });

    const promoted = await promote(source.id, { to: prod.id });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(201);
    const row = await db().deployment.findUniqueOrThrow({ where: { id: promoted.body.id } });
    expect(row).toMatchObject({
      applicationId: destination.id,
      state: "pending-approval",
      sourceKind: "git",
      commitSha: live,
      gitPath: "prod",
      commitAuthorEmail: "ada@example.com",
    });
    expect(manifestsTextOf(row)).toContain("prod-1");
    expect(row.reason).toContain(`commit ${live.slice(0, 7)}`);
  });
});
