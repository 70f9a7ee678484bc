import "reflect-metadata";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as sinksRoute from "@/app/api/notification-sinks/route";
import { register } from "@/instrumentation";
import { FLOOD_SUMMARY_ACTOR, FLOOD_WINDOW_MS } from "@/lib/audit/data/record-capped-audit-event";
import { dbFor } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { stopProcessLoops } from "@/lib/jobs/leased-loop";
import { enqueueNotification } from "@/lib/notifications/data/enqueue-notification";
import { callRoute, createCaller } from "../support/api";
import { useTestDatabase } from "../support/test-db";

// What a dashboard process starts (instrumentation.ts), with automatic rotation switched off: the notification
// dispatcher and the audit flood summaries are not rotation's and must run regardless.
const t = useTestDatabase();
const db = () => dbFor(t.url);

const SWITCHES = {
  NEXT_RUNTIME: "nodejs",
  WHARF_ROTATION: "off",
  WHARF_EXECUTOR: "off",
  WHARF_SCOPE_CHECK_INTERVAL: "off",
};
const saved = Object.fromEntries(Object.keys(SWITCHES).map((k) => [k, process.env[k]]));

const received: string[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    received.push(Buffer.concat(chunks).toString("utf8"));
    res.writeHead(200).end("ok");
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  Object.assign(process.env, SWITCHES);
  resetEnvCache();
});

afterAll(async () => {
  await stopProcessLoops();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvCache();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("background work with WHARF_ROTATION=off", () => {
  it("still delivers notifications and writes the audit flood summaries; rotation stays off", async () => {
    const admin = await createCaller("admin");
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const sink = await callRoute(sinksRoute.POST, {
      method: "POST",
      path: "/api/notification-sinks",
      body: { name: "rotation-off", url, events: ["rotation.failed"] },
      as: admin,
    });
    expect(sink.status).toBe(201);
    await enqueueNotification({
      input: {
        event: "rotation.failed",
        data: {
          credentialId: "cred-off",
          targetId: "t1",
          targetName: "prod-eu",
          fingerprint: "abcdef012345",
          expiresAt: null,
          error: "forbidden",
          attempts: 1,
          nextAttemptAt: null,
        },
      },
      dedupKey: "rotation.failed:cred-off",
    });
    // A minute that is over, with nothing capped since: only the summary loop turns it into its row.
    const windowStart = new Date(Math.floor((Date.now() - 3 * FLOOD_WINDOW_MS) / FLOOD_WINDOW_MS) * FLOOD_WINDOW_MS);
    await db().auditFloodCount.create({
      data: { action: "webhook.rejected", subjectType: "webhook", windowStart, count: 4 },
    });

    await register();

    await vi.waitFor(
      async () => {
        expect(received).toHaveLength(1);
        expect(await db().auditFloodCount.count()).toBe(0);
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(JSON.parse(received[0]!)).toMatchObject({ wharf: { event: "rotation.failed" } });
    const summary = await db().auditEvent.findFirstOrThrow({
      where: { action: "webhook.rejected", actorName: FLOOD_SUMMARY_ACTOR.name },
    });
    expect(JSON.parse(summary.details)).toMatchObject({ suppressed: 4 });
    expect(await db().schedulerLease.findUnique({ where: { name: "rotation" } })).toBeNull();
  });
});
