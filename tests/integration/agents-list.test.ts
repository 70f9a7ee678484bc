import { beforeAll, describe, expect, it } from "vitest";
import * as agentsRoute from "@/app/api/agents/route";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createPullTarget } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);

let admin: Caller;
let viewer: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
  viewer = await createCaller("viewer");
});

async function createAgents(targetId: string, names: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const res = await callRoute(agentsRoute.POST, {
      method: "POST",
      path: "/api/agents",
      body: { name, targetIds: [targetId] },
      as: admin,
    });
    expect(res.status).toBe(201);
    ids.push(res.body.agent.id as string);
  }
  return ids;
}

async function list(query: string, as: Caller = viewer) {
  return callRoute(agentsRoute.GET, { path: `/api/agents${query}`, as });
}

describe("GET /api/agents", () => {
  it("pages newest first with a keyset cursor: every agent once, ties on createdAt broken by id", async () => {
    const target = await createPullTarget();
    const ids = await createAgents(
      target.id,
      ["a1", "a2", "a3", "a4", "a5"].map((n) => `${n}-${target.id.slice(-6)}`),
    );
    // Two agents created in the same millisecond must still page without repeats or gaps.
    const same = new Date(Date.UTC(2026, 0, 1));
    await db().agent.updateMany({ where: { id: { in: ids.slice(1, 4) } }, data: { createdAt: same } });
    const expected = (
      await db().agent.findMany({
        where: { id: { in: ids } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { id: true },
      })
    ).map((a) => a.id);

    const seen: string[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const res = await list(`?targetId=${target.id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.agents.length).toBeLessThanOrEqual(2);
      seen.push(...(res.body.agents as { id: string }[]).map((a) => a.id));
      cursor = res.body.nextCursor as string | null;
      pages++;
    }
    expect(seen).toEqual(expected);
    expect(pages).toBe(3);
  });

  it("answers 422 for a foreign cursor or an oversized page, and never returns secrets", async () => {
    const target = await createPullTarget();
    await createAgents(target.id, [`s-${target.id.slice(-6)}`]);
    const bad = await list("?cursor=not-a-cursor");
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("VALIDATION_FAILED");
    const big = await list("?limit=1000");
    expect(big.status).toBe(422);
    const res = await list(`?targetId=${target.id}`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toMatch(/wharfa_|wharfe_|credentialHash|enrolmentTokenHash/);
  });
});
