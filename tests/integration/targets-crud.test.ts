import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as targetRoute from "@/app/api/targets/[id]/route";
import * as targetsRoute from "@/app/api/targets/route";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { CA_PEM, NOT_X509_PEM, SECOND_CA_PEM } from "../unit/targets/ca-fixtures";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const database = () => dbFor(t.url);

let admin: Caller;
let viewer: Caller;
let deployer: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
  viewer = await createCaller("viewer");
  deployer = await createCaller("deployer");
});

function uniqueName(prefix = "t"): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

function validTarget(overrides: Record<string, unknown> = {}) {
  return { name: uniqueName(), environment: "staging", mode: "push", serverUrl: "https://10.0.0.1:6443", ...overrides };
}

async function createTarget(body: Record<string, unknown>, as: Caller = admin) {
  return callRoute(targetsRoute.POST, { method: "POST", path: "/api/targets", body, as });
}

async function snapshotCounts() {
  return { targets: await database().target.count(), audit: await database().auditEvent.count() };
}

describe("target CRUD through the route handlers", () => {
  it("creates, reads, updates and deletes a target, writing one audit row per change", async () => {
    const name = uniqueName("crud");
    const created = await createTarget(
      validTarget({ name, environment: "prod", allowedNamespaces: ["default", "apps"], ownerTeam: "Payments" }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name,
      environment: "prod",
      mode: "push",
      serverUrl: "https://10.0.0.1:6443",
      defaultNamespace: "default",
      allowedNamespaces: ["default", "apps"],
      requiredApprovals: 1,
      ownerTeam: "Payments",
      caBundle: null,
      credentialPolicy: null,
    });
    expect(Number.isNaN(Date.parse(created.body.createdAt))).toBe(false);
    const id = created.body.id as string;

    const createdAudit = await database().auditEvent.findMany({ where: { subjectId: id, action: "target.created" } });
    expect(createdAudit).toHaveLength(1);
    expect(createdAudit[0]).toMatchObject({
      targetId: id,
      actorKind: "api-token",
      actorId: expect.any(String),
      outcome: "success",
    });

    const read = await callRoute(targetRoute.GET, { path: `/api/targets/${id}`, params: { id }, as: viewer });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const patched = await callRoute(targetRoute.PATCH, {
      method: "PATCH",
      path: `/api/targets/${id}`,
      params: { id },
      body: { requiredApprovals: 3, mode: "pull", ownerTeam: "Payments" },
      as: admin,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name, requiredApprovals: 3, mode: "pull", ownerTeam: "Payments" });
    const updatedAudit = await database().auditEvent.findMany({ where: { subjectId: id, action: "target.updated" } });
    expect(updatedAudit).toHaveLength(1);
    const details = JSON.parse(updatedAudit[0]!.details) as { changed: string[] };
    // ownerTeam was sent unchanged, so it is not listed
    expect(details.changed.sort()).toEqual(["mode", "requiredApprovals"]);

    const deleted = await callRoute(targetRoute.DELETE, {
      method: "DELETE",
      path: `/api/targets/${id}`,
      params: { id },
      as: admin,
    });
    expect(deleted.status).toBe(204);
    // Deleting archives: the row stays for its history, marked (tests/integration/targets-archive.test.ts).
    expect(await database().target.findUnique({ where: { id } })).toMatchObject({ archivedKey: id });
    const deletedAudit = await database().auditEvent.findMany({ where: { subjectId: id, action: "target.deleted" } });
    expect(deletedAudit).toHaveLength(1);
    expect(JSON.parse(deletedAudit[0]!.details)).toMatchObject({ name, credentialsDeleted: 0 });

    const gone = await callRoute(targetRoute.GET, { path: `/api/targets/${id}`, params: { id }, as: admin });
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ name, archived: { byName: expect.any(String) } });
  });

  it("applies the approval default by environment only when none is given", async () => {
    const prod = await createTarget(validTarget({ environment: "Production" }));
    const dev = await createTarget(validTarget({ environment: "dev" }));
    const explicit = await createTarget(validTarget({ environment: "prod", requiredApprovals: 0 }));
    expect([prod.body.requiredApprovals, dev.body.requiredApprovals, explicit.body.requiredApprovals]).toEqual([
      1, 0, 0,
    ]);
  });

  it("renames a target, refusing a name another target has", async () => {
    const a = await createTarget(validTarget());
    const b = await createTarget(validTarget());
    const newName = uniqueName("renamed");
    const renamed = await callRoute(targetRoute.PATCH, {
      method: "PATCH",
      path: "/",
      params: { id: a.body.id },
      body: { name: newName },
      as: admin,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe(newName);

    const clash = await callRoute(targetRoute.PATCH, {
      method: "PATCH",
      path: "/",
      params: { id: b.body.id },
      body: { name: newName },
      as: admin,
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe("NAME_TAKEN");
    expect(clash.body.error.fields.name).toHaveLength(1);
  });

  it("writes no audit row for a patch that changes nothing", async () => {
    const a = await createTarget(validTarget({ ownerTeam: "core" }));
    const before = await snapshotCounts();
    const same = await callRoute(targetRoute.PATCH, {
      method: "PATCH",
      path: "/",
      params: { id: a.body.id },
      body: { ownerTeam: "core" },
      as: admin,
    });
    expect(same.status).toBe(200);
    expect(await snapshotCounts()).toEqual(before);
  });

  it("deleting a target removes its credentials", async () => {
    const a = await createTarget(validTarget());
    await database().credential.create({
      data: { targetId: a.body.id, kind: "bearer-token", ciphertext: "x", keyId: "k", fingerprint: "abc" },
    });
    const res = await callRoute(targetRoute.DELETE, {
      method: "DELETE",
      path: "/",
      params: { id: a.body.id },
      as: admin,
    });
    expect(res.status).toBe(204);
    expect(await database().credential.count({ where: { targetId: a.body.id } })).toBe(0);
    const audit = await database().auditEvent.findFirst({ where: { subjectId: a.body.id, action: "target.deleted" } });
    expect(JSON.parse(audit!.details)).toMatchObject({ credentialsDeleted: 1 });
  });

  it("answers 404 for unknown ids on GET, PATCH and DELETE", async () => {
    const params = { id: "does-not-exist" };
    const get = await callRoute(targetRoute.GET, { params, as: admin });
    const patch = await callRoute(targetRoute.PATCH, { method: "PATCH", params, body: { ownerTeam: "x" }, as: admin });
    const del = await callRoute(targetRoute.DELETE, { method: "DELETE", params, as: admin });
    expect([get.status, patch.status, del.status]).toEqual([404, 404, 404]);
  });
});

describe("bad input", () => {
  it("answers 422 with field errors for a bad name and URL", async () => {
    const res = await createTarget(validTarget({ name: "Bad_Name", serverUrl: "ftp://cluster" }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.fields.name).toEqual(["Use lower-case letters only."]);
    expect(res.body.error.fields.serverUrl).toEqual(["Use an https:// (or http://) URL."]);
  });

  it("stores a CA bundle of real certificates and clears it with an empty string", async () => {
    const bundle = `${CA_PEM}\n${SECOND_CA_PEM}\n`;
    const res = await createTarget(validTarget({ caBundle: bundle }));
    expect(res.status).toBe(201);
    expect(res.body.caBundle).toBe(bundle.trim());
    const cleared = await callRoute(targetRoute.PATCH, {
      method: "PATCH",
      params: { id: res.body.id },
      body: { caBundle: "" },
      as: admin,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.caBundle).toBeNull();
  });

  it("answers 422 for a CA bundle that is not X.509, and for an unknown policy", async () => {
    const ca = await createTarget(validTarget({ caBundle: NOT_X509_PEM }));
    expect(ca.status).toBe(422);
    expect(ca.body.error.fields.caBundle).toEqual(["Certificate 1 is not a valid X.509 certificate."]);
    const policy = await createTarget(validTarget({ credentialPolicyId: "nope" }));
    expect(policy.status).toBe(422);
    expect(policy.body.error.fields.credentialPolicyId).toHaveLength(1);
  });

  it("answers 422 when the default namespace is missing from an explicit allow-list, also on PATCH", async () => {
    const res = await createTarget(validTarget({ defaultNamespace: "apps", allowedNamespaces: ["web"] }));
    expect(res.status).toBe(422);
    expect(res.body.error.fields.allowedNamespaces).toHaveLength(1);

    const ok = await createTarget(validTarget({ allowedNamespaces: ["default", "web"] }));
    const patch = await callRoute(targetRoute.PATCH, {
      method: "PATCH",
      params: { id: ok.body.id },
      body: { defaultNamespace: "api" },
      as: admin,
    });
    expect(patch.status).toBe(422);
    expect(patch.body.error.fields.allowedNamespaces).toHaveLength(1);
  });

  it("refuses unknown fields and out-of-range approvals", async () => {
    const res = await createTarget(validTarget({ requiredApprovals: 6, color: "red" }));
    expect(res.status).toBe(422);
    expect(res.body.error.fields.requiredApprovals).toHaveLength(1);
  });

  it("answers 409 NAME_TAKEN with a field error for a duplicate name", async () => {
    const body = validTarget();
    expect((await createTarget(body)).status).toBe(201);
    const dup = await createTarget({ ...body, mode: "pull" });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("NAME_TAKEN");
    expect(dup.body.error.fields.name[0]).toContain(body.name);
  });

  it("a failed create changes nothing: no target and no audit row after a 422 or a 409", async () => {
    const existing = validTarget();
    expect((await createTarget(existing)).status).toBe(201);
    const before = await snapshotCounts();

    expect((await createTarget(validTarget({ name: "-nope" }))).status).toBe(422);
    expect((await createTarget(validTarget({ caBundle: NOT_X509_PEM }))).status).toBe(422);
    expect((await createTarget({ ...existing, environment: "other" })).status).toBe(409);

    expect(await snapshotCounts()).toEqual(before);
  });
});

describe("permissions", () => {
  it("refuses a viewer's POST and a deployer's PATCH/DELETE with 403, changing nothing", async () => {
    const target = await createTarget(validTarget());
    const targetsBefore = await database().target.count();

    const post = await createTarget(validTarget(), viewer);
    expect(post.status).toBe(403);
    const patch = await callRoute(targetRoute.PATCH, {
      method: "PATCH",
      params: { id: target.body.id },
      body: { ownerTeam: "x" },
      as: deployer,
    });
    expect(patch.status).toBe(403);
    const del = await callRoute(targetRoute.DELETE, { method: "DELETE", params: { id: target.body.id }, as: deployer });
    expect(del.status).toBe(403);

    expect(await database().target.count()).toBe(targetsBefore);
    const after = await database().target.findUnique({ where: { id: target.body.id } });
    expect(after?.ownerTeam).toBe("");
  });

  it("lets every role read", async () => {
    const res = await callRoute(targetsRoute.GET, { path: "/api/targets", as: viewer });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.items)).toBe(true);
  });
});
