import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as verifyRoute from "@/app/api/audit/verify/route";
import * as tokensRoute from "@/app/api/tokens/route";
import * as usersRoute from "@/app/api/users/route";
import { run as auditCli } from "@/lib/cli/commands/audit";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let admin: Caller;

async function verify() {
  const res = await callRoute(verifyRoute.POST, { method: "POST", path: "/api/audit/verify", as: admin });
  expect(res.status).toBe(200);
  return res.body as {
    intact: boolean;
    rows: number;
    brokenAt?: { seq: number | null; id: string | null; at: string | null; reason: string };
    checked: { rows: number; keyedRows: number };
  };
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    const code = await auditCli(args);
    return { code, out: [...log.mock.calls, ...err.mock.calls].map((c) => c.join(" ")).join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

/** A row in the middle of the trail, so both a previous and a next link exist. */
async function middleRow() {
  const rows = await dbFor(t.url).auditEvent.findMany({ orderBy: { seq: "asc" } });
  expect(rows.length).toBeGreaterThanOrEqual(5);
  return rows[Math.floor(rows.length / 2)]!;
}

afterEach(() => vi.restoreAllMocks());

beforeAll(async () => {
  admin = await createCaller("admin");
  for (let i = 0; i < 4; i++) {
    const res = await callRoute(usersRoute.POST, {
      method: "POST",
      path: "/api/users",
      as: admin,
      body: {
        email: `chain-${i}@example.com`,
        name: `Chain ${i}`,
        role: "viewer",
        password: "correct horse battery staple",
      },
    });
    expect(res.status).toBe(201);
    expect(
      (
        await callRoute(tokensRoute.POST, {
          method: "POST",
          path: "/api/tokens",
          as: admin,
          body: { name: `t${i}`, role: "deployer" },
        })
      ).status,
    ).toBe(201);
  }
});

// The cases build on each other in order: intact, then the triggers, then tampering with the triggers dropped.
describe("audit hash chain", () => {
  it("verifies intact over every row, from the API and the CLI", async () => {
    const count = await dbFor(t.url).auditEvent.count();
    expect(count).toBeGreaterThanOrEqual(8);
    expect(await verify()).toMatchObject({ intact: true, rows: count, checked: { rows: count, keyedRows: count } });
    const out = await cli(["verify"]);
    expect(out.code).toBe(0);
    expect(out.out.split("\n")[0]).toBe(`intact, ${count} rows`);
  });

  it("refuses UPDATE and DELETE on audit rows while the triggers are in place", async () => {
    const db = dbFor(t.url);
    const row = await middleRow();
    await expect(
      db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorName" = 'mallory' WHERE "seq" = ${row.seq}`),
    ).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = ${row.seq}`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.auditEvent.update({ where: { seq: row.seq }, data: { outcome: "denied" } })).rejects.toThrow();
    await expect(db.auditEvent.deleteMany({})).rejects.toThrow();
    if (t.kind === "postgresql")
      await expect(db.$executeRawUnsafe(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only/);
    expect((await db.auditEvent.findUniqueOrThrow({ where: { seq: row.seq } })).actorName).toBe(row.actorName);
    expect((await verify()).intact).toBe(true);
  });

  it("detects an edited row at that row, and is intact again once it is restored", async () => {
    const db = dbFor(t.url);
    await db.$executeRawUnsafe(
      t.kind === "sqlite"
        ? `DROP TRIGGER "AuditEvent_no_update"`
        : `DROP TRIGGER "AuditEvent_no_update_delete" ON "AuditEvent"`,
    );
    const row = await middleRow();
    await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorName" = 'mallory' WHERE "seq" = ${row.seq}`);

    const verdict = await verify();
    expect(verdict.intact).toBe(false);
    expect(verdict.brokenAt).toEqual({
      seq: row.seq,
      id: row.id,
      at: row.at.toISOString(),
      reason: expect.stringMatching(/edited/),
    });
    const out = await cli(["verify"]);
    expect(out.code).toBe(1);
    expect(out.out).toContain(`seq ${row.seq}`);
    expect(out.out).toContain(row.id);

    await db.$executeRawUnsafe(
      `UPDATE "AuditEvent" SET "actorName" = '${row.actorName.replace(/'/g, "''")}' WHERE "seq" = ${row.seq}`,
    );
    expect((await verify()).intact).toBe(true);
  });

  it("detects a deleted middle row at the row after it", async () => {
    const db = dbFor(t.url);
    if (t.kind === "sqlite") await db.$executeRawUnsafe(`DROP TRIGGER "AuditEvent_no_delete"`);
    const row = await middleRow();
    const next = await db.auditEvent.findFirstOrThrow({ where: { seq: { gt: row.seq } }, orderBy: { seq: "asc" } });
    await db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = ${row.seq}`);

    const verdict = await verify();
    expect(verdict).toMatchObject({
      intact: false,
      brokenAt: { seq: next.seq, id: next.id, reason: expect.stringMatching(/removed/) },
    });
    expect((await cli(["verify"])).code).toBe(1);
  });

  it("is for approvers and admins; the CLI rejects unknown subcommands", async () => {
    for (const role of ["viewer", "deployer"] as const) {
      expect((await callRoute(verifyRoute.POST, { method: "POST", as: await createCaller(role) })).status).toBe(403);
    }
    expect((await callRoute(verifyRoute.POST, { method: "POST", as: await createCaller("approver") })).status).toBe(
      200,
    );
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli([])).code).toBe(2);
  });
});
