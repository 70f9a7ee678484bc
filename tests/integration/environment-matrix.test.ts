import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as matrixRoute from "@/app/api/applications/matrix/route";
import { ZEnvironmentMatrix } from "@/lib/applications/matrix-schemas";
import { dbFor } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { callRoute, createCaller, type Caller } from "../support/api";
import { explain, fullScans, installQueryLog } from "../support/query-log";
import { useTestDatabase } from "../support/test-db";

// The applications × environments matrix (issue 15, Must 4): what is live where, the last result, and which cells
// run another revision than the environment before them, for push and pull applications alike.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let viewer: Caller;

const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);
const SHA_C = "c".repeat(40);

beforeAll(async () => {
  viewer = await createCaller("viewer");
});

afterEach(() => {
  delete process.env.WHARF_ENVIRONMENT_ORDER;
  resetEnvCache();
});

const matrix = async (query = "", as: Caller | null = viewer) => {
  const res = await callRoute(matrixRoute.GET, { path: `/api/applications/matrix?${query}`, as });
  return { ...res, matrix: res.status === 200 ? ZEnvironmentMatrix.parse(res.body) : null };
};

async function target(environment: string, mode: "push" | "pull") {
  return db().target.create({
    data: {
      name: `${environment}-${mode}-${randomBytes(3).toString("hex")}`,
      environment,
      mode,
      serverUrl: "https://127.0.0.1:6443",
    },
  });
}

async function application(name: string, t: { id: string; mode: string }) {
  return db().application.create({
    data: {
      name,
      targetId: t.id,
      mode: t.mode,
      sourceKind: "git",
      repoUrl: "https://git.example.test/team/app.git",
      inventoryKey: `inv-${randomBytes(6).toString("hex")}`,
    },
  });
}

let minute = 0;
/** A push deployment of `app` in `state`, each one a minute after the previous (so "newest" is unambiguous). */
async function deployment(
  app: { id: string; targetId: string },
  state: string,
  opts: { commitSha?: string | null; digest?: string } = {},
) {
  minute += 1;
  const at = new Date(Date.UTC(2026, 0, 1, 0, minute));
  return db().deployment.create({
    data: {
      targetId: app.targetId,
      applicationId: app.id,
      state,
      sourceKind: opts.commitSha === null ? "manifests" : "git",
      manifests: "",
      manifestsDigest: opts.digest ?? `sha256:${randomBytes(16).toString("hex")}`,
      objectCount: 1,
      commitSha: opts.commitSha === null ? null : (opts.commitSha ?? SHA_A),
      requestedById: viewer.userId,
      requestedByKind: "user",
      requestedByName: "Test",
      createdAt: at,
      finishedAt: ["succeeded", "failed"].includes(state) ? new Date(at.getTime() + 30_000) : null,
      resultMessage: state === "failed" ? "rollout timed out" : null,
    },
  });
}

async function pullStatus(app: { id: string; targetId: string }, state: string, revision: string | null) {
  const repo = await db().pullRepo.create({
    data: {
      targetId: app.targetId,
      applicationId: app.id,
      url: `https://git.example.test/team/${app.id}.git`,
      branch: "main",
      createdById: viewer.userId,
    },
  });
  await db().repoStatus.create({
    data: { repoId: repo.id, state, revision, lastSyncAt: new Date(Date.UTC(2026, 0, 2)) },
  });
  return repo;
}

