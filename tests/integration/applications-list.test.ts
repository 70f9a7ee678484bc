import { randomBytes } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as applicationsRoute from "@/app/api/applications/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import { ZApplicationListPage, type ApplicationListItem } from "@/lib/applications/schemas";
import { recomputeApplicationStatus } from "@/lib/applications/status-columns";
import { ZDeploymentListPage } from "@/lib/deployments/schemas";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { installQueryLog } from "../support/query-log";
import { useTestDatabase } from "../support/test-db";

// The Applications list (issue 15, Must 3): each filter alone and combined with the keyset cursor, what each row
// says (sync, health, live revision with chart and images, last result), a fixed number of statements per page, and
// the deployments list's Live badge. Each test works in an environment of its own, so the file's tests share the
// database without seeing each other's applications.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let viewer: Caller;
let env: string;

const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);

beforeAll(async () => {
  viewer = await createCaller("viewer");
});

beforeEach(() => {
  env = `env-${randomBytes(4).toString("hex")}`;
});

const list = async (query: string) => {
  const res = await callRoute(applicationsRoute.GET, { path: `/api/applications?${query}`, as: viewer });
  return { status: res.status, body: res.body, page: res.status === 200 ? ZApplicationListPage.parse(res.body) : null };
};
/** Names of the first page in this test's environment, with `query` added. */
const names = async (query = "") =>
  (await list(`environment=${env}&${query}`)).page!.items.map((i) => `${i.name}@${i.target.name.split("-")[0]}`);

async function target(mode: "push" | "pull", prefix: string = mode) {
  return db().target.create({
    data: {
      name: `${prefix}-${randomBytes(4).toString("hex")}`,
      environment: env,
      mode,
      serverUrl: "https://127.0.0.1:6443",
    },
  });
}

async function application(name: string, tg: { id: string; mode: string }) {
  return db().application.create({
    data: {
      name,
      targetId: tg.id,
      mode: tg.mode,
      sourceKind: "git",
      repoUrl: "https://git.example.test/team/app.git",
      inventoryKey: `inv-${randomBytes(6).toString("hex")}`,
    },
  });
}

/**
 * The fixtures below write rows straight to the database, past the data functions that recompute the list's stored
 * sync and health in the same transaction; so they recompute them as those do (applications-list-status.test.ts
 * goes through the real writers).
 */
const storedStatus = (app: { id: string }) => recomputeApplicationStatus(db(), { applicationIds: [app.id] });

let minute = 0;
/** A push deployment of `app` in `state`, each a minute after the previous one (so "newest" is unambiguous). */
async function deployment(
  app: { id: string; targetId: string },
  state: string,
  opts: { commitSha?: string; summary?: unknown } = {},
) {
  minute += 1;
  const at = new Date(Date.UTC(2026, 0, 1, 0, minute));
  const created = await db().deployment.create({
    data: {
      targetId: app.targetId,
      applicationId: app.id,
      state,
      sourceKind: "git",
      manifests: "",
      manifestsDigest: `sha256:${randomBytes(16).toString("hex")}`,
      objectCount: 1,
      commitSha: opts.commitSha ?? SHA_A,
      revisionSummary: opts.summary === undefined ? null : JSON.stringify(opts.summary),
      requestedById: viewer.userId,
      requestedByKind: "user",
      requestedByName: "Test",
      createdAt: at,
      finishedAt: ["succeeded", "failed"].includes(state) ? new Date(at.getTime() + 30_000) : null,
      resultMessage: state === "failed" ? "rollout timed out" : null,
    },
  });
  await storedStatus(app);
  return created;
}

/** A pull application's repository with its reported state, and (optionally) the live state its agent reported. */
async function pullReport(
  app: { id: string; targetId: string },
  state: string,
  opts: { revision?: string; health?: string; images?: string[] } = {},
) {
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
    data: { repoId: repo.id, state, revision: opts.revision ?? null, lastSyncAt: new Date(Date.UTC(2026, 0, 2)) },
  });
  await storedStatus(app);
  if (opts.health) await liveState(app, opts.health, opts.images ?? [], repo.id);
  return repo;
}

async function liveState(
  app: { id: string },
  health: string,
  images: string[],
  repoId = "none",
  revisionId: string | null = null,
) {
  const pod = (name: string, image: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    namespace: "default",
    name,
    health: { status: health },
    inInventory: false,
    pod: { phase: "Running", restarts: 0, ready: 1, containers: 1, images: [image] },
    children: [],
  });
  const tree = {
    roots: [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: "default",
        name: "web",
        health: { status: health },
        inInventory: true,
        children: images.map((image, i) => pod(`web-${i}`, image)),
      },
    ],
    truncated: false,
    nodeCount: 1 + images.length,
  };
  const now = new Date(Date.UTC(2026, 0, 3));
  await db().applicationLiveState.create({
    data: {
      applicationId: app.id,
      repoId,
      agentId: "agent",
      revisionId,
      health,
      healthMessage: health === "Degraded" ? "web: 0/1 ready" : null,
      treeJson: JSON.stringify(tree),
      nodeCount: tree.nodeCount,
      digest: randomBytes(8).toString("hex"),
      observedAt: now,
      receivedAt: now,
      confirmedAt: now,
    },
  });
  await storedStatus(app);
}

