import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as pinRoute from "@/app/api/repos/[id]/pin/route";
import * as repoRoute from "@/app/api/repos/[id]/route";
import * as dailyRoute from "@/app/api/sync-events/daily/route";
import * as syncEventsRoute from "@/app/api/sync-events/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import { ZAssignments } from "@/lib/agent/protocol";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let deployer: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
  deployer = await createCaller("deployer");
});

async function register(targetId: string, url = `https://git.example.test/${fakeSha().slice(0, 10)}.git`) {
  const res = await callRoute(reposRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/repos`,
    params: { id: targetId },
    body: { url },
    as: deployer,
  });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

const send = (agent: AgentCaller, events: unknown[]) =>
  callRoute(eventsRoute.POST, { method: "POST", path: "/api/agent/v1/events", body: { events }, as: agent });
const list = (query: string) => callRoute(syncEventsRoute.GET, { path: `/api/sync-events?${query}`, as: deployer });

describe("sync history", () => {
  it("pages newest first without gaps or repeats, and filters by target, repo, result, trigger and time", async () => {
    const a = await createPullTarget();
    const b = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [a.id, b.id]);
    const repoA = await register(a.id);
    const repoB = await register(b.id);
    const base = Date.UTC(2026, 0, 10, 12);
    const events = Array.from({ length: 23 }, (_, i) =>
      syncEvent({
        targetId: i % 2 ? b.id : a.id,
        repoId: i % 2 ? repoB.id : repoA.id,
        // Pairs share a timestamp so the id tie-break is exercised.
        occurredAt: new Date(base + Math.floor(i / 2) * 60_000).toISOString(),
        result: i % 5 === 0 ? "failed" : "synced",
        trigger: i % 3 === 0 ? "notify" : "poll",
        revision: { sha: fakeSha(), message: `commit ${i}`, authorName: "A", authorEmail: "a@x" },
      }),
    );
    expect((await send(agent, events)).body.accepted).toBe(23);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(
        `targetId=&limit=5${cursor ? `&cursor=${cursor}` : ""}&from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((e: { id: string }) => e.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(23);
    expect(seen.sort()).toEqual(events.map((e) => e.id).sort());

    const firstPage = await list("limit=3&from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z");
    const times = firstPage.body.items.map((e: { occurredAt: string }) => e.occurredAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(firstPage.body.items[0].target.name).toBe(a.name);
    expect(firstPage.body.items[0].repo.id).toBe(repoA.id);

    const failed = await list(`result=failed&targetId=${a.id}&limit=100`);
    expect(failed.body.items.length).toBe(events.filter((e, i) => e.result === "failed" && i % 2 === 0).length);
    expect(
      failed.body.items.every(
        (e: { result: string; target: { id: string } }) => e.result === "failed" && e.target.id === a.id,
      ),
    ).toBe(true);
    const notify = await list(`trigger=notify&repoId=${repoB.id}&limit=100`);
    expect(notify.body.items.length).toBe(events.filter((e, i) => i % 3 === 0 && i % 2 === 1).length);
    const early = await list(`to=${new Date(base + 60_000).toISOString()}&limit=100`);
    expect(early.body.items.length).toBe(2);
    expect((await list("result=bogus")).status).toBe(422);
    expect((await list("cursor=not-a-cursor")).status).toBe(422);

    const daily = await callRoute(dailyRoute.GET, {
      path: `/api/sync-events/daily?days=3&targetId=${a.id}`,
      as: deployer,
    });
    expect(daily.status).toBe(200);
    expect(daily.body.days).toHaveLength(3);
    expect(daily.body.days[2].day).toBe(new Date().toISOString().slice(0, 10));
  });

  it("counts syncs and failures per day", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);
    const now = new Date();
    const yesterday = new Date(now.getTime() - 86_400_000);
    await send(agent, [
      syncEvent({ targetId: target.id, repoId: repo.id, occurredAt: yesterday.toISOString(), result: "synced" }),
      syncEvent({ targetId: target.id, repoId: repo.id, occurredAt: yesterday.toISOString(), result: "failed" }),
      syncEvent({ targetId: target.id, repoId: repo.id, occurredAt: now.toISOString(), result: "drift-corrected" }),
      syncEvent({ targetId: target.id, repoId: repo.id, occurredAt: now.toISOString(), result: "synced" }),
      syncEvent({
        targetId: target.id,
        repoId: repo.id,
        occurredAt: now.toISOString(),
        result: "pending-approval",
        kind: "pending-approval",
      }),
    ]);
    const res = await callRoute(dailyRoute.GET, {
      path: `/api/sync-events/daily?days=2&targetId=${target.id}`,
      as: deployer,
    });
    expect(res.body.days).toEqual([
      { day: yesterday.toISOString().slice(0, 10), synced: 1, failed: 1 },
      { day: now.toISOString().slice(0, 10), synced: 2, failed: 0 },
    ]);
  });
});

