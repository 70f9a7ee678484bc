import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as bindingRoute from "@/app/api/targets/[id]/repo-bindings/[bindingId]/route";
import { runOnce } from "@/lib/deployments/executor";
import { manifestsTextOf } from "@/lib/deployments/stored-manifests";
import { callRoute, createCaller, type Caller } from "../support/api";
import { startGitServer, type GitServer, type TestRepo } from "../support/git-server";
import { appManifests } from "../support/executor";
import { EXECUTOR_TEST_SETTINGS, useExecutorFixture } from "../support/executor-fixture";
import { bindRepository, deliverGithubPush } from "../support/git-webhook";
import { useTestDatabase } from "../support/test-db";

// The push half of "a change of what would be applied waits for approval": a binding's source (URL, branch, path)
// changes only by removing the binding and binding again; whatever its source becomes, a deployment reaches the
// cluster only as the manifests that were approved, and a push under the new source is a new request that waits.

const t = useTestDatabase();
const fx = useExecutorFixture(t);
const db = fx.db;
let git: GitServer;
let admin: Caller;
let approver: Caller;

beforeAll(async () => {
  git = await startGitServer();
  [admin, approver] = await Promise.all([createCaller("admin"), createCaller("approver")]);
});
afterAll(async () => {
  await git?.stop();
});

const bind = (targetId: string, repo: TestRepo, path: string) =>
  bindRepository(admin, targetId, { repoUrl: repo.url, path });

async function push(repo: TestRepo, sha: string, secret: string, delivery: string) {
  const res = await deliverGithubPush({
    secret,
    sha,
    delivery,
    repository: { full_name: "team/app", clone_url: repo.url, html_url: "https://github.example/team/app" },
  });
  expect(res.status).toBe(202);
  expect(res.body.deployments[0].deploymentId).toBeTruthy();
  return db().deployment.findUniqueOrThrow({ where: { id: res.body.deployments[0].deploymentId as string } });
}

describe("push binding: a change of its source", () => {
  it("never lets a deployment reach the cluster without the approvals its target requires", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 1 });
    await db().target.update({ where: { id: target.targetId }, data: { allowTokenApprovals: true } });
    const ns = target.namespaces[0]!;
    const repo = await git.createRepo(`bind-src-${Date.now()}`);
    const author = { name: "Dev Eloper", email: "dev@example.com" };
    const files = {
      "deploy/app.yaml": appManifests({ namespace: ns, configMaps: ["settings"] }),
      "other/app.yaml": appManifests({ namespace: ns, configMaps: ["intruder"] }),
    };
    const c1 = await repo.commit({ files, author, message: "two folders" });

    const first = await bind(target.targetId, repo, "deploy");
    const d1 = await push(repo, c1, first.secret, "src-1");
    expect(d1).toMatchObject({ state: "pending-approval", gitPath: "deploy" });
    const approved = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${d1.id}/approvals`,
      params: { id: d1.id },
      body: { decision: "approved" },
      as: approver,
    });
    expect(approved.status).toBe(201);
    expect((await db().deployment.findUniqueOrThrow({ where: { id: d1.id } })).state).toBe("queued");

    // The binding's source changes (remove and bind again, to another folder) while the approved request waits to run.
    const removed = await callRoute(bindingRoute.DELETE, {
      method: "DELETE",
      path: `/api/targets/${target.targetId}/repo-bindings/${first.id}`,
      params: { id: target.targetId, bindingId: first.id },
      as: admin,
    });
    expect(removed.status).toBeLessThan(300);
    const second = await bind(target.targetId, repo, "other");
    const c2 = await repo.commit({ files: { ...files, "other/README.md": "moved\n" }, author, message: "later" });
    const d2 = await push(repo, c2, second.secret, "src-2");
    // A new request for the new source: its own content, no approvals carried over, waiting.
    expect(d2).toMatchObject({ state: "pending-approval", gitPath: "other" });
    expect(manifestsTextOf(d2)).toContain("intruder");
    expect(await db().deploymentApproval.count({ where: { deploymentId: d2.id } })).toBe(0);
    // The approved request is exactly what was approved.
    const d1After = await db().deployment.findUniqueOrThrow({ where: { id: d1.id } });
    expect(d1After).toMatchObject({
      manifestsSha256: d1.manifestsSha256,
      manifestsDigest: d1.manifestsDigest,
      gitPath: "deploy",
      state: "queued",
    });

    // The executor applies the approved request and nothing else.
    expect(await runOnce({ processId: "bind-src", ...EXECUTOR_TEST_SETTINGS })).toMatchObject({
      deploymentId: d1.id,
      state: "succeeded",
    });
    expect(await runOnce({ processId: "bind-src", ...EXECUTOR_TEST_SETTINGS })).toBeNull();
    expect(await fx.configMap(ns, "settings")).toBeDefined();
    expect(await fx.configMap(ns, "intruder")).toBeUndefined();
    expect((await db().deployment.findUniqueOrThrow({ where: { id: d2.id } })).state).toBe("pending-approval");
  });
});
