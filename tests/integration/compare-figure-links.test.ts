import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as driftRoute from "@/app/api/applications/drift/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as syncEventsRoute from "@/app/api/sync-events/route";
import { pushDriftDetails } from "@/lib/applications/push-drift";
import { refKey } from "@/lib/kube";
import type { Actor } from "@/lib/audit/schemas";
import { getDeliveryComparison } from "@/lib/compare/data/get-comparison";
import { rebuildRollups } from "@/lib/rollups/data/rebuild-rollups";
import { recordDeliveryOutcome } from "@/lib/rollups/data/record-delivery-outcome";
import type { ModeDelivery, TMode } from "@/lib/compare/figures";
import type { PushDriftEventPage } from "@/lib/applications/drift-schemas";
import {
  dayScope,
  DELIVERY_FIGURES,
  deliveryFigureHref,
  deploymentsHref,
  pushDriftHref,
  syncHref,
  type FigureScope,
  type TDeliveryFigure,
} from "@/lib/compare/links";
import { resolveRange, type ComparisonRange } from "@/lib/compare/range";
import { db } from "@/lib/db";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// The "figure ↔ rows" contract of the home page: every delivery figure links (lib/compare/links.ts) to a list whose
// API, called with the link's query, returns exactly as many rows as the figure counts. The fixture puts rows on
// both sides of every bound the figures use: the range's first and last instant, requested-before-but-finished-in,
// approved-before-but-finished-in, a second environment, both modes, non-delivery states and results.
useTestDatabase();

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ENV = `links-${randomBytes(3).toString("hex")}`;
const OTHER = `${ENV}-other`;

let range: ComparisonRange;
/** The range's first instant (inclusive) and end (exclusive). */
let R0 = 0;
let REnd = 0;
const at = (ms: number) => new Date(R0 + ms);

let admin: Caller;
let actor: Actor;
let agent: AgentCaller;
const t = { push: "", pushOther: "", pull: "", pullOther: "" };
const repo = { pull: "", pullOther: "" };

async function target(mode: "push" | "pull", environment: string, requiredApprovals = 0): Promise<string> {
  const row = await db().target.create({
    data: {
      name: `${mode}-${randomBytes(4).toString("hex")}`,
      environment,
      mode,
      serverUrl: "https://127.0.0.1:6443",
      requiredApprovals,
    },
  });
  return row.id;
}

/** A decision by a person (the approval wait counts only deployments that waited for people). */
async function approveByPerson(deploymentId: string, approvedAt: Date): Promise<void> {
  const d = await db().deployment.findUniqueOrThrow({ where: { id: deploymentId } });
  await db().$transaction(async (tx) => {
    await tx.deploymentApproval.create({
      data: {
        deploymentId,
        approverId: admin.userId,
        approverEmail: admin.email,
        approverName: "A",
        approverKind: "user",
        decision: "approved",
        manifestsDigest: d.manifestsDigest,
        createdAt: approvedAt,
      },
    });
    expect(await transitionDeployment(tx, { deploymentId, to: "approved", actor, data: { approvedAt } })).toBe(true);
  });
}

/**
 * A push deployment through the real state machine (which feeds the rollups): requested at `createdAt`, approved by
 * a person at `approvedAt` (or at once), then run to `to` at `finishedAt`; `rejected` stops at the decision and
 * `pending` stays open.
 */
async function deployment(opts: {
  targetId: string;
  createdAt: Date;
  approvedAt?: Date;
  finishedAt?: Date;
  to: "succeeded" | "failed" | "rejected" | "pending";
}): Promise<string> {
  const d = await db().deployment.create({
    data: {
      targetId: opts.targetId,
      state: "pending-approval",
      sourceKind: "git",
      manifests: "",
      manifestsDigest: randomBytes(8).toString("hex"),
      objectCount: 0,
      commitAt: new Date(opts.createdAt.getTime() - 10 * MIN),
      commitSha: fakeSha(),
      requestedById: admin.userId,
      requestedByKind: "user",
      requestedByName: admin.email,
      createdAt: opts.createdAt,
    },
  });
  if (opts.to === "pending") return d.id;
  if (opts.to === "rejected") {
    await db().$transaction(async (tx) => {
      expect(
        await transitionDeployment(tx, {
          deploymentId: d.id,
          to: "rejected",
          actor,
          data: { finishedAt: opts.finishedAt },
        }),
      ).toBe(true);
    });
    return d.id;
  }
  if (opts.approvedAt) await approveByPerson(d.id, opts.approvedAt);
  await db().$transaction(async (tx) => {
    const approvedAt = opts.approvedAt ?? opts.createdAt;
    if (!opts.approvedAt)
      expect(await transitionDeployment(tx, { deploymentId: d.id, to: "approved", actor, data: { approvedAt } })).toBe(
        true,
      );
    expect(
      await transitionDeployment(tx, { deploymentId: d.id, to: "queued", actor, data: { queuedAt: approvedAt } }),
    ).toBe(true);
    expect(
      await transitionDeployment(tx, { deploymentId: d.id, to: "running", actor, data: { startedAt: approvedAt } }),
    ).toBe(true);
    expect(
      await transitionDeployment(tx, {
        deploymentId: d.id,
        to: opts.to as "succeeded" | "failed",
        actor,
        data: { finishedAt: opts.finishedAt },
      }),
    ).toBe(true);
  });
  return d.id;
}

