import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as metricsRoute from "@/app/api/metrics/route";
import * as targetRoute from "@/app/api/targets/[id]/route";
import type { Actor } from "@/lib/audit/schemas";
import { rebuildRollups } from "@/lib/rollups/data/rebuild-rollups";
import { recomputeCredentialStatusColumns } from "@/lib/credentials/status-columns";
import { db } from "@/lib/db";
import { transitionDeployment } from "@/lib/deployments/data/transition-deployment";
import { resetEnvCache } from "@/lib/env";
import { callRoute, createCaller, type Caller } from "../support/api";
import { parsePrometheusText, sampleValue } from "../support/prometheus-text";
import { createEnrolledAgent, createPullTarget } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

useTestDatabase();

const TOKEN = randomBytes(24).toString("hex");
const DAY = 86_400_000;
let admin: Caller;
let targetName: string;
let agentName: string;

function scrape(headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  return callRoute(metricsRoute.GET, { method: "GET", path: "/api/metrics", headers });
}

beforeAll(async () => {
  admin = await createCaller("admin");
  const actor: Actor = { kind: "user", id: admin.userId, name: admin.email };
  const environment = `metrics-${randomBytes(3).toString("hex")}`;
  await db().credentialPolicy.create({
    data: { name: `p-${environment}`, maxAgeDays: 1, warnBeforeDays: 0, environment },
  });
  const target = await db().target.create({
    data: {
      name: `push-${randomBytes(4).toString("hex")}`,
      environment,
      mode: "push",
      serverUrl: "https://127.0.0.1:6443",
    },
  });
  targetName = target.name;
  await db().credential.create({
    data: {
      targetId: target.id,
      kind: "bearer-token",
      ciphertext: "v1.k.iv.ct.tag",
      keyId: "k",
      fingerprint: "f",
      lastRotatedAt: new Date(Date.now() - 3 * DAY),
    },
  });
  // Written around the data layer: store the status columns (and target name, environment) as it would.
  await recomputeCredentialStatusColumns(db(), { where: { targetId: target.id } });
  const base = {
    targetId: target.id,
    sourceKind: "manifests",
    manifests: "",
    manifestsDigest: "d",
    objectCount: 0,
    requestedById: admin.userId,
    requestedByKind: "user",
    requestedByName: admin.email,
  };
  await db().deployment.create({ data: { ...base, state: "queued", queuedAt: new Date() } });
  const created = new Date(Date.now() - 20 * 60_000);
  const d = await db().deployment.create({ data: { ...base, state: "pending-approval", createdAt: created } });
  await db().$transaction(async (tx) => {
    for (const to of ["approved", "queued", "running"] as const)
      await transitionDeployment(tx, { deploymentId: d.id, to, actor });
    // Lead time 10 min (manifests: request → finished): the (5 min, 10 min] bucket, le="600".
    await transitionDeployment(tx, {
      deploymentId: d.id,
      to: "succeeded",
      actor,
      data: { finishedAt: new Date(created.getTime() + 10 * 60_000) },
    });
  });
  agentName = `agent-${randomBytes(4).toString("hex")}`;
  const agent = await db().agent.create({
    data: {
      name: agentName,
      createdById: admin.userId,
      enrolledAt: new Date(),
      lastSeenAt: new Date(Date.now() - 120_000),
    },
  });
  const pull = await db().target.create({
    data: {
      name: `pull-${randomBytes(4).toString("hex")}`,
      environment,
      mode: "pull",
      serverUrl: "https://127.0.0.1:6443",
    },
  });
  await db().syncEvent.create({
    data: {
      id: randomBytes(8).toString("hex"),
      agentId: agent.id,
      targetId: pull.id,
      repoId: "r",
      occurredAt: new Date(),
      kind: "sync",
      trigger: "poll",
      result: "failed",
    },
  });
  // Stored without the ingestion path: a rebuild brings the rollups up to date (and must keep the push figures).
  await rebuildRollups({ from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) });
});

afterAll(() => {
  delete process.env.WHARF_METRICS_TOKEN;
  resetEnvCache();
});

