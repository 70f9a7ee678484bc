import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as deploymentRoute from "@/app/api/deployments/[id]/route";
import * as cancelRoute from "@/app/api/deployments/[id]/cancel/route";
import * as previewRoute from "@/app/api/deployments/[id]/preview/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as targetRoute from "@/app/api/targets/[id]/route";
import { dbFor } from "@/lib/db/client";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { callRoute, createCaller, type Caller } from "../support/api";
import { startGitServer, type GitServer, type TestRepo } from "../support/git-server";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let cluster: TestCluster;
let git: GitServer;
let repo: TestRepo;
let target: SandboxPushTarget;
let deployer: Caller;
let viewer: Caller;
let admin: Caller;

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 200 });
  git = await startGitServer();
  target = await createSandboxPushTarget(cluster, {
    databaseUrl: t.url,
    namespaces: [`shop-${randomBytes(2).toString("hex")}`, `canary-${randomBytes(2).toString("hex")}`],
    requiredApprovals: 2,
  });
  deployer = await createCaller("deployer");
  viewer = await createCaller("viewer");
  admin = await createCaller("admin");
  repo = await git.createRepo("app");
});

afterAll(async () => {
  await git?.stop();
  await cluster?.stop();
});

const ns = () => target.namespaces[0]!;

function configMap(name: string, data: Record<string, string>, namespace?: string): string {
  return [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    "data:",
    ...Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`),
  ].join("\n");
}

function request(body: unknown, as: Caller = deployer) {
  return callRoute(deploymentsRoute.POST, { method: "POST", path: "/api/deployments", body, as });
}

function manifestsRequest(manifests: string, targetId = target.targetId, reason = "test") {
  return request({ targetId, source: { kind: "manifests", manifests }, reason });
}

async function counts() {
  return { deployments: await db().deployment.count(), objects: await db().deploymentObject.count() };
}

describe("POST /api/deployments — validation before anything is stored", () => {
  it("lists every problem with document and line: bad YAML, missing kind, namespace outside allowed, cluster-scoped", async () => {
    const before = await counts();
    const manifests = [
      configMap("ok", { a: "1" }),
      "apiVersion: v1\nmetadata:\n  name: nokind",
      configMap("elsewhere", { a: "1" }, "kube-system"),
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: everything",
      "foo: [unclosed",
    ].join("\n---\n");
    // Parse problems are reported first, all of them.
    const parse = await manifestsRequest(manifests);
    expect(parse.status).toBe(422);
    expect(parse.body.error.code).toBe("VALIDATION_FAILED");
    const parseMessages: string[] = parse.body.error.fields.manifests;
    expect(parseMessages).toHaveLength(2);
    expect(parseMessages[0]).toMatch(/^document 2, line 8, column 1: missing kind$/);
    expect(parseMessages[1]).toMatch(/^document 5, line 25, column 15: invalid YAML/);

    // Once everything parses, every rule problem is listed.
    const rules = await manifestsRequest(
      [
        configMap("ok", { a: "1" }),
        configMap("elsewhere", { a: "1" }, "kube-system"),
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: everything",
      ].join("\n---\n"),
    );
    expect(rules.status).toBe(422);
    const ruleMessages: string[] = rules.body.error.fields.manifests;
    expect(ruleMessages).toEqual([
      expect.stringMatching(
        /^document 2, line 8: ConfigMap elsewhere is in namespace "kube-system", which this target does not allow/,
      ),
      expect.stringMatching(/^document 3, line 16: ClusterRole everything is cluster-scoped/),
    ]);
    expect(await counts()).toEqual(before);
  });

  it("refuses pull targets (409) and unknown targets (404), and viewers (403)", async () => {
    const pull = await db().target.create({
      data: {
        name: `pull-${randomBytes(3).toString("hex")}`,
        environment: "dev",
        mode: "pull",
        serverUrl: "https://10.0.0.1:6443",
      },
    });
    const res = await manifestsRequest(configMap("a", { a: "1" }), pull.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("TARGET_NOT_PUSH");
    expect((await manifestsRequest(configMap("a", { a: "1" }), "nope")).status).toBe(404);
    const asViewer = await request(
      { targetId: target.targetId, source: { kind: "manifests", manifests: configMap("a", { a: "1" }) } },
      viewer,
    );
    expect(asViewer.status).toBe(403);
  });
});

describe("request → preview", () => {
  it("stores the request pending approval with its digest, objects and audit row, and previews the diff", async () => {
    const res = await manifestsRequest(
      [configMap("fresh", { a: "1" }), configMap("other", { b: "2" }, target.namespaces[1])].join("\n---\n"),
    );
    expect(res.status).toBe(201);
    const d = res.body;
    expect(d.state).toBe("pending-approval");
    expect(d.manifestsDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(d.objectCount).toBe(2);
    expect(d.objects.map((o: { namespace: string; name: string }) => `${o.namespace}/${o.name}`)).toEqual([
      `${ns()}/fresh`,
      `${target.namespaces[1]}/other`,
    ]);
    expect(d.previewError).toBeNull();
    expect(d.preview.counts).toMatchObject({ create: 2, change: 0, unchanged: 0, prune: 0, error: 0 });
    expect(d.rule.requiredApprovals).toBe(2);
    expect(d.requestedBy.id).toBe(deployer.userId);

    const audit = await db().auditEvent.findMany({ where: { subjectId: d.id }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["deployment.requested"]);
    const decrypted = await db().auditEvent.findMany({
      where: { action: "credential.decrypted", details: { contains: d.id } },
    });
    expect(decrypted).toHaveLength(1);
    expect(JSON.parse(decrypted[0]!.details)).toMatchObject({ purpose: "preview", purposeId: d.id });
  });

  it("counts create / change / unchanged / prune against the live cluster and the last successful deployment", async () => {
    const first = await manifestsRequest(
      [configMap("keep", { a: "1" }), configMap("edit", { a: "1" }), configMap("drop", { a: "1" })].join("\n---\n"),
    );
    expect(first.status).toBe(201);
    // Make the first deployment the target's last success, with what it applied live in the cluster.
    await applyAsTarget([configMap("keep", { a: "1" }), configMap("edit", { a: "1" }), configMap("drop", { a: "1" })]);
    await db().deployment.update({
      where: { id: first.body.id },
      data: { state: "succeeded", finishedAt: new Date() },
    });
    await db().deploymentObject.updateMany({ where: { deploymentId: first.body.id }, data: { action: "created" } });

    const second = await manifestsRequest(
      [configMap("keep", { a: "1" }), configMap("edit", { a: "2" }), configMap("new", { a: "1" })].join("\n---\n"),
    );
    expect(second.status).toBe(201);
    expect(second.body.preview.counts).toEqual({ create: 1, change: 1, unchanged: 1, prune: 1, error: 0 });
    const byName = Object.fromEntries(second.body.preview.objects.map((o: { name: string }) => [o.name, o]));
    expect(byName.drop.action).toBe("prune");
    expect(byName.edit.changes).toEqual([{ path: "data.a", op: "change", old: "1", new: "2" }]);
    await db().deployment.update({ where: { id: first.body.id }, data: { state: "failed" } });
  });

  it("says plainly when the cluster refuses the credential, and when there is none", async () => {
    const refused = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    // Revoke what the token may do: delete its RoleBinding, so the API server answers 403.
    await deleteRoleBinding(refused);
    const res = await manifestsRequest(configMap("a", { a: "1" }), refused.targetId);
    expect(res.status).toBe(201);
    expect(res.body.state).toBe("pending-approval");
    expect(res.body.previewError).toMatch(/^The cluster refused the stored credential \(403\): .*forbidden/);

    const bare = await db().target.create({
      data: {
        name: `bare-${randomBytes(3).toString("hex")}`,
        environment: "dev",
        mode: "push",
        serverUrl: cluster.url,
        defaultNamespace: "default",
        requiredApprovals: 1,
      },
    });
    const none = await manifestsRequest(configMap("a", { a: "1" }), bare.id);
    expect(none.status).toBe(201);
    expect(none.body.previewError).toMatch(/has no stored credential/);
    expect(none.body.preview).toBeNull();
  });

  it("flags a custom resource that names a namespace but is cluster-scoped in the cluster", async () => {
    const { applyManifests, createKubeClient, kubeConfigFor } = await import("@/lib/kube");
    const admin = createKubeClient(
      kubeConfigFor({ name: "admin", server: cluster.url, caPem: cluster.caPem, token: cluster.adminToken }),
    );
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gizmos.example.com" },
      spec: {
        group: "example.com",
        scope: "Cluster",
        names: { kind: "Gizmo", plural: "gizmos", singular: "gizmo", listKind: "GizmoList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    };
    expect((await applyManifests(admin, [crd], { fieldManager: "test-setup" })).ok).toBe(true);
    await admin.close();
    const res = await manifestsRequest(
      `apiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\n  namespace: ${ns()}\n`,
    );
    expect(res.status).toBe(201);
    expect(res.body.preview.counts.error).toBe(1);
    expect(res.body.preview.objects[0].message).toBe(
      "Gizmo is cluster-scoped in this cluster, and this target does not allow cluster-scoped objects",
    );
  });

  it("says plainly when the cluster is unreachable, and re-runs on POST /preview", async () => {
    const down = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    await db().target.update({ where: { id: down.targetId }, data: { serverUrl: "https://127.0.0.1:9" } });
    const res = await manifestsRequest(configMap("a", { a: "1" }), down.targetId);
    expect(res.status).toBe(201);
    expect(res.body.previewError).toMatch(/^Wharf could not reach the cluster at https:\/\/127\.0\.0\.1:9/);

    await db().target.update({ where: { id: down.targetId }, data: { serverUrl: cluster.url } });
    const again = await callRoute(previewRoute.POST, {
      method: "POST",
      path: `/api/deployments/${res.body.id}/preview`,
      params: { id: res.body.id },
      as: deployer,
    });
    expect(again.status).toBe(200);
    expect(again.body.previewError).toBeNull();
    expect(again.body.preview.counts.create).toBe(1);
    expect(
      (await callRoute(previewRoute.POST, { method: "POST", path: "/x", params: { id: res.body.id }, as: viewer }))
        .status,
    ).toBe(403);
  });
});

describe("Git source", () => {
  it("fetches the ref with git, records the commit SHA and author, and reads YAML/JSON under the path recursively", async () => {
    const sha = await repo.commit({
      author: { name: "Ada Author", email: "ada@example.com" },
      message: "Ship web",
      files: {
        "deploy/b.yaml": configMap("from-b", { a: "1" }),
        "deploy/nested/a.json": JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "from-json" },
          data: { x: "1" },
        }),
        "deploy/README.md": "# not a manifest",
        "other/c.yaml": configMap("not-included", { a: "1" }),
      },
    });
    const res = await request({
      targetId: target.targetId,
      source: { kind: "git", url: repo.url, ref: "main", path: "deploy" },
      reason: "from git",
    });
    expect(res.status).toBe(201);
    expect(res.body.sourceKind).toBe("git");
    expect(res.body.git).toMatchObject({
      url: repo.url,
      ref: "main",
      path: "deploy",
      commitSha: sha,
      authorName: "Ada Author",
      authorEmail: "ada@example.com",
      message: "Ship web",
    });
    // Sorted by path: deploy/b.yaml before deploy/nested/a.json.
    expect(res.body.objects.map((o: { name: string }) => o.name)).toEqual(["from-b", "from-json"]);
    expect(res.body.manifests).toContain("# Source: deploy/b.yaml");

    // A second fetch from the cached repository picks up a new commit.
    const sha2 = await repo.commit({
      author: { name: "Bob", email: "bob@example.com" },
      files: { "deploy/b.yaml": configMap("from-b", { a: "2" }) },
    });
    const again = await request({
      targetId: target.targetId,
      source: { kind: "git", url: repo.url, ref: "main", path: "deploy" },
    });
    expect(again.status).toBe(201);
    expect(again.body.git.commitSha).toBe(sha2);
    expect(again.body.manifestsDigest).not.toBe(res.body.manifestsDigest);

    // By commit SHA, too.
    const pinned = await request({
      targetId: target.targetId,
      source: { kind: "git", url: repo.url, ref: sha, path: "deploy" },
    });
    expect(pinned.status).toBe(201);
    expect(pinned.body.manifestsDigest).toBe(res.body.manifestsDigest);
  });

  it("422s with the field for a missing ref, a missing path, manifest problems in a file, and an unreachable repository", async () => {
    const before = await counts();
    const noRef = await request({
      targetId: target.targetId,
      source: { kind: "git", url: repo.url, ref: "no-such-branch", path: "deploy" },
    });
    expect(noRef.status).toBe(422);
    expect(noRef.body.error.fields["source.ref"][0]).toMatch(/has no branch, tag or commit "no-such-branch"/);

    const noPath = await request({
      targetId: target.targetId,
      source: { kind: "git", url: repo.url, ref: "main", path: "nowhere" },
    });
    expect(noPath.status).toBe(422);
    expect(noPath.body.error.fields["source.path"][0]).toMatch(/no file or directory "nowhere"/);

    await repo.commit({
      author: { name: "Bob", email: "bob@example.com" },
      files: { "bad/x.yaml": configMap("x", { a: "1" }, "kube-system") },
    });
    const bad = await request({
      targetId: target.targetId,
      source: { kind: "git", url: repo.url, ref: "main", path: "bad" },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.manifests[0]).toMatch(
      /^bad\/x\.yaml: document 1, line 1: ConfigMap x is in namespace "kube-system"/,
    );

    const unreachable = await request({
      targetId: target.targetId,
      source: { kind: "git", url: `git://127.0.0.1:${git.port}/missing-repo`, ref: "main", path: "." },
    });
    expect(unreachable.status).toBe(422);
    // One generic message (no port-scan signal); git's words go to the server log only.
    expect(unreachable.body.error.fields["source.url"][0]).toBe(
      `Wharf could not reach the repository git://127.0.0.1:${git.port}/missing-repo.`,
    );

    const ssh = await request({
      targetId: target.targetId,
      source: { kind: "git", url: "ssh://git@example.com/a.git", ref: "main", path: "." },
    });
    expect(ssh.status).toBe(422);
    expect(await counts()).toEqual(before);
  });
});

