// `npm run seed:scale -- --targets 10000 --events 1000000 [--deployments N] [--audit N] [--force]`
// Fills the database named by DATABASE_URL with a realistic large Wharf for benchmarks and query-plan checks:
// push and pull targets, sealed credentials, deployments in every state with approvals, agents and repositories,
// sync events, a valid audit hash chain, and the comparison's delivery rollups with the row marks the live system
// writes (recovery marks, commit times). Refuses a database that already has targets unless --force (then it
// adds to what is there; nothing is ever deleted — the audit trail is append-only).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { CHAIN_SCHEMES, GENESIS_HASH, hashAuditRow, type ChainedFields } from "@/lib/audit/chain";
import { auditKeysForWrite } from "@/lib/audit/data/audit-keys";
import { seal } from "@/lib/credentials/crypto";
import { loadKeyring } from "@/lib/credentials/keyring";
import { envelopeContext, fingerprintOf, serializeMaterial } from "@/lib/credentials/material";
import { rebuildDeliveryRollups } from "@/lib/rollups/rebuild-delivery-rollups";
import { statusColumnsFor } from "@/lib/credentials/status-columns";
import { advisoryXactLockSql } from "@/lib/db/advisory-locks";
import { createDb, type Db, type Tx } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { env } from "@/lib/env";
import { seededRandom } from "@/lib/utils";

export interface ScaleOptions {
  targets: number;
  events: number;
  /** Push deployments in total; default 3 per push target. */
  deployments?: number;
  /** Audit rows besides those that describe the seeded deployments and credentials; default events / 20. */
  extraAudit?: number;
  force?: boolean;
  /** Rows per INSERT; a few thousand keeps statements and transactions small on both databases. */
  batch?: number;
  log?: (line: string) => void;
}

export interface ScaleReport {
  rows: Record<string, number>;
  seconds: number;
}

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const TEAMS = ["payments", "storefront", "search", "identity", "edge", "data", "mobile", "platform"];
const DAY = 86_400_000;
const HISTORY_DAYS = 90;

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

/** Weighted choice: `[[value, weight], …]`. */
function weighted<T>(r: () => number, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1]![0];
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * Multi-row INSERTs with bound parameters, a few thousand rows per transaction. Prisma's createMany costs
 * milliseconds per row in its query compiler; plain SQL writes tens of thousands of rows a second. Values are
 * written the way Prisma stores them: DateTime as ISO text on SQLite and UTC timestamps on PostgreSQL, booleans as
 * 0/1 on SQLite. Every row must carry every column the first row has (use null for "none").
 */
export async function bulkInsert(
  db: Db,
  table: string,
  rows: Record<string, unknown>[],
  opts: { rowsPerTx?: number; lockFirst?: (tx: Tx) => Promise<unknown> } = {},
): Promise<number> {
  const rowsPerTx = opts.rowsPerTx ?? 5000;
  if (!rows.length) return 0;
  const pg = env().databaseKind === "postgresql";
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.floor((pg ? 60_000 : 30_000) / columns.length));
  const value = (v: unknown) =>
    v instanceof Date
      ? pg
        ? v.toISOString().replace("Z", "")
        : v.toISOString().replace("Z", "+00:00")
      : typeof v === "boolean" && !pg
        ? v
          ? 1
          : 0
        : (v ?? null);
  const columnList = columns.map((c) => `"${c}"`).join(", ");
  for (let t = 0; t < rows.length; t += rowsPerTx) {
    const txRows = rows.slice(t, t + rowsPerTx);
    await db.$transaction(
      async (tx) => {
        await opts.lockFirst?.(tx);
        for (let i = 0; i < txRows.length; i += perStatement) {
          const chunk = txRows.slice(i, i + perStatement);
          const params: unknown[] = [];
          const tuples = chunk.map(
            (row) => `(${columns.map((c) => (params.push(value(row[c])), pg ? `$${params.length}` : "?")).join(", ")})`,
          );
          await tx.$executeRawUnsafe(`INSERT INTO "${table}" (${columnList}) VALUES ${tuples.join(", ")}`, ...params);
        }
      },
      { timeout: 120_000 },
    );
  }
  return rows.length;
}

