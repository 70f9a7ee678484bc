import "reflect-metadata";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as targetCredentialsRoute from "@/app/api/targets/[id]/credentials/route";
import * as targetsRoute from "@/app/api/targets/route";
import * as accessRoute from "@/app/api/credential-access/route";
import type { CredentialAccessPageView } from "@/lib/audit/views";
import { NO_REQUEST } from "@/lib/audit/schemas";
import { newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { withDecryptedCredential } from "@/lib/credentials/data/with-decrypted-credential";
import { dbFor } from "@/lib/db/client";
import { runOnce } from "@/lib/deployments/executor";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { callRoute, createCaller, type Caller } from "../support/api";
import { appManifests } from "../support/executor";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
const GENERIC = "Something went wrong on our side. The request changed nothing.";
let cluster: TestCluster;
let target: SandboxPushTarget;
let admin: Caller;
let deployer: Caller;
let approver: Caller;

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 100 });
  target = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
  admin = await createCaller("admin");
  deployer = await createCaller("deployer");
  approver = await createCaller("approver");
});

afterAll(async () => {
  await cluster?.stop();
});

afterEach(async () => {
  await dropAuditFailure();
});

/**
 * Makes every INSERT of an audit row with `action` fail inside the database, the way a full disk or a broken
 * connection would fail the audit write in the middle of a transaction.
 */
async function failAuditInsertsOf(action: string): Promise<void> {
  if (t.kind === "sqlite") {
    await db().$executeRawUnsafe(
      `CREATE TRIGGER "test_audit_insert_fails" BEFORE INSERT ON "AuditEvent" WHEN NEW."action" = '${action}' BEGIN SELECT RAISE(ABORT, 'audit insert refused by test'); END`,
    );
  } else {
    await db().$executeRawUnsafe(
      `CREATE OR REPLACE FUNCTION test_audit_insert_fails() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit insert refused by test'; END $$ LANGUAGE plpgsql`,
    );
    await db().$executeRawUnsafe(
      `CREATE TRIGGER "test_audit_insert_fails" BEFORE INSERT ON "AuditEvent" FOR EACH ROW WHEN (NEW."action" = '${action}') EXECUTE FUNCTION test_audit_insert_fails()`,
    );
  }
}

async function dropAuditFailure(): Promise<void> {
  if (t.kind === "sqlite") await db().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "test_audit_insert_fails"`);
  else await db().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "test_audit_insert_fails" ON "AuditEvent"`);
}

async function snapshot() {
  return {
    targets: await db().target.count(),
    credentials: await db().credential.count(),
    activeCredentials: (
      await db().credential.findMany({ where: { state: "active" }, select: { id: true }, orderBy: { id: "asc" } })
    ).map((c) => c.id),
    approvals: await db().deploymentApproval.count(),
    deployments: (await db().deployment.findMany({ select: { id: true, state: true }, orderBy: { id: "asc" } })).map(
      (d) => `${d.id}:${d.state}`,
    ),
    audit: await db().auditEvent.count(),
  };
}

function expectGeneric500(res: { status: number; body: any }) {
  expect(res.status).toBe(500);
  expect(res.body).toEqual({ error: { code: "INTERNAL", message: GENERIC } });
}

async function sessionCookie(caller: Caller): Promise<string> {
  const token = newSecretToken("sess");
  await db().session.create({
    data: { tokenHash: sha256Hex(token), userId: caller.userId, expiresAt: new Date(Date.now() + 3_600_000) },
  });
  return `wharf_session=${token}`;
}

