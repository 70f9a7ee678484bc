import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as credentialsRoute from "@/app/api/credentials/route";
import * as rotationRoute from "@/app/api/rotation/route";
import * as importRoute from "@/app/api/targets/import/route";
import * as targetCredentialsRoute from "@/app/api/targets/[id]/credentials/route";
import { NO_REQUEST, SYSTEM_ACTOR } from "@/lib/audit/schemas";
import { runScopeCheck } from "@/lib/credentials/data/check-credential-scope";
import { dbFor } from "@/lib/db/client";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

// Issue 16, Must 5: credentials have a label (default "<target name> <kind>", or what the person typed) and every
// list says when one is cluster-admin — the verdict of the one scope check, also asked before an import stores it.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let cluster: TestCluster;
let admin: Caller;
let viewer: Caller;
let adminTarget: SandboxPushTarget;
let scopedTarget: SandboxPushTarget;

interface Listed {
  targetId: string;
  label: string;
  clusterAdmin: boolean | null;
}

async function activeCredentialId(targetId: string): Promise<string> {
  return (await db().credential.findFirstOrThrow({ where: { targetId, state: "active" }, select: { id: true } })).id;
}

function kubeconfig(users: { name: string; token: string }[]): string {
  const ca = Buffer.from(cluster.caPem).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: sandbox",
    "  cluster:",
    `    server: ${cluster.url}`,
    `    certificate-authority-data: ${ca}`,
    "users:",
    ...users.flatMap((u) => [`- name: ${u.name}`, "  user:", `    token: ${u.token}`]),
    "contexts:",
    ...users.flatMap((u) => [`- name: ${u.name}`, "  context:", "    cluster: sandbox", `    user: ${u.name}`]),
    `current-context: ${users[0]!.name}`,
    "",
  ].join("\n");
}

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 50 });
  admin = await createCaller("admin");
  viewer = await createCaller("viewer");
  adminTarget = await createSandboxPushTarget(cluster, { databaseUrl: t.url, clusterAdmin: true });
  scopedTarget = await createSandboxPushTarget(cluster, { databaseUrl: t.url });
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("credential labels", () => {
  it('default to "<target name> <kind>" and can be set on replace, at most 100 characters', async () => {
    const listed = await callRoute(targetCredentialsRoute.GET, {
      path: `/api/targets/${scopedTarget.targetId}/credentials`,
      params: { id: scopedTarget.targetId },
      as: viewer,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.active.label).toBe(`${scopedTarget.name} service-account-token`);

    const tooLong = await callRoute(targetCredentialsRoute.POST, {
      method: "POST",
      path: `/api/targets/${scopedTarget.targetId}/credentials`,
      params: { id: scopedTarget.targetId },
      body: { kind: "service-account-token", token: scopedTarget.token, label: "x".repeat(101) },
      as: admin,
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.fields.label).toBeDefined();

    const replaced = await callRoute(targetCredentialsRoute.POST, {
      method: "POST",
      path: `/api/targets/${scopedTarget.targetId}/credentials`,
      params: { id: scopedTarget.targetId },
      body: { kind: "service-account-token", token: scopedTarget.token, label: "  payments deployer  " },
      as: admin,
    });
    expect(replaced.status).toBe(201);
    expect(replaced.body.credential.label).toBe("payments deployer");
    const row = await db().credential.findFirstOrThrow({
      where: { targetId: scopedTarget.targetId, state: "active" },
      select: { label: true },
    });
    expect(row.label).toBe("payments deployer");
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "credential.replaced", targetId: scopedTarget.targetId },
      orderBy: { seq: "desc" },
    });
    expect(JSON.parse(audit.details ?? "{}")).toMatchObject({ label: "payments deployer" });
  });
});

describe("the cluster-admin verdict on every list", () => {
  beforeAll(async () => {
    // The one check (SelfSubjectRulesReview) stores its verdict on the row; the lists read that column.
    for (const target of [adminTarget, scopedTarget]) {
      await runScopeCheck({
        credentialId: await activeCredentialId(target.targetId),
        actor: SYSTEM_ACTOR,
        request: NO_REQUEST,
      });
    }
  });

  it("the credentials list, the rotation list and the target's card carry the label and the verdict", async () => {
    const credentials = await callRoute(credentialsRoute.GET, { path: "/api/credentials", as: viewer });
    const rotation = await callRoute(rotationRoute.GET, { path: "/api/rotation", as: viewer });
    for (const res of [credentials, rotation]) {
      expect(res.status).toBe(200);
      const items = res.body.items as Listed[];
      expect(items.find((i) => i.targetId === adminTarget.targetId)).toMatchObject({
        label: `${adminTarget.name} service-account-token`,
        clusterAdmin: true,
      });
      expect(items.find((i) => i.targetId === scopedTarget.targetId)).toMatchObject({
        label: "payments deployer",
        clusterAdmin: false,
      });
    }
    const card = await callRoute(targetCredentialsRoute.GET, {
      path: `/api/targets/${adminTarget.targetId}/credentials`,
      params: { id: adminTarget.targetId },
      as: viewer,
    });
    expect(card.body.active).toMatchObject({ clusterAdmin: true, label: `${adminTarget.name} service-account-token` });
  });

  it("the kubeconfig import preview warns about an admin credential before anything is stored, and not about a namespaced one", async () => {
    const before = {
      targets: await db().target.count(),
      credentials: await db().credential.count(),
      audit: await db().auditEvent.count(),
    };
    const res = await callRoute(importRoute.POST, {
      method: "POST",
      path: "/api/targets/import",
      body: {
        kubeconfig: kubeconfig([
          { name: "everything", token: adminTarget.token },
          { name: "one-namespace", token: scopedTarget.token },
        ]),
        dryRun: true,
      },
      as: admin,
    });
    expect(res.status).toBe(200);
    const [everything, oneNamespace] = res.body.contexts;
    expect(everything).toMatchObject({
      context: "everything",
      clusterAdmin: true,
      scopeCheckError: null,
      credential: { label: "everything service-account-token" },
    });
    expect(oneNamespace).toMatchObject({ context: "one-namespace", clusterAdmin: false, scopeCheckError: null });
    expect(res.text).not.toContain(adminTarget.token);
    expect({
      targets: await db().target.count(),
      credentials: await db().credential.count(),
      audit: await db().auditEvent.count(),
    }).toEqual(before);
  });
});
