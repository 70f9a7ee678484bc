import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as bindingRoute from "@/app/api/targets/[id]/repo-bindings/[bindingId]/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as webhookRoute from "@/app/api/webhooks/git/route";
import { dbFor } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { githubSignature } from "@/lib/deployments/webhooks";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { callRoute, createCaller, type Caller } from "../support/api";
import { startGitServer, type GitServer, type TestRepo } from "../support/git-server";
import { appManifests } from "../support/executor";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let cluster: TestCluster;
let git: GitServer;
let admin: Caller;

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 200 });
  git = await startGitServer();
  admin = await createCaller("admin");
});

afterAll(async () => {
  await git?.stop();
  await cluster?.stop();
});

const db = () => dbFor(t.url);
let repoCount = 0;

async function setup(opts: { targets?: number; requiredApprovals?: number } = {}) {
  const repo = await git.createRepo(`app-${++repoCount}-${Date.now()}`);
  // A namespace of its own: on the real leg the control plane is shared with every other test file.
  const ns = `shop-${repoCount}-${randomBytes(3).toString("hex")}`;
  const targets: SandboxPushTarget[] = [];
  for (let i = 0; i < (opts.targets ?? 1); i++) {
    targets.push(
      await createSandboxPushTarget(cluster, {
        databaseUrl: t.url,
        namespaces: [ns],
        requiredApprovals: opts.requiredApprovals ?? 1,
      }),
    );
  }
  const sha = await repo.commit({
    files: { "deploy/app.yaml": appManifests({ namespace: ns, configMaps: ["settings"] }) },
    author: { name: "Dev Eloper", email: "dev@example.com" },
    message: "Ship settings\n\nlonger body",
  });
  const bindings: { id: string; secret: string; targetId: string }[] = [];
  for (const target of targets) {
    const res = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.targetId}/repo-bindings`,
      params: { id: target.targetId },
      body: { repoUrl: repo.url, branch: "main", path: "deploy" },
      as: admin,
    });
    expect(res.status).toBe(201);
    bindings.push({ id: res.body.binding.id, secret: res.body.secret, targetId: target.targetId });
  }
  return { repo, ns, targets, sha, bindings };
}

function githubPush(repo: TestRepo, sha: string, opts: { branch?: string; cloneUrl?: string; forced?: boolean } = {}) {
  return {
    ref: `refs/heads/${opts.branch ?? "main"}`,
    before: "0".repeat(40),
    after: sha,
    deleted: false,
    forced: opts.forced ?? false,
    repository: {
      full_name: "team/app",
      clone_url: opts.cloneUrl ?? repo.url,
      html_url: "https://github.example/team/app",
    },
    pusher: { name: "octocat", email: "octo@example.com" },
    head_commit: { id: sha, message: "Ship settings\n\nlonger body" },
  };
}

async function deliver(body: unknown, headers: Record<string, string>) {
  const raw = JSON.stringify(body);
  return callRoute(webhookRoute.POST, {
    method: "POST",
    path: "/api/webhooks/git",
    body: raw,
    headers: { "content-type": "application/json", ...headers },
  });
}

function signedGithub(body: unknown, secret: string, delivery: string) {
  const raw = JSON.stringify(body);
  return {
    "x-github-event": "push",
    "x-github-delivery": delivery,
    "x-hub-signature-256": githubSignature(secret, raw),
  };
}

async function deploymentsOf(targetId: string) {
  return db().deployment.findMany({ where: { targetId } });
}

describe("POST /api/webhooks/git", () => {
  it("GitHub push with a valid signature creates a request per bound target at the pushed commit", async () => {
    const { repo, targets, sha, bindings } = await setup({ targets: 2 });
    const body = githubPush(repo, sha, { cloneUrl: `${repo.url.toUpperCase().replace("GIT://", "git://")}.git` });
    // Each binding has its own secret (one webhook per binding on the Git host); this delivery is signed for the first.
    const res = await deliver(body, signedGithub(body, bindings[0]!.secret, "gh-delivery-1"));
    expect(res.status).toBe(202);
    expect(res.body.deployments).toHaveLength(1);
    const [created] = await deploymentsOf(targets[0]!.targetId);
    expect(created).toMatchObject({
      sourceKind: "git",
      commitSha: sha,
      gitPath: "deploy",
      gitUrl: repo.url,
      state: "pending-approval",
      commitAuthorEmail: "dev@example.com",
    });
    expect(created!.reason).toMatch(/Push to main by octocat .*Ship settings$/);
    expect(created!.requestedByName).toMatch(/github webhook \(push by octocat\)/);
    expect(await deploymentsOf(targets[1]!.targetId)).toHaveLength(0);
    const accepted = await db().auditEvent.findMany({
      where: { action: "webhook.accepted", subjectId: "github:gh-delivery-1" },
    });
    expect(accepted).toHaveLength(1);

    // The second binding's webhook delivers separately, signed with its own secret.
    const res2 = await deliver(body, signedGithub(body, bindings[1]!.secret, "gh-delivery-2"));
    expect(res2.status).toBe(202);
    expect(await deploymentsOf(targets[1]!.targetId)).toHaveLength(1);
  });

  it("bad or missing signature → 401, no deployment, webhook.rejected audited", async () => {
    const { repo, targets, sha, bindings } = await setup();
    const body = githubPush(repo, sha);
    const bad = await deliver(body, signedGithub(body, "not-the-secret", "gh-bad-1"));
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("WEBHOOK_SIGNATURE_INVALID");
    const missing = await deliver(body, { "x-github-event": "push", "x-github-delivery": "gh-bad-2" });
    expect(missing.status).toBe(401);
    // Signed for a different body: the signature covers the raw bytes.
    const tampered = await deliver(
      { ...body, after: "f".repeat(40) },
      signedGithub(body, bindings[0]!.secret, "gh-bad-3"),
    );
    expect(tampered.status).toBe(401);
    expect(await deploymentsOf(targets[0]!.targetId)).toHaveLength(0);
    expect(
      await db().webhookDelivery.count({
        where: { id: { in: ["github:gh-bad-1", "github:gh-bad-2", "github:gh-bad-3"] } },
      }),
    ).toBe(0);
    const rejected = await db().auditEvent.findMany({
      where: { action: "webhook.rejected", targetId: targets[0]!.targetId },
    });
    expect(rejected.map((r) => JSON.parse(r.details).reason).sort()).toEqual([
      "bad signature",
      "bad signature",
      "missing signature",
    ]);
  });

  it("a replayed delivery id is ignored", async () => {
    const { repo, targets, sha, bindings } = await setup();
    const body = githubPush(repo, sha);
    const headers = signedGithub(body, bindings[0]!.secret, "gh-replay-1");
    expect((await deliver(body, headers)).status).toBe(202);
    const again = await deliver(body, headers);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ ignored: "replay" });
    expect(await deploymentsOf(targets[0]!.targetId)).toHaveLength(1);
  });

  it("an old signed body under a new delivery id, or re-signed, never moves the target back", async () => {
    const { repo, ns, targets, sha: first, bindings } = await setup();
    const secret = bindings[0]!.secret;
    const oldBody = githubPush(repo, first);
    expect((await deliver(oldBody, signedGithub(oldBody, secret, "gh-order-1"))).status).toBe(202);
    const second = await repo.commit({
      files: { "deploy/app.yaml": appManifests({ namespace: ns, configMaps: ["settings", "more"] }) },
      author: { name: "Dev Eloper", email: "dev@example.com" },
    });
    const newBody = githubPush(repo, second);
    expect((await deliver(newBody, signedGithub(newBody, secret, "gh-order-2"))).status).toBe(202);
    expect((await db().repoBinding.findUniqueOrThrow({ where: { id: bindings[0]!.id } })).lastCommitSha).toBe(second);

    // The delivery id header is not signed: the same body with a fresh id is still the same delivery.
    const replay = await deliver(oldBody, signedGithub(oldBody, secret, "gh-order-3-fresh-id"));
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ ignored: "replay" });
    // A different body naming the older commit (or the same one again) is signed correctly but is not newer.
    for (const [sha, id] of [
      [first, "gh-order-4"],
      [second, "gh-order-5"],
    ] as const) {
      const body = { ...githubPush(repo, sha), head_commit: { id: sha, message: `again ${id}` } };
      const res = await deliver(body, signedGithub(body, secret, id));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ignored: "not newer",
        notNewer: [{ bindingId: bindings[0]!.id, lastCommitSha: second }],
      });
    }
    const deployments = await deploymentsOf(targets[0]!.targetId);
    expect(deployments.map((d) => d.commitSha).sort()).toEqual([first, second].sort());
    expect((await db().repoBinding.findUniqueOrThrow({ where: { id: bindings[0]!.id } })).lastCommitSha).toBe(second);
    const rejected = await db().auditEvent.findMany({
      where: { action: "webhook.rejected", subjectId: { in: ["github:gh-order-4", "github:gh-order-5"] } },
    });
    expect(rejected.map((r) => r.outcome)).toEqual(["denied", "denied"]);

    // A binding from before lastCommitSha existed orders against its newest webhook request instead.
    await db().repoBinding.update({ where: { id: bindings[0]!.id }, data: { lastCommitSha: null } });
    const legacy = { ...githubPush(repo, first), head_commit: { id: first, message: "after the upgrade" } };
    expect((await deliver(legacy, signedGithub(legacy, secret, "gh-order-6"))).body).toMatchObject({
      ignored: "not newer",
      notNewer: [{ lastCommitSha: second }],
    });
    expect(await deploymentsOf(targets[0]!.targetId)).toHaveLength(2);
  });

  it("a force-push is taken only when the payload says forced and the commit is the branch head now", async () => {
    const { repo, ns, targets, sha: first, bindings } = await setup();
    const secret = bindings[0]!.secret;
    const a = githubPush(repo, first);
    expect((await deliver(a, signedGithub(a, secret, "gh-force-1"))).status).toBe(202);
    const second = await repo.commit({
      files: { "deploy/app.yaml": appManifests({ namespace: ns, configMaps: ["settings", "two"] }) },
      author: { name: "Dev Eloper", email: "dev@example.com" },
    });
    const b = githubPush(repo, second);
    expect((await deliver(b, signedGithub(b, secret, "gh-force-2"))).status).toBe(202);

    // Claimed as forced, but the branch head is still the second commit: refused.
    const early = githubPush(repo, first, { forced: true });
    expect((await deliver(early, signedGithub(early, secret, "gh-force-3"))).body).toMatchObject({
      ignored: "not newer",
    });

    // The branch really is reset to the first commit: the forced push is deployed, an unforced one is not.
    execFileSync("git", ["reset", "--quiet", "--hard", first], { cwd: repo.dir });
    const unforced = { ...githubPush(repo, first), head_commit: { id: first, message: "unforced" } };
    expect((await deliver(unforced, signedGithub(unforced, secret, "gh-force-4"))).body).toMatchObject({
      ignored: "not newer",
    });
    const forced = { ...githubPush(repo, first, { forced: true }), head_commit: { id: first, message: "forced" } };
    const res = await deliver(forced, signedGithub(forced, secret, "gh-force-5"));
    expect(res.status).toBe(202);
    expect((await db().repoBinding.findUniqueOrThrow({ where: { id: bindings[0]!.id } })).lastCommitSha).toBe(first);
    expect(await deploymentsOf(targets[0]!.targetId)).toHaveLength(3);

    // Later, the branch moves on from there; the old forced body replayed (re-signed, new id) is stale again.
    const third = await repo.commit({
      files: { "deploy/app.yaml": appManifests({ namespace: ns, configMaps: ["settings", "three"] }) },
      author: { name: "Dev Eloper", email: "dev@example.com" },
    });
    const c = githubPush(repo, third);
    expect((await deliver(c, signedGithub(c, secret, "gh-force-6"))).status).toBe(202);
    const replayed = { ...forced, head_commit: { id: first, message: "forced, replayed" } };
    expect((await deliver(replayed, signedGithub(replayed, secret, "gh-force-7"))).body).toMatchObject({
      ignored: "not newer",
    });
    expect(await deploymentsOf(targets[0]!.targetId)).toHaveLength(4);
  });

  it("GitLab token mode: the same ordering rule (an older commit under a new event UUID is not newer)", async () => {
    const { repo, ns, targets, sha: first, bindings } = await setup();
    const gitlab = (sha: string, note: string) => ({
      object_kind: "push",
      ref: "refs/heads/main",
      checkout_sha: sha,
      after: sha,
      user_name: "Gitlab User",
      project: { git_http_url: repo.url },
      commits: [{ id: sha, message: note }],
    });
    const headers = (uuid: string) => ({
      "x-gitlab-event": "Push Hook",
      "x-gitlab-event-uuid": uuid,
      "x-gitlab-token": bindings[0]!.secret,
    });
    expect((await deliver(gitlab(first, "one"), headers("gl-order-1"))).status).toBe(202);
    const second = await repo.commit({
      files: { "deploy/app.yaml": appManifests({ namespace: ns, configMaps: ["settings", "gl"] }) },
      author: { name: "Dev Eloper", email: "dev@example.com" },
    });
    expect((await deliver(gitlab(second, "two"), headers("gl-order-2"))).status).toBe(202);
    expect((await deliver(gitlab(first, "one"), headers("gl-order-3"))).body).toMatchObject({ ignored: "replay" });
    expect((await deliver(gitlab(first, "one, re-sent"), headers("gl-order-4"))).body).toMatchObject({
      ignored: "not newer",
    });
    expect((await deploymentsOf(targets[0]!.targetId)).map((d) => d.commitSha).sort()).toEqual([first, second].sort());
  });

  it("GitLab style: X-Gitlab-Token is the secret itself; event UUID is the delivery id", async () => {
    const { repo, targets, sha, bindings } = await setup();
    const body = {
      object_kind: "push",
      ref: "refs/heads/main",
      checkout_sha: sha,
      after: sha,
      user_name: "Gitlab User",
      project: { git_http_url: `${repo.url}.git`, web_url: "https://gitlab.example/team/app" },
      commits: [{ id: sha, message: "Ship settings" }],
    };
    const wrong = await deliver(body, {
      "x-gitlab-event": "Push Hook",
      "x-gitlab-event-uuid": "gl-1",
      "x-gitlab-token": "wrong",
    });
    expect(wrong.status).toBe(401);
    const ok = await deliver(body, {
      "x-gitlab-event": "Push Hook",
      "x-gitlab-event-uuid": "gl-1",
      "x-gitlab-token": bindings[0]!.secret,
    });
    expect(ok.status).toBe(202);
    const replay = await deliver(body, {
      "x-gitlab-event": "Push Hook",
      "x-gitlab-event-uuid": "gl-1",
      "x-gitlab-token": bindings[0]!.secret,
    });
    expect(replay.body).toMatchObject({ ignored: "replay" });
    const deployments = await deploymentsOf(targets[0]!.targetId);
    expect(deployments).toHaveLength(1);
    expect(deployments[0]!.reason).toMatch(/by Gitlab User/);
  });

  it("pushes to other branches and non-push events are acknowledged and ignored", async () => {
    const { repo, targets, sha, bindings } = await setup();
    const other = githubPush(repo, sha, { branch: "feature" });
    expect((await deliver(other, signedGithub(other, bindings[0]!.secret, "gh-branch"))).body).toMatchObject({
      ignored: "no binding for this branch",
    });
    const ping = { zen: "hi", repository: { clone_url: repo.url } };
    const raw = JSON.stringify(ping);
    const res = await deliver(ping, {
      "x-github-event": "ping",
      "x-github-delivery": "gh-ping",
      "x-hub-signature-256": githubSignature(bindings[0]!.secret, raw),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ignored: "event" });
    expect(await deploymentsOf(targets[0]!.targetId)).toHaveLength(0);
  });
});

describe("repository bindings API", () => {
  it("refuses, with 422 on repoUrl, a push binding to a file:// path outside WHARF_GIT_LOCAL_ROOTS and URLs with credentials", async () => {
    const target = await createSandboxPushTarget(cluster, { databaseUrl: t.url });
    const path = `/api/targets/${target.targetId}/repo-bindings`;
    const create = (repoUrl: string) =>
      callRoute(bindingsRoute.POST, {
        method: "POST",
        path,
        params: { id: target.targetId },
        body: { repoUrl, branch: "main" },
        as: admin,
      });
    const saved = process.env.WHARF_GIT_LOCAL_ROOTS;
    try {
      delete process.env.WHARF_GIT_LOCAL_ROOTS;
      resetEnvCache();
      // Wharf's own checkout, and a path that does not exist: refused alike.
      const own = await create(`file://${process.cwd()}`);
      const missing = await create(`file://${process.cwd()}/no/such/repo`);
      expect([own.status, missing.status]).toEqual([422, 422]);
      expect(own.body.error.fields.repoUrl).toEqual(missing.body.error.fields.repoUrl);
      for (const url of ["https://user:pass@git.example.com/a.git", "https://ghp_token@git.example.com/a.git"]) {
        const res = await create(url);
        expect(res.status).toBe(422);
        expect(Object.keys(res.body.error.fields)).toEqual(["repoUrl"]);
      }
      process.env.WHARF_GIT_LOCAL_ROOTS = git.baseDir;
      resetEnvCache();
      const repo = await git.createRepo(`local-${Date.now()}`);
      expect((await create(repo.fileUrl)).status).toBe(201);
    } finally {
      if (saved === undefined) delete process.env.WHARF_GIT_LOCAL_ROOTS;
      else process.env.WHARF_GIT_LOCAL_ROOTS = saved;
      resetEnvCache();
    }
    expect(await db().repoBinding.count({ where: { targetId: target.targetId } })).toBe(1);
  });

  it("creates (secret shown once), lists without secrets, refuses duplicates and non-admins, deletes", async () => {
    const target = await createSandboxPushTarget(cluster, { databaseUrl: t.url });
    const path = `/api/targets/${target.targetId}/repo-bindings`;
    const created = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path,
      params: { id: target.targetId },
      body: { repoUrl: "https://git.example.com/team/app.git", branch: "main" },
      as: admin,
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body.webhookUrl).toMatch(/\/api\/webhooks\/git$/);
    expect(created.body.binding).toMatchObject({
      repoUrl: "https://git.example.com/team/app.git",
      branch: "main",
      path: ".",
    });

    const row = await db().repoBinding.findUniqueOrThrow({ where: { id: created.body.binding.id } });
    expect(row.secretCiphertext).not.toContain(created.body.secret);

    const dup = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path,
      params: { id: target.targetId },
      body: { repoUrl: "https://GIT.example.com/team/app", branch: "main" },
      as: admin,
    });
    expect(dup.status).toBe(409);

    const list = await callRoute(bindingsRoute.GET, { path, params: { id: target.targetId }, as: admin });
    expect(list.status).toBe(200);
    expect(list.body.bindings).toHaveLength(1);
    expect(list.text).not.toContain(created.body.secret);

    const deployer = await createCaller("deployer");
    expect((await callRoute(bindingsRoute.GET, { path, params: { id: target.targetId }, as: deployer })).status).toBe(
      403,
    );

    const bad = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path,
      params: { id: target.targetId },
      body: { repoUrl: "ext::sh -c evil", branch: "--upload-pack=x" },
      as: admin,
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["branch", "repoUrl"]);

    const id = created.body.binding.id as string;
    const del = await callRoute(bindingRoute.DELETE, {
      method: "DELETE",
      path: `${path}/${id}`,
      params: { id: target.targetId, bindingId: id },
      as: admin,
    });
    expect(del.status).toBe(204);
    expect(await db().repoBinding.count({ where: { targetId: target.targetId } })).toBe(0);
    const actions = (await db().auditEvent.findMany({ where: { subjectId: id } })).map((a) => a.action).sort();
    expect(actions).toEqual(["repo-binding.created", "repo-binding.deleted"]);
    expect(JSON.stringify(await db().auditEvent.findMany({ where: { subjectId: id } }))).not.toContain(
      created.body.secret,
    );
  });
});
