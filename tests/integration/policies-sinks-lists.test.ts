import { beforeAll, describe, expect, it } from "vitest";
import * as sinksRoute from "@/app/api/notification-sinks/route";
import * as policiesRoute from "@/app/api/policies/route";
import { encodeKeysetCursor } from "@/lib/keyset-cursor";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createPushTarget } from "../support/pull";
import { installQueryLog } from "../support/query-log";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let log: ReturnType<typeof installQueryLog>;
let admin: Caller;
let viewer: Caller;
let approver: Caller;

// Mixed case, separators and digits: the pages must follow the database's own order of names, whatever it is.
const NAMES = ["prod-9", "prod-10", "Prod", "alpha", "a b", "a-c", "a_d", "Zulu"];

type Row = { id: string; name: string };
type Handler = Parameters<typeof callRoute>[0];

beforeAll(async () => {
  log = installQueryLog(t.url);
  admin = await createCaller("admin");
  viewer = await createCaller("viewer");
  approver = await createCaller("approver");
});

/** Every row of a list, following `nextCursor` at `limit` rows a page; checks each page's size on the way. */
async function walk<T extends Row>(handler: Handler, path: string, limit: number, as: Caller = admin): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res = await callRoute(handler, {
      path: `${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      as,
    });
    expect(res.status, res.text).toBe(200);
    const items = res.body.items as T[];
    cursor = res.body.nextCursor as string | null;
    expect(items.length).toBe(cursor === null ? items.length : limit);
    expect(items.length).toBeLessThanOrEqual(limit);
    rows.push(...items);
    if (cursor === null) return rows;
  }
  throw new Error(`${path} did not end`);
}

/** The ids bound by the statements that read `table`, since the log was cleared. */
function boundIds(table: string, ids: readonly string[]): string[] {
  return log.queries
    .filter((q) => new RegExp(`FROM [^()]*?["\`]${table}["\`]`).test(q.sql))
    .flatMap((q) => q.params.filter((p): p is string => typeof p === "string" && ids.includes(p)));
}

/** Bad input changes nothing and answers 422 `{error:{code,message,fields}}`. */
async function expectBadQueries(handler: Handler, path: string) {
  for (const query of [
    "cursor=not-a-cursor",
    `cursor=${encodeKeysetCursor(["a", "b"])}`,
    "limit=0",
    "limit=201",
    "limit=x",
  ]) {
    const res = await callRoute(handler, { path: `${path}?${query}`, as: admin });
    expect(res.status, query).toBe(422);
    expect(res.body.error).toMatchObject({ code: "VALIDATION_FAILED", message: expect.any(String) });
    expect(Object.keys(res.body.error.fields ?? {}), query).toEqual([query.split("=")[0]]);
  }
}

describe("GET /api/policies: keyset pages by name", () => {
  let policies: Row[] = [];
  const explicit = new Map<string, number>();

  beforeAll(async () => {
    for (const name of NAMES) {
      const res = await callRoute(policiesRoute.POST, {
        method: "POST",
        path: "/api/policies",
        body: { name, maxAgeDays: 30, warnBeforeDays: 7 },
        as: admin,
      });
      expect(res.status).toBe(201);
      policies.push(res.body as Row);
    }
    // Different explicit-target counts per policy (0, 1, 2, …), so a count attached to the wrong row shows.
    for (const [i, p] of policies.slice(0, 3).entries()) {
      for (let n = 0; n <= i; n++) {
        const target = await createPushTarget();
        await log.db.target.update({ where: { id: target.id }, data: { credentialPolicyId: p.id } });
      }
      explicit.set(p.id, i + 1);
    }
    policies = await log.db.credentialPolicy.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
  });

  it("pages at limit 1..3 give the unpaginated order, every policy once, with its own explicit-target count", async () => {
    const all = await walk<Row & { explicitTargets: number }>(policiesRoute.GET, "/api/policies", 200);
    expect(all.map((p) => p.id)).toEqual(policies.map((p) => p.id));
    expect(all.map((p) => p.explicitTargets)).toEqual(policies.map((p) => explicit.get(p.id) ?? 0));
    for (const limit of [1, 2, 3]) {
      expect(await walk(policiesRoute.GET, "/api/policies", limit, viewer), `limit ${limit}`).toEqual(all);
    }
  });

  it("counts targets for the page's policies only", async () => {
    log.clear();
    const res = await callRoute(policiesRoute.GET, { path: "/api/policies?limit=2", as: admin });
    const page = (res.body.items as Row[]).map((p) => p.id);
    expect(page).toHaveLength(2);
    expect(
      boundIds(
        "Target",
        policies.map((p) => p.id),
      ).sort(),
    ).toEqual([...page].sort());
  });

  it("422 for a cursor it did not produce or a limit out of 1..200", async () => {
    await expectBadQueries(policiesRoute.GET, "/api/policies");
  });
});

describe("GET /api/notification-sinks: keyset pages by name", () => {
  let sinks: Row[] = [];
  const delivered = new Map<string, number>();

  beforeAll(async () => {
    for (const name of NAMES) {
      const res = await callRoute(sinksRoute.POST, {
        method: "POST",
        path: "/api/notification-sinks",
        body: { name, url: "https://hooks.example.com/x", events: ["rotation.due"] },
        as: admin,
      });
      expect(res.status).toBe(201);
      sinks.push(res.body.sink as Row);
    }
    for (const [i, s] of sinks.slice(0, 3).entries()) {
      await log.db.notificationDelivery.createMany({
        data: Array.from({ length: i + 1 }, (_, n) => ({
          sinkId: s.id,
          event: "rotation.due",
          dedupKey: `k${n}`,
          payload: "{}",
          state: "delivered",
        })),
      });
      await log.db.notificationDelivery.create({
        data: { sinkId: s.id, event: "rotation.due", dedupKey: "failed", payload: "{}", state: "failed" },
      });
      delivered.set(s.id, i + 1);
    }
    sinks = await log.db.notificationSink.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
  });

  it("pages at limit 1..3 give the unpaginated order, every sink once, with its own delivery counts", async () => {
    type Sink = Row & { deliveries: { pending: number; delivered: number; failed: number } };
    const all = await walk<Sink>(sinksRoute.GET, "/api/notification-sinks", 200);
    expect(all.map((s) => s.id)).toEqual(sinks.map((s) => s.id));
    expect(all.map((s) => s.deliveries)).toEqual(
      sinks.map((s) =>
        delivered.has(s.id)
          ? { pending: 0, delivered: delivered.get(s.id), failed: 1 }
          : { pending: 0, delivered: 0, failed: 0 },
      ),
    );
    for (const limit of [1, 2, 3]) {
      expect(await walk(sinksRoute.GET, "/api/notification-sinks", limit), `limit ${limit}`).toEqual(all);
    }
  });

  it("counts deliveries for the page's sinks only", async () => {
    log.clear();
    const res = await callRoute(sinksRoute.GET, { path: "/api/notification-sinks?limit=2", as: admin });
    const page = (res.body.items as Row[]).map((s) => s.id);
    expect(page).toHaveLength(2);
    expect(
      boundIds(
        "NotificationDelivery",
        sinks.map((s) => s.id),
      ).sort(),
    ).toEqual([...page].sort());
  });

  it("422 for a cursor it did not produce or a limit out of 1..200; still admin only, before any validation", async () => {
    await expectBadQueries(sinksRoute.GET, "/api/notification-sinks");
    const res = await callRoute(sinksRoute.GET, { path: "/api/notification-sinks?cursor=not-a-cursor", as: approver });
    expect(res.status).toBe(403);
  });
});
