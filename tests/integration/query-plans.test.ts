import { randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import * as namesRoute from "@/app/api/audit/names/route";
import * as auditRoute from "@/app/api/audit/route";
import * as comparisonRoute from "@/app/api/comparison/route";
import * as credentialAccessRoute from "@/app/api/credential-access/route";
import * as credentialsRoute from "@/app/api/credentials/route";
import * as deploymentRoute from "@/app/api/deployments/[id]/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as sinksRoute from "@/app/api/notification-sinks/route";
import * as policiesRoute from "@/app/api/policies/route";
import * as syncEventsRoute from "@/app/api/sync-events/route";
import * as targetsRoute from "@/app/api/targets/route";
import * as usersRoute from "@/app/api/users/route";
import { bulkInsert, seedScale } from "@/lib/cli/seed-scale";
import { getComparison, getDeliveryComparison } from "@/lib/compare/data/get-comparison";
import { resolveRange } from "@/lib/compare/range";
import { countCredentialStatuses } from "@/lib/credentials/data/count-credential-statuses";
import { countCredentialsByStatus } from "@/lib/credentials/data/list-credentials";
import { findDueRotations } from "@/lib/rotation/data/find-due-rotations";
import { callRoute, createCaller, type Caller } from "../support/api";
import { explain, fullScans, installQueryLog, type LoggedQuery } from "../support/query-log";
import { useTestDatabase } from "../support/test-db";

// The lists of a large Wharf must be served from indexes: every SQL statement the list routes run (captured from
// Prisma's query events, so it is exactly what production runs) is explained on a seeded database, and no statement
// may read one of the big tables without an index. On PostgreSQL the planner's statistics come from ANALYZE on the
// seeded data; enable_seqscan stays on, so a Seq Scan here is one the planner would really choose.
const t = useTestDatabase();
const BIG = [
  "Target",
  "Deployment",
  "DeploymentApproval",
  "DeploymentObject",
  "AuditEvent",
  "SyncEvent",
  "Credential",
  "User",
];

let admin: Caller;
let log: ReturnType<typeof installQueryLog>;
const sample: { targetId: string; deploymentId: string; credentialId: string; userId: string } = {
  targetId: "",
  deploymentId: "",
  credentialId: "",
  userId: "",
};

beforeAll(async () => {
  log = installQueryLog(t.url);
  // 10,000 targets, as in the benchmark: at a few thousand rows PostgreSQL rightly prefers a Seq Scan for
  // `id IN (…50 ids)`, which says nothing about the size this check is for.
  await seedScale(log.db, { targets: 10_000, events: 30_000, deployments: 10_000, log: () => {} });
  // Enough users that an index beats a scan on PostgreSQL too.
  const now = Date.now();
  await bulkInsert(
    log.db,
    "User",
    Array.from({ length: 3000 }, (_, i) => ({
      id: randomUUID(),
      email: `bulk${i}@plans.wharf`,
      name: `Bulk ${i}`,
      role: "viewer",
      createdAt: new Date(now - i * 60_000),
      updatedAt: new Date(now),
    })),
  );
  admin = await createCaller("admin");
  const push = await log.db.target.findFirstOrThrow({ where: { mode: "push", deployments: { some: {} } } });
  sample.targetId = push.id;
  sample.deploymentId = (await log.db.deployment.findFirstOrThrow({ where: { targetId: push.id } })).id;
  sample.credentialId = (await log.db.credential.findFirstOrThrow({ where: { state: "active" } })).id;
  sample.userId = (await log.db.user.findFirstOrThrow({ where: { role: "deployer" } })).id;
  if (t.kind === "postgresql") {
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    await client.query("ANALYZE");
    await client.end();
  }
}, 180_000);

type Handler = Parameters<typeof callRoute>[0];

/** Calls a route as admin, follows `nextCursor` `deep` times, and returns every statement the last call ran. */
async function statementsOf(
  handler: Handler,
  path: string,
  opts: { params?: Record<string, string>; deep?: number } = {},
): Promise<LoggedQuery[]> {
  let url = path;
  for (let page = 0; ; page++) {
    log.clear();
    const res = await callRoute(handler, { path: url, params: opts.params, as: admin });
    expect(res.status, `${url}: ${res.text.slice(0, 200)}`).toBe(200);
    const next = (res.body as { nextCursor?: string | number | null }).nextCursor;
    if (page >= (opts.deep ?? 0) || next == null) {
      if ((opts.deep ?? 0) > 0) expect(page, `${path} should reach page ${opts.deep}`).toBe(opts.deep);
      return [...log.queries];
    }
    url = `${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(String(next))}`;
  }
}

/**
 * Runs a data function and checks the SELECTs it ran on Credential and AuditEvent, as expectIndexed does for routes.
 * The comparison also counts targets by mode and lists environments (whole-table aggregates of Target, outside this
 * check); and an environment's audit counts may hash that environment's targets from Target — what must never be
 * scanned there is the audit trail itself.
 */
async function expectIndexedCall(fn: () => Promise<unknown>) {
  log.clear();
  await fn();
  const on = (q: LoggedQuery, table: string) => new RegExp(`FROM [^()]*?[\`"]${table}[\`"]`).test(q.sql);
  const statements = log.queries.filter(
    (q) => /^\s*SELECT/i.test(q.sql) && (on(q, "Credential") || on(q, "AuditEvent")),
  );
  expect(statements.length).toBeGreaterThan(0);
  for (const q of statements) {
    const plan = await explain(t.url, q);
    expect(fullScans(plan, on(q, "AuditEvent") ? ["AuditEvent"] : BIG), `${q.sql}\nplan:\n${plan.join("\n")}`).toEqual(
      [],
    );
  }
}

async function expectIndexed(
  handler: Handler,
  path: string,
  opts: { params?: Record<string, string>; deep?: number; rowidOrder?: string[]; big?: readonly string[] } = {},
) {
  const statements = (await statementsOf(handler, path, opts)).filter((q) => /^\s*SELECT/i.test(q.sql));
  expect(statements.length).toBeGreaterThan(0);
  for (const q of statements) {
    const plan = await explain(t.url, q);
    expect(
      fullScans(plan, opts.big ?? BIG, { rowidOrder: opts.rowidOrder }),
      `${path}\n${q.sql}\nplan:\n${plan.join("\n")}`,
    ).toEqual([]);
  }
}

describe(`query plans of the hot lists (${process.env.WHARF_TEST_DB ?? "sqlite"})`, () => {
  it("targets: first page, a deep cursor, mode and environment filters", async () => {
    await expectIndexed(targetsRoute.GET, "/api/targets?limit=25");
    await expectIndexed(targetsRoute.GET, "/api/targets?limit=25", { deep: 20 });
    await expectIndexed(targetsRoute.GET, "/api/targets?mode=pull&limit=25", { deep: 5 });
    await expectIndexed(targetsRoute.GET, "/api/targets?environment=prod&limit=25", { deep: 5 });
  });

  it("deployments: first page, a deep cursor, by target, by state, by requester", async () => {
    await expectIndexed(deploymentsRoute.GET, "/api/deployments?limit=25");
    await expectIndexed(deploymentsRoute.GET, "/api/deployments?limit=25", { deep: 20 });
    await expectIndexed(deploymentsRoute.GET, `/api/deployments?targetId=${sample.targetId}&limit=2`, { deep: 1 });
    await expectIndexed(deploymentsRoute.GET, "/api/deployments?state=failed&limit=25", { deep: 2 });
    await expectIndexed(deploymentsRoute.GET, `/api/deployments?requester=${sample.userId}&limit=25`, { deep: 2 });
  });

  it("deployments: the comparison's figure lists (range on finished/approved, environment, mode, several states, row sets)", async () => {
    // The range and narrowing a home-page figure link carries (lib/compare/links.ts), on the seeded history.
    const to = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000).toISOString();
    const from = new Date(Date.parse(to) - 30 * 86_400_000).toISOString();
    const range = `from=${from}&to=${to}`;
    const finished = `timeField=finished&${range}`;
    await expectIndexed(
      deploymentsRoute.GET,
      `/api/deployments?mode=push&state=succeeded,failed&${finished}&limit=25`,
      { deep: 5 },
    );
    await expectIndexed(
      deploymentsRoute.GET,
      `/api/deployments?environment=prod&mode=push&state=failed&${finished}&limit=25`,
      { deep: 2 },
    );
    await expectIndexed(
      deploymentsRoute.GET,
      `/api/deployments?targetId=${sample.targetId}&mode=push&state=succeeded&${finished}&limit=25`,
    );
    await expectIndexed(
      deploymentsRoute.GET,
      `/api/deployments?environment=prod&mode=push&state=succeeded&recovery=true&${finished}&limit=25`,
    );
    await expectIndexed(
      deploymentsRoute.GET,
      `/api/deployments?environment=prod&mode=push&waitedForApproval=true&timeField=approved&${range}&limit=25`,
      { deep: 3 },
    );
    await expectIndexed(
      deploymentsRoute.GET,
      `/api/deployments?mode=pull&waitedForApproval=true&timeField=approved&${range}&limit=25`,
    );
    await expectIndexed(deploymentsRoute.GET, `/api/deployments?${range}&limit=25`, { deep: 3 });
  });

  it("deployment detail", async () => {
    await expectIndexed(deploymentRoute.GET, `/api/deployments/${sample.deploymentId}`, {
      params: { id: sample.deploymentId },
    });
  });

  it("audit: first page, a deep cursor, by action", async () => {
    // Unfiltered, newest first: SQLite walks AuditEvent's INTEGER PRIMARY KEY (seq) backwards and stops at the limit.
    await expectIndexed(auditRoute.GET, "/api/audit?limit=50", { rowidOrder: ["AuditEvent"] });
    await expectIndexed(auditRoute.GET, "/api/audit?limit=50", { deep: 20 });
    await expectIndexed(auditRoute.GET, "/api/audit?action=deployment.started&limit=50", { deep: 3 });
  });

  it("credential access: all credentials and one credential", async () => {
    await expectIndexed(credentialAccessRoute.GET, "/api/credential-access?limit=50", { deep: 3 });
    await expectIndexed(
      credentialAccessRoute.GET,
      `/api/credential-access?credentialId=${sample.credentialId}&limit=50`,
    );
  });

  it("sync events: first page, a deep cursor, by target, by result", async () => {
    await expectIndexed(syncEventsRoute.GET, "/api/sync-events?limit=50");
    await expectIndexed(syncEventsRoute.GET, "/api/sync-events?limit=50", { deep: 20 });
    // The busiest target, so that two pages of five exist whatever the seed's random sequence gave the first one.
    const [pullTarget] = await log.db.syncEvent.groupBy({
      by: ["targetId"],
      orderBy: { _count: { targetId: "desc" } },
      take: 1,
    });
    expect(pullTarget).toBeDefined();
    await expectIndexed(syncEventsRoute.GET, `/api/sync-events?targetId=${pullTarget!.targetId}&limit=5`, { deep: 2 });
    await expectIndexed(syncEventsRoute.GET, "/api/sync-events?result=failed&limit=50", { deep: 3 });
  });

  it("sync events: the comparison's figure lists (range, environment, several results, row sets)", async () => {
    const to = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000).toISOString();
    const range = `from=${new Date(Date.parse(to) - 30 * 86_400_000).toISOString()}&to=${to}`;
    await expectIndexed(syncEventsRoute.GET, `/api/sync-events?result=synced,failed&${range}&limit=25`, { deep: 5 });
    await expectIndexed(
      syncEventsRoute.GET,
      `/api/sync-events?environment=prod&result=synced,failed&${range}&limit=25`,
      { deep: 3 },
    );
    await expectIndexed(
      syncEventsRoute.GET,
      `/api/sync-events?environment=prod&result=drift-detected&${range}&limit=25`,
      { deep: 2 },
    );
    await expectIndexed(
      syncEventsRoute.GET,
      `/api/sync-events?environment=prod&result=synced&withCommitTime=true&${range}&limit=25`,
    );
    await expectIndexed(syncEventsRoute.GET, `/api/sync-events?environment=prod&recovery=true&${range}&limit=25`);
  });

  it("users: first page and a deep cursor", async () => {
    await expectIndexed(usersRoute.GET, "/api/users?limit=50");
    await expectIndexed(usersRoute.GET, "/api/users?limit=50", { deep: 20 });
  });

  it("credential exposure: the comparison (all, one environment, one target) and the home page's status counts", async () => {
    // Whole-scope counts (all active credentials, an age bucket) read a large share of the table: PostgreSQL answers
    // them from the index alone once the visibility map is set, as autovacuum keeps it in production.
    if (t.kind === "postgresql") {
      const client = new pg.Client({ connectionString: t.url });
      await client.connect();
      await client.query(`VACUUM ANALYZE "Credential", "Target", "AuditEvent"`);
      await client.end();
    }
    await expectIndexedCall(() => callRoute(comparisonRoute.GET, { path: "/api/comparison?range=30", as: admin }));
    await expectIndexedCall(() =>
      callRoute(comparisonRoute.GET, { path: "/api/comparison?range=30&environment=prod", as: admin }),
    );
    await expectIndexedCall(() => getComparison({ range: resolveRange({ range: "30" }), targetId: sample.targetId }));
    await expectIndexedCall(() => countCredentialsByStatus());
    // The status counts are ranges on their boundary columns: each reads the credentials past one boundary, not
    // every active credential (on PostgreSQL the planner may pick a bitmap or another index; SQLite shows the range).
    if (t.kind === "sqlite") {
      log.clear();
      await countCredentialStatuses({ now: new Date() });
      const plans = await Promise.all(log.queries.filter((q) => /COUNT/i.test(q.sql)).map((q) => explain(t.url, q)));
      for (const column of ["expiresAt", "overdueAt", "dueSoonAt", "rotationFailing"]) {
        expect(
          plans.some((plan) =>
            plan.some((line) =>
              new RegExp(`USING (COVERING )?INDEX Credential_state_${column}_idx \\(state=\\? AND ${column}[<=]`).test(
                line,
              ),
            ),
          ),
          `${column}:\n${plans.map((p) => p.join("\n")).join("\n--\n")}`,
        ).toBe(true);
      }
    }
  });

  it("delivery figures: all targets and one environment read the fleet rollups by their keys, never the per-target rows", async () => {
    // The fleet tables hold days × modes × environments rows: PostgreSQL rightly scans tables that small, so its plan
    // is taken with sequential scans off, to show the index that serves the predicate as the history grows.
    for (const environment of [null, "prod"]) {
      log.clear();
      const figures = await getDeliveryComparison({
        range: resolveRange({ range: "30", ...(environment ? { environment } : {}) }),
      });
      expect(figures.push.deployments + figures.pull.deployments).toBeGreaterThan(0);
      expect(log.queries.filter((q) => /[`"]Delivery(Rollup|Histogram)[`"]/.test(q.sql)).map((q) => q.sql)).toEqual([]);
      const reads = log.queries.filter((q) => /FROM [^()]*?[`"]FleetDelivery(Rollup|Histogram)[`"]/.test(q.sql));
      expect(reads).toHaveLength(2);
      for (const q of reads) {
        const table = /[`"](FleetDelivery(?:Rollup|Histogram))[`"]/.exec(q.sql)![1]!;
        const index = environment
          ? t.kind === "sqlite"
            ? `INDEX ${table}_environment_day_idx \\(environment=\\? AND day>\\? AND day<\\?\\)`
            : `using ${table}_environment_day_idx`
          : t.kind === "sqlite"
            ? `INDEX sqlite_autoindex_${table}_1 \\(day>\\? AND day<\\?\\)`
            : `using ${table}_pkey`;
        const plan = await explain(t.url, q, { seqScan: false });
        expect(
          plan.some((line) => new RegExp(index).test(line)),
          `${q.sql}\nplan:\n${plan.join("\n")}`,
        ).toBe(true);
      }
    }
  });

  it("credentials: first page, a deep cursor, status filters, one target; the rotation scheduler's due credentials", async () => {
    // The list's counts include all active credentials (a large share of the table): as for the exposure figures,
    // PostgreSQL answers that from the index once the visibility map is set, as autovacuum keeps it in production.
    if (t.kind === "postgresql") {
      const client = new pg.Client({ connectionString: t.url });
      await client.connect();
      await client.query(`VACUUM ANALYZE "Credential", "Target"`);
      await client.end();
    }
    await expectIndexed(credentialsRoute.GET, "/api/credentials?limit=50");
    await expectIndexed(credentialsRoute.GET, "/api/credentials?limit=50", { deep: 20 });
    await expectIndexed(credentialsRoute.GET, "/api/credentials?status=overdue&limit=50", { deep: 3 });
    await expectIndexed(credentialsRoute.GET, "/api/credentials?status=due-soon&limit=50", { deep: 1 });
    await expectIndexed(credentialsRoute.GET, "/api/credentials?status=ok&limit=50", { deep: 1 });
    await expectIndexed(credentialsRoute.GET, `/api/credentials?targetId=${sample.targetId}&limit=50`);
    await expectIndexedCall(() => findDueRotations());
    // The pages themselves are one walk of the (state, targetName, id) index in order — no sort of the active
    // credentials — on both databases; and the scheduler reads the range of its autoRotateAt index.
    const listRead = async (path: string, deep: number) => {
      const [q] = (await statementsOf(credentialsRoute.GET, path, { deep })).filter((s) =>
        /FROM [^()]*?["`]Credential["`][\s\S]*ORDER BY/.test(s.sql),
      );
      expect(q, `${path}: no ordered read of Credential (a page sorted outside the database?)`).toBeDefined();
      return explain(t.url, q!);
    };
    for (const deep of [0, 20]) {
      const plan = await listRead("/api/credentials?limit=50", deep);
      expect(
        plan.some((line) => /Credential_state_targetName_id_idx/.test(line)),
        plan.join("\n"),
      ).toBe(true);
      expect(
        plan.some((line) => /^Sort|TEMP B-TREE/.test(line)),
        plan.join("\n"),
      ).toBe(false);
    }
    if (t.kind === "sqlite") {
      log.clear();
      await findDueRotations();
      const [due] = log.queries.filter((q) => /autoRotateAt/.test(q.sql));
      const plan = await explain(t.url, due!);
      expect(
        plan.some((line) =>
          /USING INDEX Credential_state_autoRotateAt_idx \(state=\? AND autoRotateAt<\?\)/.test(line),
        ),
        plan.join("\n"),
      ).toBe(true);
    }
  });

  it("credential policies and notification sinks: first page and a deep cursor, with their per-row counts", async () => {
    // Thousands of each (a few in practice, but the lists must not depend on that), ten deliveries per sink.
    const now = new Date();
    const ids = Array.from({ length: 3000 }, () => randomUUID());
    await bulkInsert(
      log.db,
      "CredentialPolicy",
      ids.map((id, i) => ({
        id,
        name: `bulk-policy-${String(i).padStart(5, "0")}`,
        maxAgeDays: 30,
        warnBeforeDays: 7,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await bulkInsert(
      log.db,
      "NotificationSink",
      ids.map((id, i) => ({
        id,
        name: `bulk-sink-${String(i).padStart(5, "0")}`,
        url: "https://hooks.example.com/x",
        secretCiphertext: "v1.x",
        events: "[]",
        createdById: sample.userId,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await bulkInsert(
      log.db,
      "NotificationDelivery",
      ids.flatMap((sinkId) =>
        Array.from({ length: 10 }, (_, k) => ({
          id: randomUUID(),
          sinkId,
          event: "rotation.due",
          dedupKey: `k${k}`,
          payload: "{}",
          state: "delivered",
          nextAttemptAt: now,
          createdAt: now,
        })),
      ),
    );
    if (t.kind === "postgresql") {
      const client = new pg.Client({ connectionString: t.url });
      await client.connect();
      await client.query(`ANALYZE "CredentialPolicy", "NotificationSink", "NotificationDelivery"`);
      await client.end();
    }
    const big = [...BIG, "CredentialPolicy", "NotificationSink", "NotificationDelivery"];
    for (const [handler, path, table] of [
      [policiesRoute.GET, "/api/policies", "CredentialPolicy"],
      [sinksRoute.GET, "/api/notification-sinks", "NotificationSink"],
    ] as const) {
      for (const deep of [0, 20]) {
        await expectIndexed(handler, `${path}?limit=50`, { deep, big });
        // The page is a walk of the unique name index from the cursor, never a sort of every row.
        const [q] = (await statementsOf(handler, `${path}?limit=50`, { deep })).filter((s) =>
          new RegExp(`FROM [^()]*?["\`]${table}["\`][\\s\\S]*ORDER BY`).test(s.sql),
        );
        const plan = await explain(t.url, q!);
        expect(
          plan.some((line) => line.includes(`${table}_name_key`)),
          plan.join("\n"),
        ).toBe(true);
        expect(
          plan.some((line) => /^Sort|TEMP B-TREE/.test(line)),
          plan.join("\n"),
        ).toBe(false);
      }
    }
  });

  it("audit names: suggestions by prefix, and the target and credential name filters of both lists", async () => {
    // Every seeded target's name is suggestible, as the names of rows written since names were kept are.
    const known = new Set((await log.db.auditName.findMany({ select: { name: true } })).map((n) => n.name));
    const targets = await log.db.target.findMany({ select: { name: true } });
    await bulkInsert(
      log.db,
      "AuditName",
      targets
        .filter((x) => !known.has(x.name))
        .map((x) => ({ kind: "target", name: x.name, key: x.name.toLowerCase() })),
    );
    const target = await log.db.target.findUniqueOrThrow({ where: { id: sample.targetId } });
    const credential = await log.db.credential.findUniqueOrThrow({ where: { id: sample.credentialId } });
    if (t.kind === "postgresql") {
      const client = new pg.Client({ connectionString: t.url });
      await client.connect();
      await client.query('ANALYZE "AuditName"');
      await client.end();
    }
    const big = [...BIG, "AuditName"];
    const prefix = encodeURIComponent(target.name.slice(0, 4).toUpperCase());
    await expectIndexed(namesRoute.GET, `/api/audit/names?kind=target&q=${prefix}`, { big });
    const name = encodeURIComponent(target.name);
    await expectIndexed(credentialAccessRoute.GET, `/api/credential-access?target=${name}&limit=50`, { big });
    await expectIndexed(auditRoute.GET, `/api/audit?target=${name}&limit=50`, { big });
    const label = encodeURIComponent(credential.label ?? "");
    await expectIndexed(credentialAccessRoute.GET, `/api/credential-access?credential=${label}&limit=50`, { big });
  });

  it("the check itself catches a full scan, in Prisma's schema-qualified SQL too", async () => {
    // An unindexed column: if fullScans ever stopped recognising scans, every case above would pass vacuously.
    const p = t.kind === "sqlite" ? "?" : "$1";
    const table = t.kind === "sqlite" ? `"main"."SyncEvent"` : `"public"."SyncEvent"`;
    const plan = await explain(t.url, { sql: `SELECT "id" FROM ${table} WHERE "message" = ${p}`, params: ["x"] });
    expect(fullScans(plan, BIG)).toHaveLength(1);
    const filtered = await explain(t.url, {
      sql: `SELECT "seq" FROM "AuditEvent" WHERE "userAgent" = ${p} ORDER BY "requestId" LIMIT 5`,
      params: ["x"],
    });
    expect(fullScans(filtered, BIG, { rowidOrder: ["AuditEvent"] })).toHaveLength(1);
  });
});
