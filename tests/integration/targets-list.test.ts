import { beforeAll, describe, expect, it } from "vitest";
import * as targetRoute from "@/app/api/targets/[id]/route";
import * as targetsRoute from "@/app/api/targets/route";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

useTestDatabase();

let admin: Caller;

// 13 targets across modes and environments; names chosen so ordering and search are easy to reason about.
const SEED = [
  ...Array.from({ length: 7 }, (_, i) => ({
    name: `alpha-${i}`,
    mode: "push",
    environment: "dev",
    ownerTeam: "Payments",
  })),
  ...Array.from({ length: 4 }, (_, i) => ({
    name: `beta-${i}`,
    mode: "pull",
    environment: "prod",
    ownerTeam: "Search",
  })),
  { name: "gamma", mode: "pull", environment: "dev", ownerTeam: "payments-platform" },
  { name: "delta", mode: "push", environment: "staging", ownerTeam: "" },
];

beforeAll(async () => {
  admin = await createCaller("admin");
  for (const t of SEED) {
    const res = await callRoute(targetsRoute.POST, {
      method: "POST",
      path: "/api/targets",
      body: { ...t, serverUrl: "https://k8s.example.test:6443" },
      as: admin,
    });
    expect(res.status).toBe(201);
  }
});

async function list(query: Record<string, string>) {
  const qs = new URLSearchParams(query).toString();
  return callRoute(targetsRoute.GET, { path: `/api/targets?${qs}`, as: admin });
}

async function listAll(query: Record<string, string>): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await list({ ...query, ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    names.push(...(res.body.items as { name: string }[]).map((t) => t.name));
    cursor = res.body.nextCursor as string | null;
    pages++;
  } while (cursor && pages < 50);
  return { names, pages };
}

describe("GET /api/targets", () => {
  it("returns every target exactly once across pages, in name order", async () => {
    const { names, pages } = await listAll({ limit: "3" });
    expect(pages).toBe(5);
    expect(names).toEqual(SEED.map((t) => t.name).sort());
  });

  it("neither repeats nor skips rows when the cursor's row is deleted between pages", async () => {
    const temp = await callRoute(targetsRoute.POST, {
      method: "POST",
      path: "/api/targets",
      body: { name: "aaa-temp", mode: "push", environment: "dev", serverUrl: "https://k8s.example.test:6443" },
      as: admin,
    });
    const first = await list({ limit: "1" });
    expect(first.body.items.map((t: { name: string }) => t.name)).toEqual(["aaa-temp"]);
    const del = await callRoute(targetRoute.DELETE, { method: "DELETE", params: { id: temp.body.id }, as: admin });
    expect(del.status).toBe(204);
    const rest = await list({ limit: "100", cursor: first.body.nextCursor });
    expect(rest.body.items.map((t: { name: string }) => t.name)).toEqual(SEED.map((t) => t.name).sort());
    expect(rest.body.nextCursor).toBeNull();
  });

  it("filters by mode and by environment, and combines them, across pages", async () => {
    expect((await listAll({ mode: "pull", limit: "2" })).names).toEqual([
      "beta-0",
      "beta-1",
      "beta-2",
      "beta-3",
      "gamma",
    ]);
    expect((await listAll({ environment: "dev", limit: "4" })).names).toEqual(
      [...SEED.filter((t) => t.environment === "dev").map((t) => t.name)].sort(),
    );
    expect((await listAll({ environment: "dev", mode: "pull" })).names).toEqual(["gamma"]);
  });

  it("searches name and owner team, ignoring case", async () => {
    expect((await listAll({ q: "PAYMENTS" })).names).toEqual(
      [...SEED.filter((t) => /payments/i.test(t.ownerTeam)).map((t) => t.name)].sort(),
    );
    expect((await listAll({ q: "delt" })).names).toEqual(["delta"]);
  });

  it("treats empty filters as no filter and caps the page size", async () => {
    const res = await list({ q: "", mode: "", environment: "" });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(SEED.length);
    const tooMany = await list({ limit: "101" });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.fields.limit).toHaveLength(1);
  });

  it("answers 422 for a bad mode or cursor", async () => {
    expect((await list({ mode: "sideways" })).status).toBe(422);
    const bad = await list({ cursor: "not-a-cursor" });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.cursor).toHaveLength(1);
  });

  it("list rows carry no CA bundle text", async () => {
    const res = await list({ limit: "1" });
    expect(res.body.items[0]).not.toHaveProperty("caBundle");
    expect(res.body.items[0]).toHaveProperty("hasCaBundle", false);
  });
});