describe("reads", () => {
  it("lists newest first with filters and cursor pagination", async () => {
    const other = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await manifestsRequest(configMap(`list-${i}`, { a: "1" }), other.targetId);
      ids.push(res.body.id);
    }
    const list = (query: string, as: Caller = viewer) =>
      callRoute(deploymentsRoute.GET, { path: `/api/deployments?${query}`, as });
    const page1 = await list(`targetId=${other.targetId}&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((d: { id: string }) => d.id)).toEqual([ids[4], ids[3]]);
    const page2 = await list(`targetId=${other.targetId}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[1]]);
    const page3 = await list(`targetId=${other.targetId}&limit=2&cursor=${page2.body.nextCursor}`);
    expect(page3.body.items.map((d: { id: string }) => d.id)).toEqual([ids[0]]);
    expect(page3.body.nextCursor).toBeNull();

    const byRequester = await list(`requester=${encodeURIComponent(deployer.email)}&targetId=${other.targetId}`);
    expect(byRequester.body.items).toHaveLength(5);
    expect((await list(`requester=${admin.userId}&targetId=${other.targetId}`)).body.items).toHaveLength(0);
    expect((await list(`state=queued&targetId=${other.targetId}`)).body.items).toHaveLength(0);

    // An application's own deployments: the one requested for "list-app", not the target's default application's.
    const ofApp = await request({
      targetId: other.targetId,
      source: { kind: "manifests", manifests: configMap("list-app", { a: "1" }) },
      application: "list-app",
    });
    expect(ofApp.status).toBe(201);
    const app = await db().application.findUniqueOrThrow({
      where: { targetId_name_archivedKey: { targetId: other.targetId, name: "list-app", archivedKey: "" } },
    });
    const byApp = await list(`applicationId=${app.id}`);
    expect(byApp.status).toBe(200);
    expect(byApp.body.items.map((d: { id: string }) => d.id)).toEqual([ofApp.body.id]);
    const defaultApp = await db().application.findUniqueOrThrow({ where: { inventoryKey: other.targetId } });
    expect((await list(`applicationId=${defaultApp.id}&limit=10`)).body.items.map((d: { id: string }) => d.id)).toEqual(
      [...ids].reverse(),
    );
    expect((await list("state=bogus")).status).toBe(422);
    expect((await list("cursor=nonsense")).status).toBe(422);

    const one = await callRoute(deploymentRoute.GET, {
      path: `/api/deployments/${ids[0]}`,
      params: { id: ids[0]! },
      as: viewer,
    });
    expect(one.status).toBe(200);
    expect(one.body.viewer).toEqual({
      canApprove: false,
      reason: "Your role cannot approve deployments to this target.",
      approvalStartsDeployment: false,
    });
    expect(one.body.canCancel).toBe(false);
    expect(
      (await callRoute(deploymentRoute.GET, { path: "/api/deployments/nope", params: { id: "nope" }, as: viewer }))
        .status,
    ).toBe(404);
  });
});