/**
 * Six applications in this test's environment: push `api` (live SHA_A, then a failed deploy: OutOfSync), push `web`
 * (succeeded: Synced, Helm chart and images), push `idle` (never deployed: Unknown), pull `api` (in sync, Healthy),
 * pull `shop` (drifted, Degraded), pull `new` (nothing reported: Unknown).
 */
async function fleet() {
  const [push, pull] = [await target("push"), await target("pull")];
  const api = await application("api", push);
  const live = await deployment(api, "succeeded", {
    summary: { chart: null, images: ["registry.test/api:1.0"], imageCount: 1 },
  });
  await deployment(api, "failed", { commitSha: SHA_B });
  const web = await application("web", push);
  await deployment(web, "succeeded", {
    commitSha: SHA_B,
    summary: {
      chart: { name: "web", version: "1.4.2" },
      images: ["registry.test/web:2.0", "registry.test/sidecar:1.0"],
      imageCount: 2,
    },
  });
  await deployment(web, "rejected", { commitSha: SHA_A });
  await application("idle", push);
  const pullApi = await application("api", pull);
  await pullReport(pullApi, "in-sync", {
    revision: `${SHA_A}@spec1`,
    health: "Healthy",
    images: ["registry.test/api:1.0"],
  });
  const shop = await application("shop", pull);
  await pullReport(shop, "drifted", { revision: SHA_B, health: "Degraded", images: ["registry.test/shop:3.1"] });
  await application("new", pull);
  return { push, pull, api, live, web, shop };
}

const byName = (items: ApplicationListItem[], name: string, mode: string) =>
  items.find((i) => i.name === name && i.mode === mode)!;