/**
 * A drift a push status read recorded on the target's application, stored as readPushLiveState stores it: the event
 * with the environment of its target and its rollup contribution in one transaction.
 */
async function pushDrift(targetId: string, occurredAt: Date): Promise<void> {
  const target = await db().target.findUniqueOrThrow({ where: { id: targetId } });
  const app =
    (await db().application.findFirst({ where: { targetId } })) ??
    (await db().application.create({
      data: {
        name: `web-${randomBytes(3).toString("hex")}`,
        targetId,
        mode: "push",
        sourceKind: "manifests",
        inventoryKey: `links-${randomBytes(6).toString("hex")}`,
      },
    }));
  const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" };
  const details = pushDriftDetails(
    { objects: [{ ref, fields: ["spec.replicas"] }], truncated: false },
    new Map([
      [
        refKey(ref),
        {
          status: "OutOfSync" as const,
          fields: [
            { path: "spec.replicas", applied: "2", live: "5", owner: { manager: "kubectl-edit", operation: "Update" } },
          ],
        },
      ],
    ]),
  );
  await db().$transaction(async (tx) => {
    await tx.pushDriftEvent.create({
      data: {
        applicationId: app.id,
        targetId,
        environment: target.environment,
        deploymentId: "d-links",
        occurredAt,
        signature: randomBytes(8).toString("hex"),
        message: "Deployment shop/web: spec.replicas 2 → 5 (kubectl-edit)",
        details: JSON.stringify(details),
      },
    });
    await recordDeliveryOutcome(tx, { kind: "push-drift", targetId, occurredAt });
  });
}

type Result = "synced" | "failed" | "drift-detected" | "drift-corrected" | "pending-approval";

function pullEvent(which: "pull" | "pullOther", result: Result, occurredAt: Date, opts: { committed?: boolean } = {}) {
  const kind = result === "pending-approval" ? "pending-approval" : result.startsWith("drift") ? "drift" : "sync";
  const committed = opts.committed ?? result === "synced";
  return syncEvent({
    targetId: t[which],
    repoId: repo[which],
    kind,
    trigger: kind === "drift" ? "drift" : "poll",
    result,
    occurredAt: occurredAt.toISOString(),
    ...(result === "synced" || result === "pending-approval"
      ? {
          revision: {
            sha: fakeSha(),
            ...(committed ? { committedAt: new Date(occurredAt.getTime() - 20 * MIN).toISOString() } : {}),
          },
        }
      : {}),
  });
}

async function send(events: ReturnType<typeof pullEvent>[]): Promise<void> {
  const res = await callRoute(eventsRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/events",
    body: { events },
    as: agent,
  });
  expect(res.status, res.text).toBe(200);
}