describe("if the audit row cannot be written, the action does not happen", () => {
  // The route wrapper logs every 500 with its stack; here they are the point of the test.
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
  });
  afterEach(() => vi.restoreAllMocks());

  it("creating a target", async () => {
    await failAuditInsertsOf("target.created");
    const before = await snapshot();
    const res = await callRoute(targetsRoute.POST, {
      method: "POST",
      path: "/api/targets",
      as: admin,
      body: { name: "never-created", environment: "dev", mode: "push", serverUrl: "https://127.0.0.1:6443" },
    });
    expectGeneric500(res);
    expect(await snapshot()).toEqual(before);
    expect(await db().target.findFirst({ where: { name: "never-created" } })).toBeNull();
    await dropAuditFailure();
    // The same request goes through once the audit table takes rows again: the failure was the audit write.
    expect(
      (
        await callRoute(targetsRoute.POST, {
          method: "POST",
          path: "/api/targets",
          as: admin,
          body: { name: "never-created", environment: "dev", mode: "push", serverUrl: "https://127.0.0.1:6443" },
        })
      ).status,
    ).toBe(201);
  });

  it("storing and replacing a credential", async () => {
    const created = await callRoute(targetsRoute.POST, {
      method: "POST",
      path: "/api/targets",
      as: admin,
      body: { name: "atomic-cred", environment: "dev", mode: "push", serverUrl: "https://127.0.0.1:6443" },
    });
    const id = created.body.id as string;
    const store = (token: string) =>
      callRoute(targetCredentialsRoute.POST, {
        method: "POST",
        path: `/api/targets/${id}/credentials`,
        params: { id },
        as: admin,
        body: { kind: "bearer-token", token },
      });

    await failAuditInsertsOf("credential.stored");
    let before = await snapshot();
    expectGeneric500(await store("first-token-0123456789"));
    expect(await snapshot()).toEqual(before);
    await dropAuditFailure();
    expect((await store("first-token-0123456789")).status).toBe(201);

    await failAuditInsertsOf("credential.replaced");
    before = await snapshot();
    expectGeneric500(await store("second-token-0123456789"));
    // The old credential is still the active one; no new row, nothing superseded.
    expect(await snapshot()).toEqual(before);
  });

  it("approving a deployment: the approval, the approval-recorded row and the queueing all roll back", async () => {
    const req = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      as: deployer,
      body: {
        targetId: target.targetId,
        source: {
          kind: "manifests",
          manifests: appManifests({ namespace: target.namespaces[0]!, configMaps: ["atomic"] }),
        },
        reason: "atomicity",
      },
    });
    expect(req.status, req.text).toBe(201);
    const id = req.body.id as string;
    await failAuditInsertsOf("deployment.approved");
    const before = await snapshot();
    const res = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${id}/approvals`,
      params: { id },
      body: { decision: "approved" },
      cookie: await sessionCookie(approver),
      origin: "http://localhost:3000",
    });
    expectGeneric500(res);
    expect(await snapshot()).toEqual(before);
    expect((await db().deployment.findUniqueOrThrow({ where: { id } })).state).toBe("pending-approval");
    expect(await db().auditEvent.count({ where: { subjectId: id, action: "deployment.approval-recorded" } })).toBe(0);
  });

  it("decrypting a credential: nothing is handed out", async () => {
    const credential = await db().credential.findFirstOrThrow({
      where: { targetId: target.targetId, state: "active" },
    });
    await failAuditInsertsOf("credential.decrypted");
    let used = false;
    await expect(
      withDecryptedCredential(
        credential.id,
        {
          actor: { kind: "system", id: null, name: "test" },
          purpose: { kind: "deployment", id: "never" },
          request: NO_REQUEST,
        },
        () => {
          used = true;
        },
      ),
    ).rejects.toThrow();
    expect(used).toBe(false);
  });
});

describe("a push deployment's decrypt rows", () => {
  it("one for its preview and exactly one for the deployment, both naming it and carrying the fingerprint, never the token", async () => {
    const fresh = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    const credential = await db().credential.findFirstOrThrow({ where: { targetId: fresh.targetId, state: "active" } });
    const req = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      as: deployer,
      body: {
        targetId: fresh.targetId,
        source: {
          kind: "manifests",
          manifests: appManifests({
            namespace: fresh.namespaces[0]!,
            configMaps: ["one"],
            deployment: { name: "web", image: "nginx:1.27", replicas: 1 },
          }),
        },
        reason: "decrypt rows",
      },
    });
    expect(req.status, req.text).toBe(201);
    const id = req.body.id as string;
    const approved = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${id}/approvals`,
      params: { id },
      body: { decision: "approved" },
      cookie: await sessionCookie(approver),
      origin: "http://localhost:3000",
    });
    expect(approved.status, approved.text).toBe(201);
    expect(approved.body.state).toBe("queued");
    const outcome = await runOnce({ processId: "atomicity-exec", leaseMs: 10_000, rolloutTimeoutMs: 15_000 });
    expect(outcome).toMatchObject({ deploymentId: id, state: "succeeded" });

    const rows = await db().auditEvent.findMany({
      where: { action: "credential.decrypted", credentialId: credential.id },
      orderBy: { seq: "asc" },
    });
    const details = rows.map((r) => JSON.parse(r.details) as Record<string, unknown>);
    expect(details.map((d) => [d.purpose, d.purposeId])).toEqual([
      ["preview", id],
      ["deployment", id],
    ]);
    for (const [i, row] of rows.entries()) {
      expect(row).toMatchObject({ outcome: "success", targetId: fresh.targetId, credentialId: credential.id });
      expect(details[i]!.fingerprint).toBe(credential.fingerprint);
    }
    expect(rows[0]!.actorName).toContain(deployer.email);
    expect(JSON.stringify(rows)).not.toContain(fresh.token);

    // The access view shows the same two rows, linked to the deployment.
    const viewer = await createCaller("viewer");
    const view = (
      await callRoute(accessRoute.GET, {
        path: `/api/credential-access?credentialId=${credential.id}&action=credential.decrypted`,
        as: viewer,
      })
    ).body as CredentialAccessPageView;
    expect(view.items.map((i) => [i.purpose?.kind, i.purpose?.id, i.credential.fingerprint])).toEqual([
      ["deployment", id, credential.fingerprint],
      ["preview", id, credential.fingerprint],
    ]);
  });
});
