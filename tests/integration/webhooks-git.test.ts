import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as bindingRoute from "@/app/api/targets/[id]/repo-bindings/[bindingId]/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as webhookRoute from "@/app/api/webhooks/git/route";
import { dbFor } from "@/lib/db/client";
import { githubSignature } from "@/lib/deployments/webhooks";
import { startSandbox, type Sandbox } from "@/lib/kube/sandbox";
import { callRoute, createCaller, type Caller } from "../support/api";
import { startGitServer, type GitServer, type TestRepo } from "../support/git-server";
import { appManifests } from "../support/executor";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let sandbox: Sandbox;
let git: GitServer;
let admin: Caller;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, rolloutDelayMs: 200 });
  git = await startGitServer();
  admin = await createCaller("admin");
});

afterAll(async () => {
  await git?.stop();
  await sandbox?.stop();
});

const db = () => dbFor(t.url);
let repoCount = 0;

async function setup(opts: { targets?: number; requiredApprovals?: number } = {}) {
  const repo = await git.createRepo(`app-${++repoCount}-${Date.now()}`);
  const targets: SandboxPushTarget[] = [];
  for (let i = 0; i < (opts.targets ?? 1); i++) {
    targets.push(await createSandboxPushTarget(sandbox, { databaseUrl: t.url, namespaces: ["shop"], requiredApprovals: opts.requiredApprovals ?? 1 }));
  }
  const sha = await repo.commit({
    files: { "deploy/app.yaml": appManifests({ namespace: "shop", configMaps: ["settings"] }) },
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
  return { repo, targets, sha, bindings };
}

function githubPush(repo: TestRepo, sha: string, opts: { branch?: string; cloneUrl?: string } = {}) {
  return {
    ref: `refs/heads/${opts.branch ?? "main"}`,
    before: "0".repeat(40),
    after: sha,
    deleted: false,
    repository: { full_name: "team/app", clone_url: opts.cloneUrl ?? repo.url, html_url: "https://github.example/team/app" },
    pusher: { name: "octocat", email: "octo@example.com" },
    head_commit: { id: sha, message: "Ship settings\n\nlonger body" },
  };
}

async function deliver(body: unknown, headers: Record<string, string>) {
  const raw = JSON.stringify(body);
  return callRoute(webhookRoute.POST, { method: "POST", path: "/api/webhooks/git", body: raw, headers: { "content-type": "application/json", ...headers } });
}

function signedGithub(body: unknown, secret: string, delivery: string) {
  const raw = JSON.stringify(body);
  return { "x-github-event": "push", "x-github-delivery": delivery, "x-hub-signature-256": githubSignature(secret, raw) };
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
    expect(created).toMatchObject({ sourceKind: "git", commitSha: sha, gitPath: "deploy", gitUrl: repo.url, state: "pending-approval", commitAuthorEmail: "dev@example.com" });
    expect(created!.reason).toMatch(/Push to main by octocat .*Ship settings$/);
    expect(created!.requestedByName).toMatch(/github webhook \(push by octocat\)/);
    expect(await deploymentsOf(targets[1]!.targetId)).toHaveLength(0);
    const accepted = await db().auditEvent.findMany({ where: { action: "webhook.accepted", subjectId: "github:gh-delivery-1" } });
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
    const tampered = await deliver({ ...body, after: "f".repeat(40) }, signedGithub(body, bindings[0]!.secret, "gh-bad-3"));
    expect(tampered.status).toBe(401);
    expect(await deploymentsOf(targets[0]!.targetId)).toHaveLength(0);
    expect(await db().webhookDelivery.count({ where: { id: { in: ["github:gh-bad-1", "github:gh-bad-2", "github:gh-bad-3"] } } })).toBe(0);
    const rejected = await db().auditEvent.findMany({ where: { action: "webhook.rejected", targetId: targets[0]!.targetId } });
    expect(rejected.map((r) => JSON.parse(r.details).reason).sort()).toEqual(["bad signature", "bad signature", "missing signature"]);
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
    const wrong = await deliver(body, { "x-gitlab-event": "Push Hook", "x-gitlab-event-uuid": "gl-1", "x-gitlab-token": "wrong" });
    expect(wrong.status).toBe(401);
    const ok = await deliver(body, { "x-gitlab-event": "Push Hook", "x-gitlab-event-uuid": "gl-1", "x-gitlab-token": bindings[0]!.secret });
    expect(ok.status).toBe(202);
    const replay = await deliver(body, { "x-gitlab-event": "Push Hook", "x-gitlab-event-uuid": "gl-1", "x-gitlab-token": bindings[0]!.secret });
    expect(replay.body).toMatchObject({ ignored: "replay" });
    const deployments = await deploymentsOf(targets[0]!.targetId);
    expect(deployments).toHaveLength(1);
    expect(deployments[0]!.reason).toMatch(/by Gitlab User/);
  });

  it("pushes to other branches and non-push events are acknowledged and ignored", async () => {
    const { repo, targets, sha, bindings } = await setup();
    const other = githubPush(repo, sha, { branch: "feature" });
    expect((await deliver(other, signedGithub(other, bindings[0]!.secret, "gh-branch"))).body).toMatchObject({ ignored: "no binding for this branch" });
    const ping = { zen: "hi", repository: { clone_url: repo.url } };
    const raw = JSON.stringify(ping);
    const res = await deliver(ping, { "x-github-event": "ping", "x-github-delivery": "gh-ping", "x-hub-signature-256": githubSignature(bindings[0]!.secret, raw) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ignored: "event" });
    expect(await deploymentsOf(targets[0]!.targetId)).toHaveLength(0);
  });
});