describe("GET /api/metrics", () => {
  it("is off (404) while WHARF_METRICS_TOKEN is unset", async () => {
    delete process.env.WHARF_METRICS_TOKEN;
    resetEnvCache();
    const res = await scrape();
    expect(res.status).toBe(404);
  });

  it("requires the metrics token: missing, wrong, or a user's API token → 401", async () => {
    process.env.WHARF_METRICS_TOKEN = TOKEN;
    resetEnvCache();
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await scrape({ authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` })).status).toBe(401);
    expect((await scrape({ authorization: `Bearer ${admin.token}` })).status).toBe(401);
  });

  it("answers the Prometheus text format that a strict parser accepts, with Wharf's figures", async () => {
    process.env.WHARF_METRICS_TOKEN = TOKEN;
    resetEnvCache();
    // One API request first, so the request-duration histogram has a series with a route pattern.
    const missing = await callRoute(targetRoute.GET, {
      method: "GET",
      path: "/api/targets/no-such-target",
      params: { id: "no-such-target" },
      as: admin,
    });
    expect(missing.status).toBe(404);

    const res = await scrape();
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(res.text);

    expect(families.get("wharf_deployments")?.type).toBe("gauge");
    expect(sampleValue(families, "wharf_deployments", { mode: "push", state: "queued" })).toBe(1);
    expect(sampleValue(families, "wharf_deployments", { mode: "push", state: "succeeded" })).toBe(1);
    expect(sampleValue(families, "wharf_executor_queue_depth")).toBe(1);
    expect(sampleValue(families, "wharf_deliveries_total", { mode: "push", result: "succeeded" })).toBe(1);
    expect(sampleValue(families, "wharf_sync_events_total", { result: "failed" })).toBe(1);
    expect(sampleValue(families, "wharf_sync_events_total", { result: "synced" })).toBe(0);

    expect(families.get("wharf_lead_time_seconds")?.type).toBe("histogram");
    expect(sampleValue(families, "wharf_lead_time_seconds_bucket", { mode: "push", le: "300" })).toBe(0);
    expect(sampleValue(families, "wharf_lead_time_seconds_bucket", { mode: "push", le: "600" })).toBe(1);
    expect(sampleValue(families, "wharf_lead_time_seconds_count", { mode: "push" })).toBe(1);
    expect(sampleValue(families, "wharf_lead_time_seconds_sum", { mode: "push" })).toBe(600);
    expect(families.get("wharf_approval_wait_seconds")?.type).toBe("histogram");

    const age = families.get("wharf_credential_age_seconds")?.samples.find((s) => s.labels.target === targetName);
    expect(age?.value).toBeGreaterThan(3 * 86_400 - 60);
    expect(age?.value).toBeLessThan(3 * 86_400 + 60);
    expect(sampleValue(families, "wharf_credentials_overdue")).toBe(1);
    expect(sampleValue(families, "wharf_credentials", { status: "overdue" })).toBe(1);

    const seen = sampleValue(families, "wharf_agent_last_seen_seconds", { agent: agentName });
    expect(seen).toBeGreaterThanOrEqual(119);
    expect(seen).toBeLessThan(180);

    expect(families.get("wharf_http_request_duration_seconds")?.type).toBe("histogram");
    expect(
      sampleValue(families, "wharf_http_request_duration_seconds_count", {
        method: "GET",
        route: "/api/targets/:id",
        status: "404",
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("times agent-protocol routes by route pattern, leaving a long poll's hold out", async () => {
    process.env.WHARF_METRICS_TOKEN = TOKEN;
    resetEnvCache();
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const first = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
    expect(first.status).toBe(200);
    const assignments = { method: "GET", route: "/api/agent/v1/assignments", status: "200" };
    const before = parsePrometheusText((await scrape()).text);
    expect(
      sampleValue(before, "wharf_http_request_duration_seconds_count", {
        method: "POST",
        route: "/api/agent/v1/enrol",
        status: "201",
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(before, "wharf_http_request_duration_seconds_count", assignments)).toBeGreaterThanOrEqual(1);

    // Nothing changes, so this poll is held for its whole `wait` (3 s) and answers `changed: false`.
    const held = await callRoute(assignmentsRoute.GET, {
      path: `/api/agent/v1/assignments?since=${first.body.version}&wait=3`,
      as: agent,
    });
    expect(held.body.changed).toBe(false);
    const after = parsePrometheusText((await scrape()).text);
    expect(sampleValue(after, "wharf_http_request_duration_seconds_count", assignments)).toBe(
      sampleValue(before, "wharf_http_request_duration_seconds_count", assignments)! + 1,
    );
    // The hold is the agent's choice, not server time: what it adds is its database reads, far below the 3 s it waited.
    const added =
      sampleValue(after, "wharf_http_request_duration_seconds_sum", assignments)! -
      sampleValue(before, "wharf_http_request_duration_seconds_sum", assignments)!;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThan(3);
  });

  it("the parser itself refuses malformed expositions", () => {
    expect(() => parsePrometheusText("x 1\n")).toThrow(/no TYPE/);
    expect(() => parsePrometheusText('# TYPE x gauge\nx{a="1" 1\n')).toThrow();
    expect(() => parsePrometheusText("# TYPE x gauge\nx 1\nx 2\n")).toThrow(/duplicate/);
    expect(() =>
      parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    ).toThrow(/cumulative/);
    expect(() => parsePrometheusText("# TYPE x gauge\nx one\n")).toThrow(/bad value/);
  });
});
