import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import {
  FLOOD_SUMMARY_ACTOR,
  FLOOD_WINDOW_MS,
  flushAuditFloodSummaries,
} from "@/lib/audit/data/record-capped-audit-event";
import { recordDeniedApiToken } from "@/lib/auth/data/record-denied-api-token";
import { getComparison } from "@/lib/compare/data/get-comparison";
import { dbFor } from "@/lib/db/client";
import { runAuditFloodTick, startAuditFloodSummaries } from "@/lib/audit/flood-summaries";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
const minuteOf = (ms: number) => new Date(Math.floor(ms / FLOOD_WINDOW_MS) * FLOOD_WINDOW_MS);
const suppressedOf = (row: { details: string }) => (JSON.parse(row.details) as { suppressed: number }).suppressed;
const summaries = (action: string) =>
  db().auditEvent.findMany({ where: { action, actorName: FLOOD_SUMMARY_ACTOR.name }, orderBy: { seq: "asc" } });

/** `n` made-up API tokens from one address: ten get rows of their own (the per-address cap), the rest are counted. */
async function tokenFlood(n: number, ip: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    await recordDeniedApiToken({
      token: `wharf_${randomBytes(24).toString("base64url")}`,
      route: "GET /api/targets",
      request: { ip, userAgent: null, requestId: null },
    });
  }
}

describe("flood summaries", () => {
  it("reach the audit trail from the background loop after the flood stops, once across several processes' loops", async () => {
    // A minute that ended three minutes ago, with nothing capped since: before, its count waited for the next flood.
    const windowStart = minuteOf(Date.now() - 3 * FLOOD_WINDOW_MS);
    await db().auditFloodCount.create({
      data: { action: "webhook.rejected", subjectType: "webhook", windowStart, count: 7 },
    });
    const loops = [1, 2, 3].map((i) => startAuditFloodSummaries({ holder: `flood-test-${i}`, intervalMs: 50 }));
    try {
      await vi.waitFor(async () => expect(await db().auditFloodCount.count()).toBe(0), {
        timeout: 15_000,
        interval: 50,
      });
      // Several passes of every loop later, still the one summary.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await Promise.all(loops.map((l) => l.stop()));
    }
    const rows = await summaries("webhook.rejected");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subjectType: "webhook", outcome: "denied", actorKind: "system", actorId: null });
    expect(JSON.parse(rows[0]!.details)).toEqual({
      suppressed: 7,
      from: windowStart.toISOString(),
      to: new Date(windowStart.getTime() + FLOOD_WINDOW_MS).toISOString(),
    });
  });

  it("summarise each minute exactly once when flushes race (leased ticks and direct flushes at once)", async () => {
    await tokenFlood(25, "192.0.2.70");
    const counted = await db().auditFloodCount.findMany({ where: { action: "auth.denied" } });
    expect(counted.reduce((n, c) => n + c.count, 0)).toBe(15);
    const later = new Date(Date.now() + 2 * FLOOD_WINDOW_MS);
    const results = await Promise.all([
      flushAuditFloodSummaries({ now: later }),
      flushAuditFloodSummaries({ now: later }),
      flushAuditFloodSummaries({ now: later }),
      runAuditFloodTick({ holder: "race-a", leaseMs: 60_000, now: () => later }),
      runAuditFloodTick({ holder: "race-b", leaseMs: 60_000, now: () => later }),
    ]);
    const rows = await summaries("auth.denied");
    expect(rows).toHaveLength(counted.length);
    expect(rows.reduce((n, r) => n + suppressedOf(r), 0)).toBe(15);
    const written = results.reduce<number>((n, r) => n + (typeof r === "number" ? r : r.summaries), 0);
    expect(written).toBe(counted.length);
    expect(results.filter((r) => typeof r !== "number" && r.leased)).toHaveLength(1);
    expect(await db().auditFloodCount.count()).toBe(0);
    expect(await flushAuditFloodSummaries({ now: later })).toBe(0);
  });

  it("count in the comparison's denied attempts with every event they stand for", async () => {
    const range = {
      key: "custom" as const,
      from: new Date(Date.now() - 3_600_000),
      to: new Date(Date.now() + 3_600_000),
      days: 1,
      environment: null,
    };
    const deniedNow = async () => (await getComparison({ range })).exposure.push.denied.auth;
    const rows = await db().auditEvent.count({
      where: { action: "auth.denied", actorName: { not: FLOOD_SUMMARY_ACTOR.name } },
    });
    // The previous test's flood: ten rows of their own and fifteen events in summaries.
    expect(rows).toBe(10);
    expect(await deniedNow()).toBe(25);

    // A second flood, summarised: the figure grows by every attempt, not by rows.
    await tokenFlood(14, "192.0.2.71");
    expect(await flushAuditFloodSummaries({ now: new Date(Date.now() + 2 * FLOOD_WINDOW_MS) })).toBeGreaterThan(0);
    expect(await deniedNow()).toBe(39);
  });
});