/** An audit row before it is chained: the chain's own fields (lib/audit/chain.ts), the request ones filled in later. */
type AuditDraft = Pick<
  ChainedFields,
  "at" | "actorKind" | "actorId" | "actorName" | "action" | "subjectType" | "subjectId"
> &
  Partial<Pick<ChainedFields, "targetId" | "credentialId" | "outcome">> & { details?: Record<string, unknown> };

/** Fills the database. Exported for tests and the benchmark, which seed smaller worlds the same way. */
export async function seedScale(db: Db, opts: ScaleOptions): Promise<ScaleReport> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const batch = opts.batch ?? 5000;
  const started = performance.now();
  const r = seededRandom(opts.targets * 31 + opts.events);
  const now = Date.now();
  const run = randomBytes(3).toString("hex");
  const rows: Record<string, number> = {};
  const step = async (name: string, fn: () => Promise<number>) => {
    const t0 = performance.now();
    const n = await fn();
    const s = (performance.now() - t0) / 1000;
    rows[name] = (rows[name] ?? 0) + n;
    log(
      `  ${name.padEnd(20)} ${String(n).padStart(9)} rows  ${s.toFixed(1).padStart(6)} s  ${Math.round(
        n / Math.max(s, 0.001),
      )
        .toLocaleString("en")
        .padStart(9)} rows/s`,
    );
  };

  if (!opts.force) {
    const [targets, audit] = await Promise.all([db.target.count(), db.auditEvent.count()]);
    if (targets > 0 || audit > 0) {
      throw new Error(`the database is not empty (${targets} targets, ${audit} audit rows); pass --force to add to it`);
    }
  }

  // People: admins, approvers, deployers and viewers, none with a password (sign-in needs a real account).
  const users = Array.from({ length: 60 }, (_, i) => {
    const role = i < 4 ? "admin" : i < 16 ? "approver" : i < 46 ? "deployer" : "viewer";
    return {
      id: randomUUID(),
      email: `${role}${i}-${run}@scale.wharf`,
      name: `${role} ${i}`,
      role,
      createdAt: new Date(now - HISTORY_DAYS * DAY),
      updatedAt: new Date(now),
    };
  });
  const approvers = users.filter((u) => u.role === "approver" || u.role === "admin");
  const deployers = users.filter((u) => u.role === "deployer");
  await step("users", () => bulkInsert(db, "User", users as Record<string, unknown>[]));

  const policies = await Promise.all(
    ENVIRONMENTS.map(async (environment, i) => {
      const existing = await db.credentialPolicy.findFirst({ where: { environment } });
      return (
        existing ??
        (await db.credentialPolicy.create({
          data: {
            name: `${environment}-tokens-${run}`,
            maxAgeDays: [90, 60, 30][i]!,
            warnBeforeDays: [14, 10, 7][i]!,
            environment,
            autoRotate: i === 2,
          },
        }))
      );
    }),
  );

  const targets = Array.from({ length: opts.targets }, (_, i) => {
    const environment = weighted(r, [
      ["dev", 3],
      ["staging", 3],
      ["prod", 4],
    ] as const);
    const mode = i % 2 === 0 ? "push" : "pull";
    const created = new Date(now - HISTORY_DAYS * DAY - Math.floor(r() * 30 * DAY));
    return {
      id: randomUUID(),
      name: `${pick(r, TEAMS)}-${environment}-${String(i).padStart(6, "0")}-${run}`,
      environment,
      mode,
      serverUrl: `https://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:6443`,
      ownerTeam: pick(r, TEAMS),
      defaultNamespace: "apps",
      requiredApprovals: environment === "prod" ? 2 : environment === "staging" ? 1 : 0,
      credentialPolicyId: policies[ENVIRONMENTS.indexOf(environment)]!.id,
      createdAt: created,
      updatedAt: created,
    };
  });
  await step("targets", () => bulkInsert(db, "Target", targets as Record<string, unknown>[]));
  const push = targets.filter((t) => t.mode === "push");
  const pull = targets.filter((t) => t.mode === "pull");

  const audit: AuditDraft[] = targets.map((t) => ({
    at: t.createdAt,
    actorKind: "user",
    actorId: users[0]!.id,
    actorName: users[0]!.email,
    action: "target.created",
    subjectType: "target",
    subjectId: t.id,
    targetId: t.id,
    details: { name: t.name, mode: t.mode, environment: t.environment },
  }));

  // Credentials, sealed with the real keyring and bound to their row id, so decrypt paths work on seeded data.
  const keyring = loadKeyring();
  const credentials: object[] = [];
  for (const t of push) {
    const history = 1 + Math.floor(r() * 3);
    let previousId: string | null = null;
    for (let h = 0; h < history; h++) {
      const id = randomUUID();
      const active = h === history - 1;
      const issuedAt = new Date(now - (history - h) * 40 * DAY * r() - DAY);
      const kind = r() < 0.8 ? "service-account-token" : "bearer-token";
      const token = `scale.${randomBytes(24).toString("base64url")}`;
      const expiresAt =
        kind === "service-account-token" ? new Date(issuedAt.getTime() + (r() < 0.1 ? 20 : 120) * DAY) : null;
      credentials.push({
        id,
        targetId: t.id,
        kind,
        state: active ? "active" : "superseded",
        ciphertext: seal(serializeMaterial({ kind, token }), keyring, envelopeContext(id, kind)),
        keyId: keyring.current.id,
        fingerprint: fingerprintOf(token),
        subject: `system:serviceaccount:kube-system:wharf-${t.name.slice(0, 40)}`,
        issuedAt,
        expiresAt,
        lastRotatedAt: issuedAt,
        createdById: users[0]!.id,
        origin: h === 0 ? "stored" : "replaced",
        // Bulk rows skip the data layer, so they carry the status columns it would have written.
        ...statusColumnsFor(
          { kind, issuedAt, lastRotatedAt: issuedAt, expiresAt, rotationError: null },
          t,
          policies[ENVIRONMENTS.indexOf(t.environment)] ?? null,
        ),
        supersededAt: active ? null : new Date(issuedAt.getTime() + 30 * DAY),
        createdAt: issuedAt,
      });
      audit.push({
        at: issuedAt,
        actorKind: "user",
        actorId: users[0]!.id,
        actorName: users[0]!.email,
        action: h === 0 ? "credential.stored" : "credential.replaced",
        subjectType: "credential",
        subjectId: id,
        targetId: t.id,
        credentialId: id,
        details: { kind, previousId },
      });
      previousId = id;
    }
  }
  await step("credentials", () => bulkInsert(db, "Credential", credentials as Record<string, unknown>[]));

  // Push deployments in every state, with approvals where the state implies them.
  const deploymentCount = opts.deployments ?? push.length * 3;
  const deployments: object[] = [];
  const approvals: object[] = [];
  const objects: object[] = [];
  const manifests = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n";
  const digest = sha(manifests);
  for (let i = 0; i < deploymentCount && push.length; i++) {
    const t = push[Math.floor(r() * push.length)]!;
    const requester = pick(r, deployers);
    const createdAt = new Date(now - Math.floor(r() * HISTORY_DAYS * DAY));
    const state = weighted(r, [
      ["succeeded", 70],
      ["failed", 8],
      ["rejected", 3],
      ["cancelled", 3],
      ["superseded", 4],
      ["pending-approval", 6],
      ["approved", 1],
      ["queued", 1],
      ["running", 1],
    ] as const);
    const id = randomUUID();
    const commitAt = new Date(createdAt.getTime() - Math.floor(r() * 6 * 3_600_000));
    const decided = state !== "pending-approval" && state !== "superseded" && state !== "cancelled";
    const approvedAt =
      decided && state !== "rejected" ? new Date(createdAt.getTime() + Math.floor(r() * 4 * 3_600_000)) : null;
    const startedAt =
      approvedAt && ["succeeded", "failed", "running"].includes(state) ? new Date(approvedAt.getTime() + 5_000) : null;
    const finishedAt =
      startedAt && state !== "running" ? new Date(startedAt.getTime() + 20_000 + Math.floor(r() * 300_000)) : null;
    deployments.push({
      id,
      targetId: t.id,
      state,
      sourceKind: "git",
      manifests,
      manifestsDigest: digest,
      objectCount: 2,
      gitUrl: `https://git.example.com/${t.ownerTeam}/deploy.git`,
      gitRef: "main",
      gitPath: `envs/${t.environment}`,
      commitSha: sha(id).slice(0, 40),
      commitAuthorEmail: `${requester.name.replace(" ", ".")}@example.com`,
      commitAuthorName: requester.name,
      commitMessage: "Bump image",
      commitAt,
      requestedById: requester.id,
      requestedByKind: "user",
      requestedByName: requester.email,
      reason: "release",
      approvedAt,
      queuedAt: approvedAt,
      startedAt,
      finishedAt,
      attempts: startedAt ? 1 : 0,
      appliedCount: state === "succeeded" ? 2 : 0,
      readyReplicas: state === "succeeded" ? 2 : 0,
      desiredReplicas: 2,
      phase: state === "succeeded" ? "done" : null,
      resultMessage: state === "failed" ? "rollout timed out: web 1/2 ready" : null,
      createdAt,
      updatedAt: finishedAt ?? createdAt,
    });
    objects.push(
      {
        id: randomUUID(),
        deploymentId: id,
        position: 0,
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: "apps",
        name: "web",
        action: state === "succeeded" ? "configured" : "pending",
      },
      {
        id: randomUUID(),
        deploymentId: id,
        position: 1,
        apiVersion: "v1",
        kind: "Service",
        namespace: "apps",
        name: "web",
        action: state === "succeeded" ? "unchanged" : "pending",
      },
    );
    const actor = { actorKind: "user", actorId: requester.id, actorName: requester.email };
    audit.push({
      at: createdAt,
      ...actor,
      action: "deployment.requested",
      subjectType: "deployment",
      subjectId: id,
      targetId: t.id,
    });
    if (approvedAt || state === "rejected") {
      const needed = Math.max(1, t.requiredApprovals);
      for (let a = 0; a < needed; a++) {
        const approver = approvers[(i + a) % approvers.length]!;
        const decision = state === "rejected" ? "rejected" : "approved";
        const at = approvedAt ?? new Date(createdAt.getTime() + 3_600_000);
        approvals.push({
          id: randomUUID(),
          deploymentId: id,
          approverId: approver.id,
          approverEmail: approver.email,
          approverName: approver.name,
          approverKind: "user",
          decision,
          comment: "",
          manifestsDigest: digest,
          createdAt: at,
        });
        audit.push({
          at,
          actorKind: "user",
          actorId: approver.id,
          actorName: approver.email,
          action: "deployment.approval-recorded",
          subjectType: "deployment",
          subjectId: id,
          targetId: t.id,
          details: { decision },
        });
      }
    }
    if (startedAt)
      audit.push({
        at: startedAt,
        actorKind: "system",
        actorId: null,
        actorName: "wharf",
        action: "deployment.started",
        subjectType: "deployment",
        subjectId: id,
        targetId: t.id,
      });
    if (finishedAt)
      audit.push({
        at: finishedAt,
        actorKind: "system",
        actorId: null,
        actorName: "wharf",
        action: state === "succeeded" ? "deployment.succeeded" : "deployment.failed",
        subjectType: "deployment",
        subjectId: id,
        targetId: t.id,
        outcome: state === "succeeded" ? "success" : "failure",
      });
  }
  await step("deployments", () => bulkInsert(db, "Deployment", deployments as Record<string, unknown>[]));
  await step("approvals", () => bulkInsert(db, "DeploymentApproval", approvals as Record<string, unknown>[]));
  await step("deployment objects", () => bulkInsert(db, "DeploymentObject", objects as Record<string, unknown>[]));

  // Pull side: one agent per 25 pull targets, one repository per target, its status, then the sync history.
  const agents: { id: string; targets: typeof pull }[] = [];
  for (let i = 0; i < pull.length; i += 25) agents.push({ id: randomUUID(), targets: pull.slice(i, i + 25) });
  await step("agents", () =>
    bulkInsert(
      db,
      "Agent",
      agents.map((a, i) => ({
        id: a.id,
        name: `agent-${i}-${a.id.slice(0, 8)}`,
        credentialHash: sha(`agent-${a.id}`),
        credentialPrefix: "wharfa_scale",
        credentialIssuedAt: new Date(now - 30 * DAY),
        enrolledAt: new Date(now - 60 * DAY),
        lastSeenAt: new Date(now - Math.floor(r() * 120_000)),
        version: "0.1.0",
        hostname: `agent-${i}`,
        createdById: users[0]!.id,
        createdAt: new Date(now - 60 * DAY),
        updatedAt: new Date(now),
      })),
    ),
  );
  const agentOf = new Map<string, string>();
  const agentTargets = agents.flatMap((a) =>
    a.targets.map(
      (t) => (
        agentOf.set(t.id, a.id),
        { id: randomUUID(), agentId: a.id, targetId: t.id, createdAt: new Date(now - 60 * DAY) }
      ),
    ),
  );
  await step("agent targets", () => bulkInsert(db, "AgentTarget", agentTargets as Record<string, unknown>[]));
  const repos = pull.map((t) => ({
    id: randomUUID(),
    targetId: t.id,
    url: `https://git.example.com/${t.ownerTeam}/${t.name.slice(0, 30)}.git`,
    branch: "main",
    path: `envs/${t.environment}`,
    createdById: pick(r, deployers).id,
    // Registered before the seeded history: lead time counts only commits made after registration.
    createdAt: new Date(now - (HISTORY_DAYS + 1) * DAY),
    updatedAt: new Date(now - (HISTORY_DAYS + 1) * DAY),
  }));
  await step("repositories", () => bulkInsert(db, "PullRepo", repos as Record<string, unknown>[]));
  await step("repository status", () =>
    bulkInsert(
      db,
      "RepoStatus",
      repos.map((p) => ({
        id: randomUUID(),
        repoId: p.id,
        agentId: agentOf.get(p.targetId) ?? null,
        revision: sha(p.id).slice(0, 40),
        state: "synced",
        message: null,
        lastSyncAt: new Date(now - 60_000),
        updatedAt: new Date(now),
      })),
    ),
  );

  const environmentOf = new Map(pull.map((t) => [t.id, t.environment]));
  // Commit times draw from their own stream, so every other choice stays what it was before they were seeded.
  const lead = seededRandom(opts.targets * 37 + opts.events + 1);
  // Sync events are generated and inserted batch by batch: a million rows never sit in memory at once.
  await step("sync events", async () => {
    if (!repos.length) return 0;
    let written = 0;
    while (written < opts.events) {
      const n = Math.min(batch, opts.events - written);
      const chunk = Array.from({ length: n }, () => {
        const repo = repos[Math.floor(r() * repos.length)]!;
        const environment = environmentOf.get(repo.targetId) ?? null;
        const occurredAt = new Date(now - Math.floor(r() * HISTORY_DAYS * DAY));
        const result = weighted(r, [
          ["synced", 85],
          ["failed", 5],
          ["drift-detected", 4],
          ["drift-corrected", 5],
          ["pending-approval", 1],
        ] as const);
        const changed = result === "synced" ? Math.floor(r() * 3) : 0;
        // The agent reports the revision's commit time (lead time from commit to live): a poll or a webhook after
        // the push, sometimes a commit that waited hours (a freeze, a slow pipeline).
        const leadMs = weighted(lead, [
          [60_000 + lead() * 9 * 60_000, 60],
          [10 * 60_000 + lead() * 50 * 60_000, 30],
          [3_600_000 + lead() * 7 * 3_600_000, 10],
        ] as const);
        const committedAt = new Date(occurredAt.getTime() - Math.floor(leadMs));
        return {
          id: randomUUID(),
          agentId: agentOf.get(repo.targetId)!,
          targetId: repo.targetId,
          repoId: repo.id,
          occurredAt,
          receivedAt: new Date(occurredAt.getTime() + 200),
          kind: result.startsWith("drift") ? "drift" : "sync",
          trigger: weighted(r, [
            ["poll", 80],
            ["notify", 12],
            ["image", 4],
            ["drift", 4],
          ] as const),
          result,
          revisionSha: sha(`${repo.id}${Math.floor(occurredAt.getTime() / DAY)}`).slice(0, 40),
          revisionMessage: "Bump image",
          revisionAuthorName: "CI",
          revisionAuthorEmail: "ci@example.com",
          changedCount: changed,
          unchangedCount: 4 - changed,
          durationMs: 300 + Math.floor(r() * 4000),
          message: result === "failed" ? "manifest error: unknown field spec.replica" : "",
          // As the ingestion stores it: the commit time in its column and in the details the agent sent.
          details: JSON.stringify({ committedAt: committedAt.toISOString() }),
          committedAt,
          environment,
        };
      });
      await bulkInsert(db, "SyncEvent", chunk);
      written += n;
    }
    return written;
  });

  // Audit: what the seeded history implies plus routine reads (sign-ins, credential decrypts), sorted by time and
  // chained onto the current head in one pass — hashes are computed in memory, then inserted in order.
  const extra = opts.extraAudit ?? Math.floor(opts.events / 20);
  const activeCreds = (credentials as { id: string; targetId: string; state: string }[]).filter(
    (c) => c.state === "active",
  );
  for (let i = 0; i < extra; i++) {
    const at = new Date(now - Math.floor(r() * HISTORY_DAYS * DAY));
    const u = pick(r, users);
    if (i % 3 === 0 || !activeCreds.length) {
      audit.push({
        at,
        actorKind: "user",
        actorId: u.id,
        actorName: u.email,
        action: "auth.signed-in",
        subjectType: "session",
        subjectId: randomUUID(),
        details: { method: r() < 0.9 ? "oidc" : "password", local: r() >= 0.9 },
      });
    } else {
      const c = pick(r, activeCreds);
      audit.push({
        at,
        actorKind: "system",
        actorId: null,
        actorName: "wharf",
        action: "credential.decrypted",
        subjectType: "credential",
        subjectId: c.id,
        targetId: c.targetId,
        credentialId: c.id,
        details: { purpose: "deployment" },
      });
    }
  }
  audit.sort((a, b) => a.at.getTime() - b.at.getTime());
  await step("audit events", async () => {
    // Appending to an existing chain: later rows link to the current head, whatever their timestamps.
    const head = await db.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
    // Keyed like every row the dashboard writes: an unkeyed row after a keyed one fails verification.
    const keys = await db.$transaction(async (tx) => {
      if (env().databaseKind === "postgresql") await tx.$executeRawUnsafe(advisoryXactLockSql("auditChain"));
      return auditKeysForWrite(tx);
    });
    let prev = head?.hash ?? GENESIS_HASH;
    for (let i = 0; i < audit.length; i += batch) {
      const chunk = audit.slice(i, i + batch).map((d) => {
        const fields: ChainedFields = {
          id: randomUUID(),
          at: d.at,
          actorKind: d.actorKind,
          actorId: d.actorId,
          actorName: d.actorName,
          action: d.action,
          subjectType: d.subjectType,
          subjectId: d.subjectId,
          targetId: d.targetId ?? null,
          credentialId: d.credentialId ?? null,
          outcome: d.outcome ?? "success",
          ip: d.actorKind === "user" ? "10.1.2.3" : null,
          userAgent: null,
          requestId: randomUUID(),
          details: JSON.stringify(d.details ?? {}),
          prevHash: prev,
        };
        const hash = hashAuditRow(fields, keys.chain);
        prev = hash;
        return { ...fields, hash, chainScheme: CHAIN_SCHEMES.keyed };
      });
      // Rows go in in chain order (seq follows VALUES order); the chain-head lock keeps concurrent writers out.
      await bulkInsert(db, "AuditEvent", chunk, {
        rowsPerTx: batch,
        lockFirst: (tx) =>
          env().databaseKind === "postgresql"
            ? tx.$executeRawUnsafe(advisoryXactLockSql("auditChain"))
            : Promise.resolve(),
      });
    }
    return audit.length;
  });

  // The rollups and row marks (time to restore, commit times) the live path writes per outcome, rebuilt over the
  // seeded history by the same rules: bulk rows skip the data layer.
  await step("delivery rollups", async () => {
    // Fresh bulk rows have no planner statistics until autovacuum gets to them; without them PostgreSQL sorts the rest
    // of a slice for every page of the rebuild instead of walking the time index.
    if (env().databaseKind === "postgresql")
      await db.$executeRawUnsafe(`ANALYZE "Deployment", "DeploymentApproval", "SyncEvent"`);
    const result = await rebuildDeliveryRollups(db, {
      from: new Date(now - (HISTORY_DAYS + 1) * DAY),
      to: new Date(now + DAY),
      dialect: env().databaseKind,
    });
    return result.rows + result.histogramRows + result.fleetRows + result.fleetHistogramRows;
  });

  const seconds = (performance.now() - started) / 1000;
  const total = Object.values(rows).reduce((s, n) => s + n, 0);
  log(
    `  ${"total".padEnd(20)} ${String(total).padStart(9)} rows  ${seconds.toFixed(1).padStart(6)} s  ${Math.round(
      total / seconds,
    )
      .toLocaleString("en")
      .padStart(9)} rows/s`,
  );
  return { rows, seconds };
}

function parseArgs(argv: string[]): ScaleOptions {
  const opts: ScaleOptions = { targets: 10_000, events: 1_000_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    if (a === "--targets") opts.targets = num();
    else if (a === "--events") opts.events = num();
    else if (a === "--deployments") opts.deployments = num();
    else if (a === "--audit") opts.extraAudit = num();
    else if (a === "--batch") opts.batch = Math.max(1, num());
    else if (a === "--force") opts.force = true;
    else
      throw new Error(
        `unknown option ${a} (use --targets N --events N [--deployments N] [--audit N] [--batch N] [--force])`,
      );
  }
  return opts;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const url = env().DATABASE_URL;
  console.log(
    `[seed:scale] ${env().databaseKind} ${url.replace(/\/\/[^@]*@/, "//…@")}: ${opts.targets} targets, ${opts.events} sync events`,
  );
  await migrateDatabase(url);
  const db = createDb(url);
  try {
    await seedScale(db, opts);
  } finally {
    await db.$disconnect();
  }
  return 0;
}

if (process.argv[1] && /seed-scale\.ts$/.test(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`[seed:scale] ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