describe("environments matrix", () => {
  it("needs a signed-in caller; a viewer may read it; an empty database is an empty matrix", async () => {
    expect((await matrix("", null)).status).toBe(401);
    const empty = await matrix();
    expect(empty.status).toBe(200);
    expect(empty.matrix).toEqual({ environments: [], rows: [], nextCursor: null });
  });

  it("shows the live revision of each environment and marks the cells that differ from the previous one", async () => {
    const [dev, staging, prod, prod2, devPull, stagingPull] = await Promise.all([
      target("dev", "push"),
      target("staging", "push"),
      target("prod", "push"),
      target("prod", "push"),
      target("dev", "pull"),
      target("staging", "pull"),
    ]);
    // web: dev and staging run A; prod's newest success is B and a newer request failed; prod2 still runs A.
    const webDev = await application("web", dev);
    const webStaging = await application("web", staging);
    const webProd = await application("web", prod);
    const webProd2 = await application("web", prod2);
    await deployment(webDev, "succeeded", { commitSha: SHA_B });
    await deployment(webDev, "succeeded", { commitSha: SHA_A });
    await deployment(webStaging, "succeeded", { commitSha: SHA_A });
    await deployment(webStaging, "pending-approval", { commitSha: SHA_B });
    const liveProd = await deployment(webProd, "succeeded", { commitSha: SHA_B });
    await deployment(webProd, "failed", { commitSha: SHA_C });
    await deployment(webProd2, "succeeded", { commitSha: SHA_A });
    // shop (pull): dev applied C, staging applied A (with images and a spec digest), and awaits approval of C.
    const shopDev = await application("shop", devPull);
    const shopStaging = await application("shop", stagingPull);
    await pullStatus(shopDev, "in-sync", `${SHA_C}@spec1`);
    const stagingRepo = await pullStatus(shopStaging, "in-sync", `${SHA_A}+app=1.2@spec2`);
    await db().deployment.create({
      data: {
        targetId: shopStaging.targetId,
        applicationId: shopStaging.id,
        state: "pending-approval",
        sourceKind: "pull-revision",
        manifests: "",
        manifestsDigest: "",
        objectCount: 0,
        pullRepoId: stagingRepo.id,
        revision: `${SHA_C}@spec2`,
        requestedById: viewer.userId,
        requestedByKind: "agent",
        requestedByName: "agent",
      },
    });
    await db().applicationLiveState.create({
      data: {
        applicationId: shopDev.id,
        repoId: "r",
        agentId: "a",
        health: "Degraded",
        healthMessage: "progress deadline exceeded",
        treeJson: '{"roots":[],"truncated":false}',
        nodeCount: 0,
        digest: "d",
        observedAt: new Date(),
        receivedAt: new Date(),
        confirmedAt: new Date(),
      },
    });
    // api: only in prod, nothing deployed yet.
    await application("api", prod);

    const { matrix: m } = await matrix();
    expect(m!.environments).toEqual(["dev", "staging", "prod"]);
    expect(m!.rows.map((r) => r.name)).toEqual(["api", "shop", "web"]);
    const [api, shop, web] = m!.rows;

    expect(api!.cells.map((c) => c.length)).toEqual([0, 0, 1]);
    expect(api!.cells[2]![0]).toMatchObject({
      revision: null,
      result: { state: "none" },
      differsFromPrevious: null,
    });

    const [wDev, wStaging, wProd] = web!.cells;
    expect(wDev!.map((e) => [e.revision?.commitSha, e.result.state, e.differsFromPrevious])).toEqual([
      [SHA_A, "succeeded", null],
    ]);
    expect(wStaging!.map((e) => [e.revision?.commitSha, e.result.state, e.differsFromPrevious])).toEqual([
      [SHA_A, "awaiting-approval", false],
    ]);
    const byTarget = new Map(wProd!.map((e) => [e.target.id, e]));
    expect(byTarget.get(prod.id)).toMatchObject({
      mode: "push",
      revision: { commitSha: SHA_B, deploymentId: liveProd.id, manifestsDigest: liveProd.manifestsDigest },
      result: { state: "failed", message: "rollout timed out" },
      differsFromPrevious: true,
      health: null,
    });
    expect(byTarget.get(prod2.id)).toMatchObject({ revision: { commitSha: SHA_A }, differsFromPrevious: false });

    const [sDev, sStaging, sProd] = shop!.cells;
    expect(sProd).toEqual([]);
    expect(sDev![0]).toMatchObject({
      mode: "pull",
      revision: { commitSha: SHA_C, revisionId: `${SHA_C}@spec1`, manifestsDigest: null },
      result: { state: "succeeded" },
      health: { status: "Degraded", message: "progress deadline exceeded" },
      differsFromPrevious: null,
    });
    expect(sStaging![0]).toMatchObject({
      revision: { commitSha: SHA_A },
      result: { state: "awaiting-approval" },
      health: null,
      differsFromPrevious: true,
    });
  });

  it("orders the columns by WHARF_ENVIRONMENT_ORDER, other environments after it alphabetically", async () => {
    await Promise.all([target("qa", "push"), target("Canary", "pull")]);
    expect((await matrix()).matrix!.environments).toEqual(["dev", "staging", "prod", "Canary", "qa"]);
    process.env.WHARF_ENVIRONMENT_ORDER = " PROD, canary ,dev";
    resetEnvCache();
    const { matrix: m } = await matrix();
    expect(m!.environments).toEqual(["prod", "Canary", "dev", "qa", "staging"]);
    // Rows follow the columns.
    const web = m!.rows.find((r) => r.name === "web")!;
    expect(web.cells.map((c) => c.length)).toEqual([2, 0, 1, 0, 1]);
  });

  it("pages by application name with a cursor, however many targets hold each name", async () => {
    const first = await matrix("limit=2");
    expect(first.matrix!.rows.map((r) => r.name)).toEqual(["api", "shop"]);
    expect(first.matrix!.nextCursor).toEqual(expect.any(String));
    const second = await matrix(`limit=2&cursor=${encodeURIComponent(first.matrix!.nextCursor!)}`);
    expect(second.matrix!.rows.map((r) => r.name)).toEqual(["web"]);
    expect(second.matrix!.nextCursor).toBeNull();
    expect((await matrix("cursor=nonsense")).status).toBe(422);
    expect((await matrix("limit=1000")).status).toBe(422);
  });

  it("reads a page with a fixed number of queries, whatever its number of applications", async () => {
    const log = installQueryLog(t.url);
    const counted = async () => {
      log.clear();
      expect((await matrix("limit=50")).status).toBe(200);
      // Authentication's own statements aside (SQLite quotes names with backticks, PostgreSQL with double quotes).
      return log.queries.filter((q) => !/api_?token|["`]User["`]|session/i.test(q.sql)).length;
    };
    const before = await counted();
    const [push, pull] = await Promise.all([target("dev", "push"), target("staging", "pull")]);
    for (let i = 0; i < 8; i++) {
      const a = await application(`more-${i}`, push);
      await deployment(a, "succeeded");
      await deployment(a, "running");
      await pullStatus(await application(`more-${i}`, pull), "in-sync", SHA_B);
    }
    expect(await counted()).toBe(before);
    // The page's applications with all their cells, and the columns, side by side: under many users each extra
    // dependent statement is a round trip and a wait for a pooled connection.
    expect(before).toBeLessThanOrEqual(2);
  });

  it("reads the page's statement through indexes, with no whole scan of applications or deployments", async () => {
    const log = installQueryLog(t.url);
    const first = await matrix("limit=2");
    await matrix(`limit=2&cursor=${encodeURIComponent(first.matrix!.nextCursor!)}`);
    const pages = log.queries.filter((q) => /"Deployment"/.test(q.sql));
    expect(pages).toHaveLength(2);
    // SQLite names a table by its alias in the statement (a: Application; n, v, x, d: Deployment).
    const big = ["Application", "Deployment", "a", "n", "v", "x", "d"];
    for (const q of pages) expect(fullScans(await explain(t.url, q, { seqScan: false }), big)).toEqual([]);
  });

  it("leaves deleted applications out of the names and the cells, and pages past them", async () => {
    const [dev, prod] = await Promise.all([target("dev", "push"), target("prod", "push")]);
    const gone = await application("aaa-deleted", dev);
    const half = await application("aaa-half", dev);
    await application("aaa-half", prod);
    await db().application.updateMany({
      where: { id: { in: [gone.id, half.id] } },
      data: { archivedAt: new Date(), archivedKey: "x" },
    });
    const { matrix: m } = await matrix("limit=1");
    expect(m!.rows.map((r) => r.name)).toEqual(["aaa-half"]);
    expect(m!.rows[0]!.cells.flat().map((e) => e.target.id)).toEqual([prod.id]);
    const next = await matrix(`limit=1&cursor=${encodeURIComponent(m!.nextCursor!)}`);
    expect(next.matrix!.rows.map((r) => r.name)).toEqual(["api"]);
  });
});
