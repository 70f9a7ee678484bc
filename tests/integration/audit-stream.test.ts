import { beforeAll, describe, expect, it } from "vitest";
import * as streamRoute from "@/app/api/audit/stream/route";
import { recordStandaloneAuditEvent } from "@/lib/audit/data/record-audit-event";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let approver: Caller;
let viewer: Caller;
let deployer: Caller;

/** One page of the stream: its events and the next cursor. */
async function page(after: string | null, limit: number | null, as: Caller = approver) {
  const query = new URLSearchParams();
  if (after !== null) query.set("after", after);
  if (limit !== null) query.set("limit", String(limit));
  const res = await callRoute(streamRoute.GET, { path: `/api/audit/stream?${query.toString()}`, as });
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
  const lines = res.text === "" ? [] : res.text.replace(/\n$/, "").split("\n");
  expect(res.text === "" || res.text.endsWith("\n")).toBe(true);
  return {
    events: lines.map((l) => JSON.parse(l) as Record<string, any>),
    next: res.headers.get("x-wharf-next-after"),
    text: res.text,
  };
}

beforeAll(async () => {
  approver = await createCaller("approver");
  viewer = await createCaller("viewer");
  deployer = await createCaller("deployer");
  for (let i = 0; i < 23; i++) {
    await recordStandaloneAuditEvent({
      actor: { kind: "user", id: approver.userId, name: approver.email },
      action: "user.updated",
      subjectType: "user",
      subjectId: `user-${i}`,
      outcome: i % 5 === 0 ? "failure" : "success",
      request: { ip: "10.0.0.7", userAgent: "stream-test", requestId: `req-${i}` },
      details: { step: i },
    });
  }
});

describe("GET /api/audit/stream", () => {
  it("pages through every event with the cursor, in chain order, with no gap or duplicate, then answers empty", async () => {
    const all = await db().auditEvent.findMany({
      orderBy: { seq: "asc" },
      select: { seq: true, id: true, hash: true },
    });
    expect(all.length).toBeGreaterThanOrEqual(23);
    const seen: Record<string, any>[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const p = await page(after, 5);
      expect(p.events.length).toBeLessThanOrEqual(5);
      if (p.events.length === 0) {
        // Caught up: an empty body, and the cursor stays where it was.
        expect(p.text).toBe("");
        expect(p.next).toBe(after);
        break;
      }
      expect(p.next).toBe(String(p.events[p.events.length - 1]!.seq));
      seen.push(...p.events);
      after = p.next;
    }
    expect(seen.map((e) => e.seq)).toEqual(all.map((r) => r.seq));
    expect(seen.map((e) => e.id)).toEqual(all.map((r) => r.id));
    // Each event links to the one before it: a receiver can check the chain has no hole.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.prevHash).toBe(seen[i - 1]!.hash);

    const sample = seen.find((e) => e.requestId === "req-5")!;
    expect(sample).toMatchObject({
      action: "user.updated",
      outcome: "failure",
      actor: { kind: "user", id: approver.userId, name: approver.email },
      subject: { type: "user", id: "user-5" },
      ip: "10.0.0.7",
      details: { step: 5 },
    });
    expect(typeof sample.at).toBe("string");

    // A new event after the collector caught up arrives on its next poll, and only it.
    await recordStandaloneAuditEvent({
      actor: { kind: "system", id: null, name: "wharf" },
      action: "user.updated",
      subjectType: "user",
      subjectId: "late",
    });
    const late = await page(after, 5);
    expect(late.events.map((e) => e.subject.id)).toEqual(["late"]);
  });

  it("defaults to 500 events a page and refuses a page above 5,000", async () => {
    const p = await page(null, null);
    expect(p.events.length).toBe(await db().auditEvent.count());
    const res = await callRoute(streamRoute.GET, { path: "/api/audit/stream?limit=5001", as: approver });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "VALIDATION_FAILED", fields: { limit: expect.any(Array) } });
  });

  it("answers 422 naming the field for a cursor that is not a seq, like every other bad cursor", async () => {
    for (const bad of ["abc", "-1", "1.5", "", "12abc"]) {
      const res = await callRoute(streamRoute.GET, {
        path: `/api/audit/stream?after=${encodeURIComponent(bad)}`,
        as: approver,
      });
      expect(res.status, bad).toBe(422);
      expect(res.body.error).toMatchObject({
        code: "VALIDATION_FAILED",
        message: expect.any(String),
        fields: { after: expect.any(Array) },
      });
    }
  });

  it("is refused to roles that may not export the audit trail, and to nobody", async () => {
    for (const who of [viewer, deployer]) {
      const res = await callRoute(streamRoute.GET, { path: "/api/audit/stream", as: who });
      expect(res.status).toBe(403);
      expect(res.text).not.toContain("user.updated");
    }
    expect((await callRoute(streamRoute.GET, { path: "/api/audit/stream" })).status).toBe(401);
  });
});
