import "reflect-metadata";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as manifestsRoute from "@/app/api/deployments/[id]/manifests/route";
import * as deploymentRoute from "@/app/api/deployments/[id]/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import { newSecretToken, sha256Hex } from "@/lib/auth/secrets";
import { listAwaitingMyApproval } from "@/lib/deployments/data/list-awaiting-approval";
import { callRoute, createCaller, type Caller } from "../support/api";
import { appManifests } from "../support/executor";
import { useExecutorFixture } from "../support/executor-fixture";
import type { SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

// Issue 16, Must 4: a push deployment keeps exactly what it applied, compressed, with the SHA-256 of its bytes, and
// approvers, admins and its requester download it byte for byte; every download is audited.

const t = useTestDatabase();
const fx = useExecutorFixture(t);
const db = fx.db;
let deployer: Caller;
let otherDeployer: Caller;
let approver: Caller;
let viewer: Caller;

beforeAll(async () => {
  deployer = await createCaller("deployer");
  otherDeployer = await createCaller("deployer");
  approver = await createCaller("approver");
  viewer = await createCaller("viewer");
});

async function request(target: SandboxPushTarget, manifests: string): Promise<string> {
  const res = await callRoute(deploymentsRoute.POST, {
    method: "POST",
    path: "/api/deployments",
    body: { targetId: target.targetId, source: { kind: "manifests", manifests }, reason: "applied manifests test" },
    as: deployer,
  });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

/** Approves as a signed-in person (approvals come from people, not tokens). */
async function approve(id: string) {
  const token = newSecretToken("sess");
  await db().session.create({
    data: { tokenHash: sha256Hex(token), userId: approver.userId, expiresAt: new Date(Date.now() + 3_600_000) },
  });
  const res = await callRoute(approvalsRoute.POST, {
    method: "POST",
    path: `/api/deployments/${id}/approvals`,
    params: { id },
    body: { decision: "approved" },
    cookie: `wharf_session=${token}`,
    origin: "http://localhost:3000",
  });
  expect(res.status).toBe(201);
}

/** Calls the download route and reads its body as bytes (callRoute reads text, which would mangle gzip). */
async function download(id: string, as: Caller, headers: Record<string, string> = {}) {
  const req = new Request(`http://localhost:3000/api/deployments/${id}/manifests`, {
    headers: { host: "localhost:3000", authorization: `Bearer ${as.token}`, ...headers },
  });
  const res = await manifestsRoute.GET(req, { params: Promise.resolve({ id }) });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("applied manifests of a push deployment", () => {
  it("downloads byte-identical to what the executor applied, with its digest, cluster, requester and approver; audited", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 1 });
    const ns = target.namespaces[0]!;
    // Comments, blank lines, quoting and a non-ASCII value: the objects' digest ignores them, the file keeps them.
    const manifests = `# Applied by the applied-manifests test\n\n${appManifests({ namespace: ns, configMaps: ["settings", "flags"] })}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: "greeting", namespace: '${ns}'}\ndata:\n  greeting: "héllo wörld"   # trailing comment\n`;
    const id = await request(target, manifests);
    await approve(id);
    const { row } = await fx.run(id);
    expect([row.state, row.resultMessage]).toEqual(["succeeded", expect.any(String)]);
    // Stored compressed, the text column left empty on new rows; the cluster recorded as the run found it.
    expect(row.manifests).toBe("");
    expect(row.manifestsGz).not.toBeNull();
    expect(gunzipSync(row.manifestsGz!).equals(Buffer.from(manifests, "utf8"))).toBe(true);
    expect(row.manifestsSha256).toBe(sha256(Buffer.from(manifests, "utf8")));
    expect(row).toMatchObject({ appliedTargetName: expect.any(String), appliedServerUrl: fx.cluster.url });
    expect(await fx.configMap(ns, "greeting")).toMatchObject({ data: { greeting: "héllo wörld" } });

    const plain = await download(id, approver);
    expect(plain.status).toBe(200);
    expect(plain.body.equals(Buffer.from(manifests, "utf8"))).toBe(true);
    expect(plain.headers.get("content-type")).toMatch(/^application\/yaml/);
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename=".*${id}.*\\.yaml"$`));
    expect(plain.headers.get("x-wharf-manifests-sha256")).toBe(sha256(plain.body));
    expect(plain.headers.get("digest")).toBe(`sha-256=${createHash("sha256").update(plain.body).digest("base64")}`);

    // The requester downloads too; a client asking for gzip still gets the file itself, as browsers save it.
    const own = await download(id, deployer, { "accept-encoding": "br, gzip;q=0.8" });
    expect(own.status).toBe(200);
    expect(own.headers.get("content-encoding")).toBeNull();
    expect(own.body.equals(Buffer.from(manifests, "utf8"))).toBe(true);
    expect(own.headers.get("x-wharf-manifests-sha256")).toBe(row.manifestsSha256);

    // The page's record: digest, cluster, requester and approver, and who sees the download link.
    const view = await callRoute(deploymentRoute.GET, { path: `/api/deployments/${id}`, params: { id }, as: approver });
    expect(view.body.appliedManifests).toMatchObject({
      sha256: row.manifestsSha256,
      bytes: Buffer.byteLength(manifests),
      serverUrl: fx.cluster.url,
      canDownload: true,
    });
    expect(view.body.requestedBy.name).toContain(deployer.email);
    expect(view.body.approvals.map((a: { approverName: string }) => a.approverName)).toEqual(["Test approver"]);
    const asViewer = await callRoute(deploymentRoute.GET, {
      path: `/api/deployments/${id}`,
      params: { id },
      as: viewer,
    });
    expect(asViewer.body.appliedManifests.canDownload).toBe(false);

    // A viewer and a deployer who did not request it are refused, and nothing is served or audited for them.
    for (const who of [viewer, otherDeployer]) {
      const refused = await download(id, who);
      expect(refused.status).toBe(403);
      expect(refused.body.toString("utf8")).not.toContain("settings");
    }

    const audit = await db().auditEvent.findMany({
      where: { action: "deployment.manifests-downloaded", subjectId: id },
      orderBy: { seq: "asc" },
    });
    // Token callers are audited as their token, named with its owner.
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actorKind: "api-token", targetId: target.targetId, outcome: "success" });
    expect(audit[0]!.actorName).toContain(approver.email);
    expect(audit[1]!.actorName).toContain(deployer.email);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({
      sha256: row.manifestsSha256,
      bytes: Buffer.byteLength(manifests),
    });
  });

  it("stores a repetitive 1 MB manifest set compressed, far smaller than its text, and serves it back whole", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 1 });
    const ns = target.namespaces[0]!;
    const lines = Array.from({ length: 23_000 }, (_, i) => `  key-${i}: "value of a repetitive setting"`);
    const manifests = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: ${ns}\ndata:\n${lines.join("\n")}\n`;
    expect(Buffer.byteLength(manifests)).toBeGreaterThan(1_000_000);
    const id = await request(target, manifests);
    const row = await db().deployment.findUniqueOrThrow({ where: { id } });
    expect(row.manifestsGz!.length).toBeLessThan(Buffer.byteLength(manifests) / 10);
    // The home page's waiting list reads the request without its manifests.
    const waiting = await listAwaitingMyApproval({ ...approver, kind: "user" });
    expect(waiting.map((w) => w.id)).toContain(id);
    const back = await download(id, approver);
    expect(back.status).toBe(200);
    expect(back.body.equals(Buffer.from(manifests, "utf8"))).toBe(true);
  });

  it("reads rows stored before compression from their text column, and answers 404 for an unknown deployment", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 1 });
    const ns = target.namespaces[0]!;
    const manifests = appManifests({ namespace: ns, configMaps: ["legacy"] });
    const id = await request(target, manifests);
    // What the migration leaves: the text in `manifests`, no gzip, no byte digest.
    await db().deployment.update({
      where: { id },
      data: { manifests, manifestsGz: null, manifestsSha256: null },
    });
    const old = await download(id, approver);
    expect(old.status).toBe(200);
    expect(old.body.toString("utf8")).toBe(manifests);
    expect(old.headers.get("x-wharf-manifests-sha256")).toBe(sha256(Buffer.from(manifests)));
    expect((await download("no-such-deployment", approver)).status).toBe(404);
  });
});