describe("repository bindings API", () => {
  it("creates (secret shown once), lists without secrets, refuses duplicates and non-admins, deletes", async () => {
    const target = await createSandboxPushTarget(sandbox, { databaseUrl: t.url });
    const path = `/api/targets/${target.targetId}/repo-bindings`;
    const created = await callRoute(bindingsRoute.POST, { method: "POST", path, params: { id: target.targetId }, body: { repoUrl: "https://git.example.com/team/app.git", branch: "main" }, as: admin });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body.webhookUrl).toMatch(/\/api\/webhooks\/git$/);
    expect(created.body.binding).toMatchObject({ repoUrl: "https://git.example.com/team/app.git", branch: "main", path: "." });

    const row = await db().repoBinding.findUniqueOrThrow({ where: { id: created.body.binding.id } });
    expect(row.secretCiphertext).not.toContain(created.body.secret);

    const dup = await callRoute(bindingsRoute.POST, { method: "POST", path, params: { id: target.targetId }, body: { repoUrl: "https://GIT.example.com/team/app", branch: "main" }, as: admin });
    expect(dup.status).toBe(409);

    const list = await callRoute(bindingsRoute.GET, { path, params: { id: target.targetId }, as: admin });
    expect(list.status).toBe(200);
    expect(list.body.bindings).toHaveLength(1);
    expect(list.text).not.toContain(created.body.secret);

    const deployer = await createCaller("deployer");
    expect((await callRoute(bindingsRoute.GET, { path, params: { id: target.targetId }, as: deployer })).status).toBe(403);

    const bad = await callRoute(bindingsRoute.POST, { method: "POST", path, params: { id: target.targetId }, body: { repoUrl: "ext::sh -c evil", branch: "--upload-pack=x" }, as: admin });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["branch", "repoUrl"]);

    const id = created.body.binding.id as string;
    const del = await callRoute(bindingRoute.DELETE, { method: "DELETE", path: `${path}/${id}`, params: { id: target.targetId, bindingId: id }, as: admin });
    expect(del.status).toBe(204);
    expect(await db().repoBinding.count({ where: { targetId: target.targetId } })).toBe(0);
    const actions = (await db().auditEvent.findMany({ where: { subjectId: id } })).map((a) => a.action).sort();
    expect(actions).toEqual(["repo-binding.created", "repo-binding.deleted"]);
    expect(JSON.stringify(await db().auditEvent.findMany({ where: { subjectId: id } }))).not.toContain(created.body.secret);
  });
});
