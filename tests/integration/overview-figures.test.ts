import { beforeAll, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import { getDeliveryComparison } from "@/lib/compare/data/get-comparison";
import { deliveryFigureHref } from "@/lib/compare/links";
import { resolveRange } from "@/lib/compare/range";
import { db } from "@/lib/db";
import { rebuildRollups } from "@/lib/rollups/data/rebuild-rollups";
import { listSyncEvents } from "@/lib/sync/data/list-sync-events";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// Issue 17, item 8: the Overview's pull figures mean what their labels say.

useTestDatabase();

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

let admin: Caller;
let agent: AgentCaller;
let selfHealed: { targetId: string; repoId: string };
let registered: { targetId: string; repoId: string };

async function pullRepo(): Promise<{ targetId: string; repoId: string }> {
  const suffix = Math.random().toString(36).slice(2, 10);
  const target = await db().target.create({
    data: { name: `pull-${suffix}`, environment: "dev", mode: "pull", serverUrl: "https://127.0.0.1:6443" },
  });
  const repo = await db().pullRepo.create({
    data: { targetId: target.id, url: `https://git.example/${suffix}.git`, branch: "main", createdById: admin.userId },
  });
  return { targetId: target.id, repoId: repo.id };
}

async function send(events: ReturnType<typeof syncEvent>[]): Promise<void> {
  const res = await callRoute(eventsRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/events",
    body: { events },
    as: agent,
  });
  expect(res.status, res.text).toBe(200);
}

const range = () => resolveRange({ range: "30" });
const figuresOf = async (targetId: string) => (await getDeliveryComparison({ range: range(), targetId })).pull;

beforeAll(async () => {
  admin = await createCaller("admin");
  selfHealed = await pullRepo();
  registered = await pullRepo();
  agent = await createEnrolledAgent(admin, [selfHealed.targetId, registered.targetId]);
});

describe("Overview pull figures", () => {
  it("a self-healed drift (reported only as corrected) counts as detected and as corrected", async () => {
    const { targetId, repoId } = selfHealed;
    await send([
      syncEvent({
        targetId,
        repoId,
        kind: "drift",
        trigger: "drift",
        result: "drift-corrected",
        message: "drift corrected",
      }),
    ]);
    const d = await figuresOf(targetId);
    expect({ detected: d.driftDetected, corrected: d.driftCorrected }).toEqual({ detected: 1, corrected: 1 });
    // The "detected" link lists that row too, so the figure and its rows agree.
    const r = range();
    const link = deliveryFigureHref("pull", "drift-detected", {
      from: r.from.toISOString(),
      to: r.to.toISOString(),
      environment: null,
      targetId,
    });
    const page = await listSyncEvents(Object.fromEntries(new URLSearchParams(link!.split("?")[1])));
    expect(page.items.map((e) => e.result)).toEqual(["drift-corrected"]);
  });

  it("a repository registered with an old commit adds no lead time; a commit made after registration does", async () => {
    const { targetId, repoId } = registered;
    const now = Date.now();
    // First sync, a minute after registration, of the commit the branch pointed at: a month old.
    await send([
      syncEvent({
        targetId,
        repoId,
        occurredAt: new Date(now + MIN).toISOString(),
        revision: { sha: fakeSha(), committedAt: new Date(now - 30 * DAY).toISOString() },
      }),
    ]);
    let d = await figuresOf(targetId);
    expect(d.leadTime.count).toBe(0);
    expect(d.leadTime.p50Ms).toBeNull();
    // Then a commit made after registration, synced 10 minutes later.
    await send([
      syncEvent({
        targetId,
        repoId,
        occurredAt: new Date(now + 12 * MIN).toISOString(),
        revision: { sha: fakeSha(), committedAt: new Date(now + 2 * MIN).toISOString() },
      }),
    ]);
    d = await figuresOf(targetId);
    expect(d.leadTime.count).toBe(1);
    expect(d.leadTime.meanMs).toBe(10 * MIN);
    // The old commit's time stays in the event's details; a rebuild applies the same rule.
    const rows = await db().syncEvent.findMany({ where: { repoId }, orderBy: { occurredAt: "asc" } });
    expect(rows.map((r) => r.committedAt?.getTime() ?? null)).toEqual([null, now + 2 * MIN]);
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ committedAt: new Date(now - 30 * DAY).toISOString() });
    await db().syncEvent.update({ where: { id: rows[0]!.id }, data: { committedAt: new Date(now - 30 * DAY) } });
    await rebuildRollups({ from: new Date(now - 2 * DAY), to: new Date(now + 2 * DAY) });
    d = await figuresOf(targetId);
    expect(d.leadTime.count).toBe(1);
    expect(d.leadTime.meanMs).toBe(10 * MIN);
    expect((await db().syncEvent.findUnique({ where: { id: rows[0]!.id } }))?.committedAt).toBeNull();
  });
});