describe("cancel", () => {
  it("the requester cancels before it runs; others without approve rights cannot; finished ones cannot", async () => {
    const res = await manifestsRequest(configMap("cancel-me", { a: "1" }));
    const id: string = res.body.id;
    expect(res.body.canCancel).toBe(true);
    const other = await createCaller("deployer");
    const cancel = (as: Caller) =>
      callRoute(cancelRoute.POST, { method: "POST", path: `/api/deployments/${id}/cancel`, params: { id }, as });
    expect((await cancel(other)).status).toBe(403);
    const ok = await cancel(deployer);
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe("cancelled");
    expect((await cancel(deployer)).body.error.code).toBe("DEPLOYMENT_STATE_CONFLICT");
    const actions = (await db().auditEvent.findMany({ where: { subjectId: id }, orderBy: { seq: "asc" } })).map(
      (a) => a.action,
    );
    expect(actions).toEqual(["deployment.requested", "deployment.cancelled"]);
  });

  it("a running deployment gets cancelRequested (audited), for the executor to stop", async () => {
    const res = await manifestsRequest(configMap("running", { a: "1" }));
    await db().deployment.update({ where: { id: res.body.id }, data: { state: "running" } });
    const ok = await callRoute(cancelRoute.POST, {
      method: "POST",
      path: "/x",
      params: { id: res.body.id },
      as: admin,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe("running");
    expect(ok.body.cancelRequested).toBe(true);
    expect(ok.body.canCancel).toBe(false);
    expect(
      await db().auditEvent.count({ where: { subjectId: res.body.id, action: "deployment.cancel-requested" } }),
    ).toBe(1);
    await db().deployment.update({ where: { id: res.body.id }, data: { state: "failed" } });
  });
});

describe("targets and deployments", () => {
  it("a target needing no approval queues requests at once, and cannot be deleted while one is queued or running", async () => {
    const quick = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 0 });
    const res = await manifestsRequest(configMap("quick", { a: "1" }), quick.targetId);
    expect(res.body.state).toBe("queued");
    const actions = (
      await db().auditEvent.findMany({ where: { subjectId: res.body.id }, orderBy: { seq: "asc" } })
    ).map((a) => a.action);
    expect(actions).toEqual(["deployment.requested", "deployment.approved", "deployment.queued"]);
    const del = () =>
      callRoute(targetRoute.DELETE, {
        method: "DELETE",
        path: `/api/targets/${quick.targetId}`,
        params: { id: quick.targetId },
        as: admin,
      });
    const refused = await del();
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("TARGET_BUSY");
    expect(refused.body.error.message).toMatch(/waiting to run/);
    await db().deployment.update({ where: { id: res.body.id }, data: { state: "running" } });
    expect((await del()).body.error.message).toMatch(/running/);
    await db().deployment.update({ where: { id: res.body.id }, data: { state: "succeeded" } });
    expect((await del()).status).toBe(204);
  });

  it("the approval rule's fields are set through the targets API and shown on deployments", async () => {
    const own = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    const patch = await callRoute(targetRoute.PATCH, {
      method: "PATCH",
      path: `/api/targets/${own.targetId}`,
      params: { id: own.targetId },
      body: {
        requiredApprovals: 3,
        approverRole: "admin",
        banRequester: false,
        banCommitAuthor: true,
        allowTokenApprovals: true,
        approvalTtlHours: 4,
      },
      as: admin,
    });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({
      requiredApprovals: 3,
      approverRole: "admin",
      banRequester: false,
      allowTokenApprovals: true,
      approvalTtlHours: 4,
    });
    const bad = await callRoute(targetRoute.PATCH, {
      method: "PATCH",
      path: "/x",
      params: { id: own.targetId },
      body: { approverRole: "deployer", approvalTtlHours: 0 },
      as: admin,
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["approvalTtlHours", "approverRole"]);
    const d = await manifestsRequest(configMap("ruled", { a: "1" }), own.targetId);
    expect(d.body.ruleDescription).toBe(
      "3 approvals from admins; the commit author may not approve; API tokens may approve; approvals expire after 4 h",
    );
  });
});

async function applyAsTarget(docs: string[]) {
  const { applyManifests, createKubeClient, kubeConfigFor, parseManifests } = await import("@/lib/kube");
  const { pushApplySet } = await import("@/lib/deployments/manifests");
  const client = createKubeClient(
    kubeConfigFor({ name: "t", server: cluster.url, caPem: cluster.caPem, token: target.token, namespace: ns() }),
  );
  // As the executor applies: the target's application (ApplySet).
  const report = await applyManifests(client, parseManifests(docs.join("\n---\n")), {
    fieldManager: "wharf",
    applySet: pushApplySet({ id: target.targetId, name: target.name, defaultNamespace: ns() }),
  });
  await client.close();
  expect(report.ok).toBe(true);
}

async function deleteRoleBinding(t: SandboxPushTarget) {
  const { createKubeClient, kubeConfigFor } = await import("@/lib/kube");
  const client = createKubeClient(
    kubeConfigFor({ name: "admin", server: cluster.url, caPem: cluster.caPem, token: cluster.adminToken }),
  );
  for (const namespace of t.namespaces) {
    await client.delete({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      namespace,
      name: `${t.serviceAccount.name}-admin`,
    });
  }
  await client.close();
}
