import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as timelineRoute from "@/app/api/applications/[id]/timeline/route";
import { ZTimelinePage, type TimelineEntry } from "@/lib/applications/timeline-schemas";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { installQueryLog } from "../support/query-log";
import { useTestDatabase } from "../support/test-db";

// Issue 15, Must 3: one timeline per application (deployments, rollbacks, approvals, syncs, drift, pins), newest
// first, without a cap: every entry is reachable through cursor pages, none twice, in one order across kinds.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let viewer: Caller;
let deployer: Caller;

beforeAll(async () => {
  viewer = await createCaller("viewer");
  deployer = await createCaller("deployer");
});

const base = Date.UTC(2026, 10, 1, 12);
const at = (seconds: number) => new Date(base + seconds * 1000);
const suffix = () => randomBytes(3).toString("hex");

const timeline = (id: string, search = "", as: Caller | null = viewer) =>
  callRoute(timelineRoute.GET, {
    path: `/api/applications/${id}/timeline${search ? `?${search}` : ""}`,
    params: { id },
    as,
  });

/** Every page of the timeline at `limit` per page, following nextCursor to the end. */
async function allPages(id: string, limit: number) {
  const items: TimelineEntry[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await timeline(id, `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.status, res.text).toBe(200);
    const page = ZTimelinePage.parse(res.body);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 100);
  return { items, pages };
}

async function pushApp(requiredApprovals = 1) {
  const target = await db().target.create({
    data: {
      name: `tl-${suffix()}`,
      environment: "staging",
      mode: "push",
      serverUrl: "https://127.0.0.1:1",
      requiredApprovals,
    },
  });
  const app = await db().application.create({
    data: { name: "web", targetId: target.id, mode: "push", sourceKind: "manifests", inventoryKey: `tl-${suffix()}` },
  });
  return { target, app };
}

async function deployment(
  ids: { targetId: string; applicationId: string },
  createdAt: Date,
  over: { state?: string; finishedAt?: Date; rollbackOfId?: string; digest?: string } = {},
) {
  return db().deployment.create({
    data: {
      targetId: ids.targetId,
      applicationId: ids.applicationId,
      state: over.state ?? "succeeded",
      sourceKind: "manifests",
      manifests: "",
      manifestsDigest: over.digest ?? `sha256:${suffix()}`,
      objectCount: 1,
      requestedById: deployer.userId,
      requestedByKind: "user",
      requestedByName: deployer.email,
      reason: "timeline test",
      rollbackOfId: over.rollbackOfId ?? null,
      createdAt,
      finishedAt: over.finishedAt ?? (over.state && over.state !== "succeeded" ? null : createdAt),
    },
  });
}

describe("application timeline", () => {
  it("lists 60 deployments and approvals newest first across pages, each once, with nothing capped", async () => {
    const { target, app } = await pushApp();
    const ids = { targetId: target.id, applicationId: app.id };
    for (let i = 0; i < 30; i++) {
      const d = await deployment(ids, at(i * 60));
      // Half the decisions share their request's instant: the order must still be total across kinds.
      await db().deploymentApproval.create({
        data: {
          deploymentId: d.id,
          approverId: viewer.userId,
          approverEmail: "approver@test.wharf",
          approverName: "Approver",
          approverKind: "user",
          decision: i === 7 ? "rejected" : "approved",
          comment: `decision ${i}`,
          manifestsDigest: d.manifestsDigest,
          createdAt: i % 2 === 0 ? at(i * 60) : at(i * 60 + 30),
        },
      });
    }

    const first = await timeline(app.id);
    expect(first.status, first.text).toBe(200);
    const firstPage = ZTimelinePage.parse(first.body);
    expect(firstPage.items).toHaveLength(25); // the default page size, not a cap
    expect(firstPage.nextCursor).not.toBeNull();

    for (const limit of [7, 25, 100]) {
      const { items, pages } = await allPages(app.id, limit);
      expect(items, `limit ${limit}`).toHaveLength(60);
      expect(new Set(items.map((e) => e.id)).size).toBe(60);
      expect(pages).toBe(Math.ceil(60 / limit));
      const times = items.map((e) => Date.parse(e.at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(items.filter((e) => e.kind === "approval")).toHaveLength(30);
      expect(items.filter((e) => e.kind === "deployment")).toHaveLength(30);
    }

    const { items } = await allPages(app.id, 100);
    // At one instant the deployment sorts before its decision; 30 s later the decision comes first.
    expect(items.slice(0, 2).map((e) => e.kind)).toEqual(["approval", "deployment"]);
    expect(items[0]).toMatchObject({ title: "Deployment approval recorded", status: "approved", actor: "Approver" });
    const rejected = items.find((e) => e.detail === "decision 7")!;
    expect(rejected).toMatchObject({ kind: "approval", title: "Deployment rejected", status: "rejected" });
    expect(items.at(-2)!.kind).toBe("deployment");
    expect(items.at(-1)!.kind).toBe("approval");
    const newest = items.find((e) => e.kind === "deployment")!;
    expect(newest).toMatchObject({ title: "Deployment requested", status: "succeeded", live: true, rollback: null });
    expect(newest.href).toBe(`/deployments/${newest.deploymentId}`);
    // Every other succeeded deployment may be rolled back to; the live one may not.
    const older = items.filter((e) => e.kind === "deployment" && !e.live);
    expect(older).toHaveLength(29);
    for (const e of older) expect(e.rollback).toEqual({ mode: "push", deploymentId: e.deploymentId });
  });

  it("marks rollbacks, offers no rollback to failed deployments, and follows the live deployment by finish time", async () => {
    const { target, app } = await pushApp(0);
    const ids = { targetId: target.id, applicationId: app.id };
    const good = await deployment(ids, at(0));
    const bad = await deployment(ids, at(60), { state: "failed", finishedAt: at(90) });
    const back = await deployment(ids, at(120), { rollbackOfId: good.id });
    const waiting = await deployment(ids, at(180), { state: "pending-approval" });
    const { items } = await allPages(app.id, 3);
    expect(items.map((e) => e.deploymentId)).toEqual([waiting.id, back.id, bad.id, good.id]);
    const byId = new Map(items.map((e) => [e.deploymentId, e]));
    expect(byId.get(back.id)).toMatchObject({
      kind: "rollback",
      title: "Rollback requested",
      live: true,
      rollback: null,
    });
    expect(byId.get(bad.id)).toMatchObject({ kind: "deployment", status: "failed", live: false, rollback: null });
    expect(byId.get(waiting.id)).toMatchObject({ status: "pending-approval", live: false, rollback: null });
    expect(byId.get(good.id)).toMatchObject({ live: false, rollback: { mode: "push", deploymentId: good.id } });
  });

  it("shows a pull application's syncs, drift and pins, and offers rollback to earlier synced revisions only", async () => {
    const target = await db().target.create({
      data: { name: `tlp-${suffix()}`, environment: "prod", mode: "pull", serverUrl: "", requiredApprovals: 0 },
    });
    const app = await db().application.create({
      data: { name: "shop", targetId: target.id, mode: "pull", sourceKind: "git", inventoryKey: `tlp-${suffix()}` },
    });
    const repo = await db().pullRepo.create({
      data: {
        targetId: target.id,
        applicationId: app.id,
        url: `https://git.example.test/${suffix()}.git`,
        branch: "main",
        createdById: deployer.userId,
      },
    });
    const sync = (n: number, sha: string, result: string, kind = "sync") =>
      db().syncEvent.create({
        data: {
          id: `ev-${suffix()}-${n}`,
          agentId: "agent-test",
          targetId: target.id,
          repoId: repo.id,
          occurredAt: at(n * 60),
          kind,
          trigger: "poll",
          result,
          revisionSha: sha,
          revisionId: `${sha}@abcdef12`,
          message: `event ${n}`,
        },
      });
    const old = "a".repeat(40);
    const live = "b".repeat(40);
    await sync(0, old, "synced");
    await sync(1, live, "synced");
    await sync(2, live, "drift-detected", "drift");
    await sync(3, live, "failed");
    await db().repoStatus.create({ data: { repoId: repo.id, revision: `${live}@abcdef12`, state: "synced" } });
    await db().auditEvent.create({
      data: {
        at: at(4 * 60),
        actorKind: "user",
        actorId: deployer.userId,
        actorName: deployer.email,
        action: "repo.unpinned",
        subjectType: "pull-repo",
        subjectId: repo.id,
        targetId: target.id,
        outcome: "success",
        details: JSON.stringify({ previous: null, reason: "follow main again" }),
        prevHash: "",
        hash: `test-${suffix()}`,
      },
    });

    const { items } = await allPages(app.id, 2);
    expect(items.map((e) => [e.kind, e.status])).toEqual([
      ["pin", null],
      ["sync", "failed"],
      ["drift", "drift-detected"],
      ["sync", "synced"],
      ["sync", "synced"],
    ]);
    expect(items[0]).toMatchObject({ title: "Pull repository unpinned", detail: "follow main again" });
    expect(items[2]).toMatchObject({ title: "Drift detected", detail: "event 2", rollback: null });
    expect(items[3]).toMatchObject({ live: true, rollback: null });
    expect(items[4]).toMatchObject({
      live: false,
      rollback: { mode: "pull", repoId: repo.id, revision: `${old}@abcdef12` },
    });
    expect(items[4]!.href).toBe(`/sync?repoId=${repo.id}`);
  });

  it("answers 401 without a caller, 404 for an unknown application, 422 for a bad cursor or page size", async () => {
    const { app } = await pushApp();
    expect((await timeline(app.id, "", null)).status).toBe(401);
    expect((await timeline(app.id, "", deployer)).status).toBe(200);
    const missing = await timeline("nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("NOT_FOUND");
    for (const cursor of ["garbage", Buffer.from('["x","d","y"]').toString("base64url"), "WyIyMDI2Il0"]) {
      const res = await timeline(app.id, `cursor=${cursor}`);
      expect(res.status, cursor).toBe(422);
      expect(res.body.error).toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("cursor") });
    }
    expect((await timeline(app.id, "limit=101")).status).toBe(422);
  });

  it("reads a page with a fixed number of statements, whatever its size (no query per entry)", async () => {
    const { target, app } = await pushApp();
    for (let i = 0; i < 40; i++) {
      const d = await deployment({ targetId: target.id, applicationId: app.id }, at(i * 60));
      await db().deploymentApproval.create({
        data: {
          deploymentId: d.id,
          approverId: viewer.userId,
          approverEmail: "approver@test.wharf",
          approverName: "Approver",
          approverKind: "user",
          decision: "approved",
          manifestsDigest: d.manifestsDigest,
          createdAt: at(i * 60 + 1),
        },
      });
    }
    const log = installQueryLog(t.url);
    const counted = async (limit: number) => {
      log.clear();
      const res = await timeline(app.id, `limit=${limit}`);
      expect(ZTimelinePage.parse(res.body).items).toHaveLength(limit);
      return log.queries.filter((q) => !/api_?token|"User"|session/i.test(q.sql)).length;
    };
    const small = await counted(2);
    expect(await counted(80)).toBe(small);
    // The application with its repository and status, one keyset query per source (deployments, approvals; syncs and
    // pins only for a pull application, push drift only for a push one), and the live deployment; on PostgreSQL also
    // transaction statements.
    expect(small).toBeLessThanOrEqual(9);
  });
});