describe("applications list", () => {
  it("shows each application's sync, health, live revision and last result, by name", async () => {
    const f = await fleet();
    const { page } = await list(`environment=${env}`);
    expect(page!.items.map((i) => `${i.name}/${i.mode}`)).toEqual([
      ...["api/push", "api/pull"].sort((a, b) => (byNameOrder(page!.items, a) < byNameOrder(page!.items, b) ? -1 : 1)),
      "idle/push",
      "new/pull",
      "shop/pull",
      "web/push",
    ]);
    expect(page!.nextCursor).toBeNull();

    const api = byName(page!.items, "api", "push");
    expect(api).toMatchObject({
      sync: "OutOfSync",
      health: null,
      live: {
        commitSha: SHA_A,
        deploymentId: f.live.id,
        summary: { chart: null, images: ["registry.test/api:1.0"], imageCount: 1 },
      },
      result: { state: "failed", message: "rollout timed out" },
      target: { id: f.push.id, environment: env },
    });
    // A rejected request changed nothing: what the success before it applied is still what was asked for.
    expect(byName(page!.items, "web", "push")).toMatchObject({
      sync: "Synced",
      live: { commitSha: SHA_B, summary: { chart: { name: "web", version: "1.4.2" }, imageCount: 2 } },
      result: { state: "rejected" },
    });
    expect(byName(page!.items, "idle", "push")).toMatchObject({
      sync: "Unknown",
      health: null,
      live: null,
      result: { state: "none", at: null },
    });
    expect(byName(page!.items, "api", "pull")).toMatchObject({
      sync: "Synced",
      health: { status: "Healthy" },
      live: { commitSha: SHA_A, revisionId: `${SHA_A}@spec1`, summary: { images: ["registry.test/api:1.0"] } },
      result: { state: "succeeded" },
    });
    expect(byName(page!.items, "shop", "pull")).toMatchObject({
      sync: "OutOfSync",
      health: { status: "Degraded", message: "web: 0/1 ready" },
      live: { commitSha: SHA_B, summary: { images: ["registry.test/shop:3.1"] } },
      result: { state: "drifted" },
    });
    expect(byName(page!.items, "new", "pull")).toMatchObject({ sync: "Unknown", health: null, live: null });
  });

  it("shows what the agent's live read saw applied before the repository's first sync status arrives", async () => {
    const pull = await target("pull");
    const early = await application("early", pull);
    await liveState(early, "Progressing", ["registry.test/early:0.1"], "none", `${SHA_B}@spec2`);
    const { page } = await list(`environment=${env}`);
    expect(page!.items).toHaveLength(1);
    expect(page!.items[0]).toMatchObject({
      sync: "Unknown",
      health: { status: "Progressing" },
      live: { commitSha: SHA_B, revisionId: `${SHA_B}@spec2`, summary: { images: ["registry.test/early:0.1"] } },
      result: { state: "none" },
    });
  });

  it("filters by mode, environment, target, health, sync, name search and exact name, combined", async () => {
    const f = await fleet();
    expect(await names("mode=pull")).toEqual(expect.arrayContaining(["api@pull", "new@pull", "shop@pull"]));
    expect(await names("mode=pull")).toHaveLength(3);
    expect(await names("mode=push")).toHaveLength(3);
    expect(await names(`targetId=${f.push.id}`)).toEqual(["api@push", "idle@push", "web@push"]);
    expect(await names("health=Degraded")).toEqual(["shop@pull"]);
    expect(await names("health=Healthy")).toEqual(["api@pull"]);
    expect(await names("health=Missing")).toEqual([]);
    expect(await names("sync=OutOfSync")).toEqual(expect.arrayContaining(["api@push", "shop@pull"]));
    expect(await names("sync=OutOfSync")).toHaveLength(2);
    expect(await names("sync=Unknown")).toEqual(expect.arrayContaining(["idle@push", "new@pull"]));
    expect(await names("sync=Unknown")).toHaveLength(2);
    expect(await names("sync=Synced&mode=pull")).toEqual(["api@pull"]);
    expect(await names("q=HO")).toEqual(["shop@pull"]);
    expect(await names("q=e")).toEqual(expect.arrayContaining(["idle@push", "new@pull", "web@push"]));
    // A LIKE wildcard typed in the search is a character, not "anything".
    expect(await names("q=%25")).toEqual([]);
    expect(await names("name=api")).toHaveLength(2);
    expect(await names("name=api&mode=push&sync=OutOfSync")).toEqual(["api@push"]);
    // The environment filter alone: another environment's applications are not in this one.
    const other = env;
    env = `env-${randomBytes(4).toString("hex")}`;
    expect(await names()).toEqual([]);
    env = other;

    for (const bad of ["health=Sick", "sync=Drifted", "mode=both", "limit=1000", "cursor=nonsense"])
      expect((await list(`environment=${env}&${bad}`)).status).toBe(422);
  });

  it("pages through a filter with the cursor: every match once, in (name, id) order", async () => {
    const push = await target("push");
    const want: string[] = [];
    for (let i = 0; i < 7; i++) {
      const app = await application(`svc-${i}`, push);
      // Every other application failed last: seven applications, four out of sync.
      await deployment(app, i % 2 === 0 ? "failed" : "succeeded");
      if (i % 2 === 0) want.push(`svc-${i}`);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `environment=${env}&sync=OutOfSync&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const { page } = await list(q);
      expect(page!.items.length).toBeLessThanOrEqual(2);
      seen.push(...page!.items.map((i) => i.name));
      expect(page!.items.every((i) => i.sync === "OutOfSync")).toBe(true);
      cursor = page!.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(want);
    expect(pages).toBe(2);
  });

  it("reads a page with a fixed number of statements, whatever its number of applications", async () => {
    await fleet();
    const log = installQueryLog(t.url);
    const counted = async () => {
      log.clear();
      expect((await list(`environment=${env}&limit=50`)).status).toBe(200);
      // The caller's authentication is not the list's (SQLite's Prisma SQL quotes names with backticks).
      return log.queries.filter((q) => !/api_?token|[`"]User[`"]|session/i.test(q.sql)).length;
    };
    const before = await counted();
    const [push, pull] = [await target("push", "more"), await target("pull", "more")];
    for (let i = 0; i < 8; i++) {
      const a = await application(`more-${i}`, push);
      await deployment(a, "succeeded");
      await deployment(a, "running");
      await pullReport(await application(`more-${i}`, pull), "in-sync", { revision: SHA_B, health: "Healthy" });
    }
    expect(await counted()).toBe(before);
    // The page, each row with its application, target, repository status and live state, then the deployments it
    // names as one IN list: two statements whatever the page holds (Prisma's include read each relation as one more).
    expect(before).toBe(2);
  });
});

describe("deployments list", () => {
  it("marks the newest succeeded deployment of each application as live", async () => {
    const push = await target("push");
    const a = await application("api", push);
    const b = await application("web", push);
    const old = await deployment(a, "succeeded");
    const current = await deployment(a, "succeeded");
    const failed = await deployment(a, "failed");
    const bLive = await deployment(b, "succeeded");
    const res = await callRoute(deploymentsRoute.GET, { path: `/api/deployments?targetId=${push.id}`, as: viewer });
    expect(res.status).toBe(200);
    const items = ZDeploymentListPage.parse(res.body).items;
    const live = Object.fromEntries(items.map((d) => [d.id, d.live]));
    expect(live).toEqual({ [old.id]: false, [current.id]: true, [failed.id]: false, [bLive.id]: true });
  });
});

/** Two applications of one name sort by id: the order the list must keep. */
function byNameOrder(items: ApplicationListItem[], key: string): string {
  const [name, mode] = key.split("/");
  return items.find((i) => i.name === name && i.mode === mode)!.id;
}