/** Every row of a list link, read through the list API in small pages (so the cursor crosses the filtered range). */
async function rowsOf(link: string, pageSize = 2): Promise<{ id: string }[]> {
  const [path, qs = ""] = link.split("?");
  const lists: Record<string, [typeof deploymentsRoute.GET, string]> = {
    "/deployments": [deploymentsRoute.GET, "/api/deployments"],
    "/sync": [syncEventsRoute.GET, "/api/sync-events"],
    "/applications/drift": [driftRoute.GET, "/api/applications/drift"],
  };
  const list = lists[path ?? ""];
  if (!list) throw new Error(`not a list link: ${link}`);
  const [route, api] = list;
  const rows: { id: string }[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 200; page++) {
    const params = new URLSearchParams(qs);
    params.set("limit", String(pageSize));
    if (cursor) params.set("cursor", cursor);
    const res = await callRoute(route, { path: `${api}?${params.toString()}`, as: admin });
    expect(res.status, `${link}: ${res.text}`).toBe(200);
    const body = res.body as { items: { id: string }[]; nextCursor: string | null };
    rows.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  expect(new Set(rows.map((r) => r.id)).size, `${link}: a row repeated across pages`).toBe(rows.length);
  return rows;
}

/** The count a figure shows (the hint under it, or the number itself). */
function countOf(d: ModeDelivery, figure: TDeliveryFigure): number {
  switch (figure) {
    case "deliveries":
      return d.deployments;
    case "failures":
      return d.failures;
    case "lead-time":
      return d.leadTime.count;
    case "restore":
      return d.restore.count;
    case "approval-wait":
      return d.approvalWait.count;
    case "drift-detected":
      return d.driftDetected;
    case "drift-corrected":
      return d.driftCorrected;
  }
}

beforeAll(async () => {
  range = resolveRange({ range: "30", environment: ENV });
  R0 = range.from.getTime();
  REnd = range.to.getTime();
  admin = await createCaller("admin");
  actor = { kind: "user", id: admin.userId, name: admin.email };
  t.push = await target("push", ENV);
  t.pushOther = await target("push", OTHER);
  t.pull = await target("pull", ENV, 1);
  t.pullOther = await target("pull", OTHER);
  repo.pull = (
    await db().pullRepo.create({
      data: {
        targetId: t.pull,
        url: "https://git.example/a.git",
        branch: "main",
        createdById: admin.userId,
        // Registered before the fixture's commits, so their syncs count in lead time.
        createdAt: new Date(Date.UTC(2020, 0, 1)),
      },
    })
  ).id;
  repo.pullOther = (
    await db().pullRepo.create({
      data: {
        targetId: t.pullOther,
        url: "https://git.example/b.git",
        branch: "main",
        createdById: admin.userId,
        // Registered before the fixture's commits, so their syncs count in lead time.
        createdAt: new Date(Date.UTC(2020, 0, 1)),
      },
    })
  ).id;
  agent = await createEnrolledAgent(admin, [t.pull, t.pullOther]);

  // Push, in time order on the ENV target. Before the range: a success long ago, and a failure whose approval and
  // finish fall just before the first instant (so it starts an outage that a success in the range ends).
  await deployment({ targetId: t.push, createdAt: at(-41 * DAY), finishedAt: at(-40 * DAY), to: "succeeded" });
  await deployment({
    targetId: t.push,
    createdAt: at(-2 * DAY),
    approvedAt: at(-DAY),
    finishedAt: at(-1),
    to: "failed",
  });
  // Requested before the range, approved by a person and finished exactly at its first instant: in every figure.
  await deployment({ targetId: t.push, createdAt: at(-DAY), approvedAt: at(0), finishedAt: at(0), to: "succeeded" });
  // Requested before the range, finished in it (counted on its finish): a list on the request time would miss it.
  await deployment({ targetId: t.push, createdAt: at(-3 * HOUR), finishedAt: at(DAY), to: "succeeded" });
  await deployment({
    targetId: t.push,
    createdAt: at(2 * DAY),
    approvedAt: at(2 * DAY + 30 * MIN),
    finishedAt: at(2 * DAY + HOUR),
    to: "failed",
  });
  await deployment({
    targetId: t.push,
    createdAt: at(2 * DAY + 2 * HOUR),
    finishedAt: at(2 * DAY + 3 * HOUR),
    to: "failed",
  });
  await deployment({
    targetId: t.push,
    createdAt: at(2 * DAY + 4 * HOUR),
    finishedAt: at(2 * DAY + 5 * HOUR),
    to: "succeeded",
  });
  // Finished in the range but not deliveries; requested in the range but never finished.
  await deployment({ targetId: t.push, createdAt: at(3 * DAY), finishedAt: at(3 * DAY + HOUR), to: "rejected" });
  await deployment({ targetId: t.push, createdAt: at(4 * DAY), to: "pending" });
  // Finished exactly at the range's end: outside (half-open).
  await deployment({ targetId: t.push, createdAt: new Date(REnd - HOUR), finishedAt: new Date(REnd), to: "succeeded" });
  // The other environment, in the range.
  await deployment({ targetId: t.pushOther, createdAt: at(DAY), finishedAt: at(DAY + HOUR), to: "failed" });
  await deployment({
    targetId: t.pushOther,
    createdAt: at(DAY + 2 * HOUR),
    approvedAt: at(DAY + 3 * HOUR),
    finishedAt: at(DAY + 4 * HOUR),
    to: "succeeded",
  });

  // Push drift: at the range's first instant, inside, just before its end; 1 ms before it and at its end (out); the
  // other environment inside.
  await pushDrift(t.push, at(-1));
  await pushDrift(t.push, at(0));
  await pushDrift(t.push, at(DAY + 5 * MIN));
  await pushDrift(t.push, new Date(REnd - 1));
  await pushDrift(t.push, new Date(REnd));
  await pushDrift(t.pushOther, at(DAY));

  // Pull, in time order.
  await send([
    pullEvent("pull", "synced", at(-3 * DAY)),
    pullEvent("pull", "failed", at(-HOUR)),
    // Recovery at the range's first instant (the outage began before it); lead time measured.
    pullEvent("pull", "synced", at(0)),
    pullEvent("pullOther", "failed", at(HOUR)),
    pullEvent("pull", "drift-detected", at(DAY)),
    pullEvent("pull", "drift-corrected", at(DAY + 10 * MIN)),
    pullEvent("pullOther", "synced", at(DAY + HOUR)),
    pullEvent("pull", "failed", at(3 * DAY)),
    // Recovery without a known commit time: a delivery and a restore, but no lead time.
    pullEvent("pull", "synced", at(3 * DAY + HOUR), { committed: false }),
    pullEvent("pull", "pending-approval", at(4 * DAY)),
  ]);
  await send([
    pullEvent("pull", "synced", new Date(REnd)),
    pullEvent("pullOther", "drift-detected", new Date(REnd - 1)),
  ]);
  // The pull target's approval request (from the pending-approval event), approved by a person in the range.
  const request = await db().deployment.findFirstOrThrow({ where: { targetId: t.pull, sourceKind: "pull-revision" } });
  await approveByPerson(request.id, at(5 * DAY));
});

describe("every delivery figure links to exactly the rows it counts", () => {
  const scopes = (): { name: string; scope: FigureScope; range: ComparisonRange; targetId?: string }[] => {
    const all = resolveRange({ range: "30" });
    const base = { from: range.from.toISOString(), to: range.to.toISOString() };
    return [
      { name: `environment ${ENV}`, scope: { ...base, environment: ENV }, range },
      { name: "all environments", scope: { ...base, environment: null }, range: all },
      {
        name: "the push target",
        scope: { ...base, environment: null, targetId: t.push },
        range: all,
        targetId: t.push,
      },
      {
        name: "the pull target",
        scope: { ...base, environment: null, targetId: t.pull },
        range: all,
        targetId: t.pull,
      },
    ];
  };

  it("the fixture exercises every figure (hand-computed, environment filter)", async () => {
    const d = await getDeliveryComparison({ range });
    // Push: successes at R0, +1d and +2d5h, failures at +2d1h and +2d3h; the successes at R0 and +2d5h end an outage;
    // approval waits of the deployments approved at R0 and +2d30m (the one approved the day before the range is out);
    // drift at R0, +1d5m and the end's last millisecond (never corrected: push has no self-heal).
    expect({
      n: d.push.deployments,
      f: d.push.failures,
      lead: d.push.leadTime.count,
      restore: d.push.restore.count,
      wait: d.push.approvalWait.count,
      dd: d.push.driftDetected,
      dc: d.push.driftCorrected,
    }).toEqual({
      n: 5,
      f: 2,
      lead: 3,
      restore: 2,
      wait: 2,
      dd: 3,
      dc: 0,
    });
    // Pull: synced R0, failed +3d, synced +3d1h (no commit time); both syncs end an outage; drift 2/1 (a correction is also a detection); one approval.
    expect({
      n: d.pull.deployments,
      f: d.pull.failures,
      lead: d.pull.leadTime.count,
      restore: d.pull.restore.count,
      wait: d.pull.approvalWait.count,
      dd: d.pull.driftDetected,
      dc: d.pull.driftCorrected,
    }).toEqual({
      n: 3,
      f: 1,
      lead: 1,
      restore: 2,
      wait: 1,
      dd: 2, // detected, and the correction (a detection too)
      dc: 1,
    });
  });

  for (const mode of ["push", "pull"] as TMode[]) {
    it(`${mode}: each figure's list holds as many rows as the figure, for an environment, all, and one target`, async () => {
      for (const s of scopes()) {
        if (s.targetId && (s.targetId === t.push) !== (mode === "push")) continue;
        const d = (await getDeliveryComparison({ range: s.range, ...(s.targetId ? { targetId: s.targetId } : {}) }))[
          mode
        ];
        for (const figure of DELIVERY_FIGURES) {
          const link = deliveryFigureHref(mode, figure, s.scope);
          if (link === null) {
            expect(mode === "push" && figure === "drift-corrected", `${mode} ${figure} has no link`).toBe(true);
            expect(countOf(d, figure)).toBe(0);
            continue;
          }
          expect((await rowsOf(link)).length, `${mode} ${figure} (${s.name}): ${link}`).toBe(countOf(d, figure));
        }
      }
    });

    it(`${mode}: each day of the per-day series links to that day's deliveries and failures`, async () => {
      const d = (await getDeliveryComparison({ range }))[mode];
      const scope: FigureScope = { from: range.from.toISOString(), to: range.to.toISOString(), environment: ENV };
      expect(d.series).toHaveLength(30);
      for (const point of d.series) {
        const day = dayScope(scope, point.day);
        expect(
          (await rowsOf(deliveryFigureHref(mode, "deliveries", day)!, 25)).length,
          `${mode} ${point.day} deliveries`,
        ).toBe(point.deployments);
        expect(
          (await rowsOf(deliveryFigureHref(mode, "failures", day)!, 25)).length,
          `${mode} ${point.day} failures`,
        ).toBe(point.failures);
      }
    });
  }

  it("the fixture has rows just outside every bound (a link without the range, the environment or the instant would count them)", async () => {
    const scope: FigureScope = { from: range.from.toISOString(), to: range.to.toISOString(), environment: ENV };
    const push = deliveryFigureHref("push", "deliveries", scope)!;
    const unranged = push.replace(/&?(from|to)=[^&]*/g, "");
    const requested = push.replace("timeField=finished", "timeField=requested");
    const anyEnv = push.replace(/&?environment=[^&]*/, "");
    const expected = (await getDeliveryComparison({ range })).push.deployments;
    expect((await rowsOf(unranged, 25)).length).toBeGreaterThan(expected);
    expect((await rowsOf(requested, 25)).length).not.toBe(expected);
    expect((await rowsOf(anyEnv, 25)).length).toBeGreaterThan(expected);
    const drift = deliveryFigureHref("push", "drift-detected", scope)!;
    const driftExpected = (await getDeliveryComparison({ range })).push.driftDetected;
    expect((await rowsOf(drift.replace(/&?(from|to)=[^&]*/g, ""), 25)).length).toBeGreaterThan(driftExpected);
    expect((await rowsOf(drift.replace(/&?environment=[^&]*/, ""), 25)).length).toBeGreaterThan(driftExpected);
    const pull = deliveryFigureHref("pull", "deliveries", scope)!;
    expect((await rowsOf(pull.replace(/&?(from|to)=[^&]*/g, ""), 25)).length).toBeGreaterThan(
      (await getDeliveryComparison({ range })).pull.deployments,
    );
  });
});

describe("list filters: bounds, paging and validation", () => {
  const ids = async (link: string, pageSize = 25) => (await rowsOf(link, pageSize)).map((r) => r.id);

  it("ranges are half-open on the chosen instant: the first instant is in, the end is out", async () => {
    const zero = at(0).toISOString();
    const oneMs = new Date(R0 + 1).toISOString();
    const finishedAtR0 = await ids(deploymentsHref({ timeField: "finished", from: zero, to: oneMs }));
    expect(finishedAtR0).toHaveLength(1);
    expect(
      await ids(deploymentsHref({ timeField: "finished", from: new Date(R0 - 1).toISOString(), to: zero })),
    ).toHaveLength(1); // the failure 1 ms before
    expect(
      await ids(
        deploymentsHref({
          timeField: "finished",
          from: new Date(REnd).toISOString(),
          to: new Date(REnd + 1).toISOString(),
        }),
      ),
    ).toHaveLength(1);
    expect(
      await ids(deploymentsHref({ timeField: "approved", from: zero, to: oneMs, waitedForApproval: true })),
    ).toEqual(finishedAtR0);
    // The same instant on a different field finds nothing (that deployment was requested the day before).
    expect(await ids(deploymentsHref({ timeField: "requested", from: zero, to: oneMs }))).toHaveLength(0);
    expect(await ids(syncHref({ from: zero, to: oneMs }))).toHaveLength(1);
    expect(
      await ids(syncHref({ from: new Date(REnd - 1).toISOString(), to: new Date(REnd).toISOString() })),
    ).toHaveLength(1);
  });

  it("a cursor walks a filtered range in order without gaps or repeats, one row per page", async () => {
    for (const link of [
      deploymentsHref({
        timeField: "finished",
        from: at(-50 * DAY).toISOString(),
        to: new Date(REnd + DAY).toISOString(),
        state: ["succeeded", "failed"],
      }),
      deploymentsHref({
        timeField: "approved",
        environment: ENV,
        from: at(-50 * DAY).toISOString(),
        to: new Date(REnd).toISOString(),
      }),
      syncHref({
        environment: ENV,
        result: ["synced", "failed", "drift-detected"],
        from: at(-50 * DAY).toISOString(),
        to: new Date(REnd + DAY).toISOString(),
      }),
    ]) {
      const whole = await ids(link, 100);
      expect(whole.length, link).toBeGreaterThan(2);
      expect(await ids(link, 1), link).toEqual(whole);
    }
    const finished = (await rowsOf(
      deploymentsHref({
        timeField: "finished",
        from: at(-50 * DAY).toISOString(),
        to: new Date(REnd + DAY).toISOString(),
      }),
      1,
    )) as unknown as { finishedAt: string }[];
    const instants = finished.map((r) => Date.parse(r.finishedAt));
    expect(instants).toEqual([...instants].sort((a, b) => b - a));
  });

  it("mode follows the deployment's kind: pull approval requests apart from push deployments", async () => {
    const pull = await ids(deploymentsHref({ mode: "pull" }));
    expect(pull).toHaveLength(1);
    const push = await ids(deploymentsHref({ mode: "push" }));
    const all = await ids(deploymentsHref({}));
    expect(push.length + pull.length).toBe(all.length);
  });

  it("refuses unreadable or inverted ranges, unknown values and a cursor of another order with VALIDATION_FAILED", async () => {
    const bad = [
      "/api/deployments?from=yesterday",
      "/api/deployments?to=2026-13-01T00:00:00Z",
      "/api/deployments?from=2026-02-01T00:00:00Z&to=2026-02-01T00:00:00Z",
      "/api/deployments?from=2026-02-02&to=2026-02-01",
      "/api/deployments?timeField=started",
      "/api/deployments?state=failed,exploded",
      "/api/deployments?recovery=yes",
      "/api/deployments?mode=sideways",
    ];
    for (const path of bad) {
      const res = await callRoute(deploymentsRoute.GET, { path, as: admin });
      expect(res.status, path).toBe(422);
      expect(res.body.error.code, path).toBe("VALIDATION_FAILED");
      expect(typeof res.body.error.message, path).toBe("string");
    }
    const inverted = await callRoute(deploymentsRoute.GET, {
      path: "/api/deployments?from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z",
      as: admin,
    });
    expect(inverted.body.error.fields.to).toBeDefined();
    const syncInverted = await callRoute(syncEventsRoute.GET, {
      path: "/api/sync-events?from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z",
      as: admin,
    });
    expect(syncInverted.status).toBe(422);
    expect(
      (await callRoute(syncEventsRoute.GET, { path: "/api/sync-events?result=synced,nope", as: admin })).status,
    ).toBe(422);

    const first = await callRoute(deploymentsRoute.GET, {
      path: "/api/deployments?timeField=finished&limit=1",
      as: admin,
    });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const wrongOrder = await callRoute(deploymentsRoute.GET, {
      path: `/api/deployments?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      as: admin,
    });
    expect(wrongOrder.status).toBe(422);
    expect(wrongOrder.body.error.fields.cursor).toBeDefined();
  });

  it("accepts dates and zone offsets as instants", async () => {
    const day = new Date(R0).toISOString().slice(0, 10);
    const next = new Date(R0 + DAY).toISOString().slice(0, 10);
    const byDate = await ids(`/deployments?timeField=finished&from=${day}&to=${next}`);
    const byOffset = await ids(
      `/deployments?timeField=finished&from=${encodeURIComponent(new Date(R0).toISOString().replace("Z", "+00:00"))}&to=${encodeURIComponent(new Date(R0 + DAY).toISOString())}`,
    );
    expect(byDate).toHaveLength(1);
    expect(byOffset).toEqual(byDate);
  });
});

describe("the push drift list", () => {
  it("shows each drift's application, target, environment, fields as applied → live and the manager; any reader may list it", async () => {
    const scope: FigureScope = { from: range.from.toISOString(), to: range.to.toISOString(), environment: ENV };
    const link = deliveryFigureHref("push", "drift-detected", scope)!;
    expect(link).toBe(pushDriftHref({ environment: ENV, from: scope.from, to: scope.to }));
    expect(link.startsWith("/applications/drift?")).toBe(true);
    const viewer = await createCaller("viewer");
    const res = await callRoute(driftRoute.GET, { path: `/api/applications/drift?${link.split("?")[1]}`, as: viewer });
    expect(res.status, res.text).toBe(200);
    const items = (res.body as PushDriftEventPage).items;
    expect(items.map((i) => i.occurredAt)).toEqual(
      [new Date(REnd - 1), at(DAY + 5 * MIN), at(0)].map((d) => d.toISOString()),
    );
    const app = await db().application.findFirstOrThrow({ where: { targetId: t.push } });
    expect(items[0]).toMatchObject({
      application: { id: app.id, name: app.name },
      target: { id: t.push },
      environment: ENV,
      managers: ["kubectl-edit"],
      objects: [
        {
          ref: { kind: "Deployment", namespace: "shop", name: "web" },
          fields: [{ path: "spec.replicas", applied: "2", live: "5", manager: "kubectl-edit" }],
        },
      ],
    });
    // An empty range is an empty page, not an error.
    const empty = await callRoute(driftRoute.GET, {
      path: `/api/applications/drift?from=2001-01-01T00:00:00Z&to=2001-01-02T00:00:00Z`,
      as: viewer,
    });
    expect(empty.body).toEqual({ items: [], nextCursor: null });
  });

  it("refuses an inverted range and a cursor it did not produce with VALIDATION_FAILED, and anonymous callers", async () => {
    for (const path of [
      "/api/applications/drift?from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z",
      "/api/applications/drift?cursor=nope",
      "/api/applications/drift?limit=1000",
    ]) {
      const res = await callRoute(driftRoute.GET, { path, as: admin });
      expect(res.status, path).toBe(422);
      expect(res.body.error.code, path).toBe("VALIDATION_FAILED");
    }
    expect((await callRoute(driftRoute.GET, { path: "/api/applications/drift" })).status).toBe(401);
  });
});

describe("a rollup rebuild recomputes the row marks with the sums", () => {
  it("stale recovery marks are cleared, missing ones and commit times restored, and the contract holds", async () => {
    const scope: FigureScope = { from: range.from.toISOString(), to: range.to.toISOString(), environment: ENV };
    const before = await getDeliveryComparison({ range });
    // Damage the marks: a recovery loses its mark, a failure gains one, a synced event loses its commit time.
    const recovery = await db().deployment.findFirstOrThrow({
      where: { targetId: t.push, outageStartedAt: { not: null } },
    });
    await db().deployment.update({ where: { id: recovery.id }, data: { outageStartedAt: null } });
    const failure = await db().deployment.findFirstOrThrow({
      where: { targetId: t.push, state: "failed", finishedAt: { gte: range.from } },
    });
    await db().deployment.update({ where: { id: failure.id }, data: { outageStartedAt: at(0) } });
    await db().syncEvent.updateMany({ where: { targetId: t.pull, result: "synced" }, data: { committedAt: null } });
    await db().syncEvent.updateMany({
      where: { targetId: t.pull, outageStartedAt: { not: null } },
      data: { outageStartedAt: null },
    });
    expect((await rowsOf(deliveryFigureHref("push", "restore", scope)!)).length).not.toBe(before.push.restore.count);

    await rebuildRollups({ from: new Date(R0 - 45 * DAY), to: new Date(REnd + DAY) });
    const after = await getDeliveryComparison({ range });
    expect(after).toEqual(before);
    for (const mode of ["push", "pull"] as TMode[]) {
      for (const figure of DELIVERY_FIGURES) {
        const link = deliveryFigureHref(mode, figure, scope);
        if (link)
          expect((await rowsOf(link)).length, `${mode} ${figure} after rebuild`).toBe(countOf(after[mode], figure));
      }
    }
  });
});