describe("rollback pins", () => {
  it("pins at once without approvals; refuses revisions never reported; unpins", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);
    const old = fakeSha();
    await send(agent, [
      syncEvent({
        targetId: target.id,
        repoId: repo.id,
        revision: { sha: old, message: "old", authorName: "A", authorEmail: "a@x" },
      }),
    ]);
    const unknown = await callRoute(pinRoute.POST, {
      method: "POST",
      path: `/api/repos/${repo.id}/pin`,
      params: { id: repo.id },
      body: { revision: fakeSha() },
      as: deployer,
    });
    expect(unknown.status).toBe(422);
    const pinned = await callRoute(pinRoute.POST, {
      method: "POST",
      path: `/api/repos/${repo.id}/pin`,
      params: { id: repo.id },
      body: { revision: old },
      as: deployer,
    });
    expect(pinned.status).toBe(200);
    expect(pinned.body.outcome).toBe("pinned");
    const a = ZAssignments.parse(
      (await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent })).body,
    );
    expect(a.targets[0]!.repos[0]!.pinnedRevision).toBe(old);
    const unpinned = await callRoute(pinRoute.POST, {
      method: "POST",
      path: `/api/repos/${repo.id}/pin`,
      params: { id: repo.id },
      body: { revision: null },
      as: deployer,
    });
    expect(unpinned.body.outcome).toBe("unpinned");
    expect(unpinned.body.repo.pinnedRevision).toBeNull();
  });

  it("goes through the approval rule when the target requires approvals; the requester may not approve", async () => {
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);
    const old = fakeSha();
    await send(agent, [
      syncEvent({
        targetId: target.id,
        repoId: repo.id,
        revision: { sha: old, message: "old", authorName: "A", authorEmail: "someone@x" },
      }),
    ]);
    const requester = await createCaller("admin");
    const res = await callRoute(pinRoute.POST, {
      method: "POST",
      path: `/api/repos/${repo.id}/pin`,
      params: { id: repo.id },
      body: { revision: old, reason: "bad release" },
      as: requester,
    });
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe("pending-approval");
    expect(res.body.repo.pendingPin).toEqual({ deploymentId: res.body.deploymentId, revision: old });
    expect(res.body.repo.pinnedRevision).toBeNull();
    const id = res.body.deploymentId as string;

    const self = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${id}/approvals`,
      params: { id },
      body: { decision: "approved" },
      as: requester,
    });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe("APPROVAL_SELF_FORBIDDEN");
    const approver = await createCaller("approver");
    expect(
      (
        await callRoute(approvalsRoute.POST, {
          method: "POST",
          path: `/api/deployments/${id}/approvals`,
          params: { id },
          body: { decision: "approved" },
          as: approver,
        })
      ).status,
    ).toBe(201);

    const a = ZAssignments.parse(
      (await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent })).body,
    );
    expect(a.targets[0]!.repos[0]!.pinnedRevision).toBe(old);
    expect((await db().deployment.findUniqueOrThrow({ where: { id } })).state).toBe("queued");
    await send(agent, [
      syncEvent({
        targetId: target.id,
        repoId: repo.id,
        trigger: "rollback",
        revision: { sha: old, message: "old", authorName: "A", authorEmail: "someone@x" },
      }),
    ]);
    expect((await db().deployment.findUniqueOrThrow({ where: { id } })).state).toBe("succeeded");
    const repoView = await callRoute(repoRoute.GET, {
      path: `/api/repos/${repo.id}`,
      params: { id: repo.id },
      as: deployer,
    });
    expect(repoView.body.pinnedRevision).toBe(old);
    expect(repoView.body.pendingPin).toBeNull();
  });

  it("removing a repository cancels its open requests and keeps its history", async () => {
    const target = await createPullTarget({ requiredApprovals: 1 });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);
    await send(agent, [
      syncEvent({
        targetId: target.id,
        repoId: repo.id,
        kind: "pending-approval",
        result: "pending-approval",
        revision: { sha: fakeSha(), message: "m", authorName: "A", authorEmail: "a@x" },
      }),
    ]);
    const removed = await callRoute(repoRoute.DELETE, {
      method: "DELETE",
      path: `/api/repos/${repo.id}`,
      params: { id: repo.id },
      as: deployer,
    });
    expect(removed.status).toBe(204);
    expect((await db().deployment.findFirstOrThrow({ where: { pullRepoId: repo.id } })).state).toBe("cancelled");
    expect(await db().syncEvent.count({ where: { repoId: repo.id } })).toBe(1);
    const a = ZAssignments.parse(
      (await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent })).body,
    );
    expect(a.targets[0]!.repos).toEqual([]);
    // Events buffered before the removal are still accepted for the agent's own target.
    expect((await send(agent, [syncEvent({ targetId: target.id, repoId: repo.id })])).body.accepted).toBe(1);
  });
});
