import "reflect-metadata";
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import * as applicationRoute from "@/app/api/applications/[id]/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as webhookRoute from "@/app/api/webhooks/git/route";
import { requestDeployment } from "@/lib/deployments/data/request-deployment";
import { manifestsTextOf } from "@/lib/deployments/stored-manifests";
import { githubSignature } from "@/lib/deployments/webhooks";
import { AppError } from "@/lib/errors";
import { callRoute, createCaller, type Caller } from "../support/api";
import { useExecutorFixture } from "../support/executor-fixture";
import { startGitServer, type GitServer, type TestRepo } from "../support/git-server";
import { createPullTarget } from "../support/pull";
import type { SandboxPushTarget } from "../support/push-target";
import { HELM_CHART } from "../support/render-fixtures";
import { useTestDatabase } from "../support/test-db";

// Issue 14, Must 1: a push webhook binding belongs to an application and follows it. A binding made for an
// application deploys the application's current Git source (ref, path) with its render options, into it, and only
// pushes to its ref; a PATCH of the application's source moves the binding with it. Both DB projects, and the
// executor's cluster of each (sandbox with SQLite, the real control plane with PostgreSQL).

const t = useTestDatabase();
const fx = useExecutorFixture(t);
const db = fx.db;
let git: GitServer;
let admin: Caller;
let deployer: Caller;

/** A second chart at charts/api: the same values, a ConfigMap named <release>-api, so a deployed path is visible. */
const API_CHART: Record<string, string> = Object.fromEntries(
  Object.entries(HELM_CHART).map(([file, content]) => [
    file.replace("charts/web/", "charts/api/"),
    content.replace("name: web\n", "name: api\n").replace("{{ .Release.Name }}-config", "{{ .Release.Name }}-api"),
  ]),
);

const AUTHOR = { name: "Ada", email: "ada@example.com" };

beforeAll(async () => {
  git = await startGitServer();
  [admin, deployer] = await Promise.all([createCaller("admin"), createCaller("deployer")]);
});
afterAll(async () => {
  await git?.stop();
});

async function createApplication(opts: {
  targetId: string;
  name: string;
  repoUrl: string;
  path: string;
  ref?: string;
  renderOptions?: unknown;
}): Promise<string> {
  const res = await callRoute(applicationsRoute.POST, {
    method: "POST",
    path: "/api/applications",
    body: {
      name: opts.name,
      targetId: opts.targetId,
      source: { kind: "git", repoUrl: opts.repoUrl, ref: opts.ref ?? "main", path: opts.path },
      ...(opts.renderOptions ? { renderOptions: opts.renderOptions } : {}),
    },
    as: deployer,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const bind = (targetId: string, body: Record<string, unknown>) =>
  callRoute(bindingsRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/repo-bindings`,
    params: { id: targetId },
    body,
    as: admin,
  });

const listBindings = (targetId: string) =>
  callRoute(bindingsRoute.GET, {
    method: "GET",
    path: `/api/targets/${targetId}/repo-bindings`,
    params: { id: targetId },
    as: admin,
  });

const patchApplication = (id: string, body: Record<string, unknown>) =>
  callRoute(applicationRoute.PATCH, {
    method: "PATCH",
    path: `/api/applications/${id}`,
    params: { id },
    body,
    as: admin,
  });

/** A GitHub push of `sha` to `branch`, signed with the binding's secret. */
function push(repo: TestRepo, opts: { sha: string; secret: string; branch?: string }) {
  const raw = JSON.stringify({
    ref: `refs/heads/${opts.branch ?? "main"}`,
    before: "0".repeat(40),
    after: opts.sha,
    deleted: false,
    forced: false,
    repository: { full_name: "team/app", clone_url: repo.url, html_url: "https://github.example/team/app" },
    pusher: { name: "octocat", email: "octo@example.com" },
    head_commit: { id: opts.sha, message: "change" },
  });
  return callRoute(webhookRoute.POST, {
    method: "POST",
    path: "/api/webhooks/git",
    body: raw,
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": `bind-app-${opts.sha}-${opts.branch ?? "main"}`,
      "x-hub-signature-256": githubSignature(opts.secret, raw),
    },
  });
}

/** Pushes, expects one request created and queued (no approvals), runs it and expects success; returns its row. */
async function pushAndRun(repo: TestRepo, opts: { sha: string; secret: string; branch?: string }) {
  const res = await push(repo, opts);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const [result] = res.body.deployments as { deploymentId?: string; error?: unknown }[];
  expect(result?.error).toBeUndefined();
  const { row } = await fx.run(result!.deploymentId!);
  expect(row.state, row.resultMessage ?? "").toBe("succeeded");
  return row;
}

const liveData = async (target: SandboxPushTarget, name: string) =>
  (await fx.configMap(target.namespaces[0]!, name))?.data as Record<string, string> | undefined;

const RENDER = {
  kind: "helm",
  helm: { releaseName: "bound", valuesFiles: ["values-prod.yaml"], values: { color: "green" } },
};

describe("a push binding that names an application", () => {
  it(
    "deploys the application's current path with its render options, follows a PATCH of its path and ref, and only pushes to its ref",
    { timeout: 180_000 },
    async () => {
      const target = await fx.pushTarget({ requiredApprovals: 0 });
      const repo = await git.createRepo(`bind-app-${Date.now()}`);
      const c1 = await repo.commit({ author: AUTHOR, files: { ...HELM_CHART, ...API_CHART }, message: "charts" });
      const appId = await createApplication({
        targetId: target.targetId,
        name: "web",
        repoUrl: repo.url,
        path: "charts/web",
        renderOptions: RENDER,
      });

      // Bound by the application (another spelling of its URL), without a branch or path: they are the application's.
      const bound = await bind(target.targetId, { repoUrl: `${repo.url}.git`, application: "web" });
      expect(bound.status, JSON.stringify(bound.body)).toBe(201);
      expect(bound.body.binding).toMatchObject({
        branch: "main",
        path: "charts/web",
        application: { id: appId, name: "web" },
        followsApplication: true,
      });
      const secret = bound.body.secret as string;

      const first = await pushAndRun(repo, { sha: c1, secret });
      // Into the application, from its path, rendered with its release name, values file and inline values.
      expect(first).toMatchObject({ applicationId: appId, gitPath: "charts/web", commitSha: c1 });
      expect(manifestsTextOf(first)).toContain("name: bound-config");
      expect(await liveData(target, "bound-config")).toMatchObject({ greeting: "hello from prod", color: "green" });
      // The chart's render asked the target's cluster for its versions: a decrypt audited with purpose render.
      const decrypts = await db().auditEvent.findMany({
        where: { action: "credential.decrypted", targetId: target.targetId },
      });
      expect(decrypts.some((e) => (JSON.parse(e.details) as { purpose?: string }).purpose === "render")).toBe(true);

      // The application's path changes: the binding follows it (nothing of the binding was edited).
      const patched = await patchApplication(appId, {
        source: { kind: "git", repoUrl: repo.url, ref: "main", path: "charts/api" },
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect((await listBindings(target.targetId)).body.bindings).toEqual([
        expect.objectContaining({ id: bound.body.binding.id, branch: "main", path: "charts/api" }),
      ]);
      const c2 = await repo.commit({ author: AUTHOR, files: { "README.md": "two\n" }, message: "two" });
      const second = await pushAndRun(repo, { sha: c2, secret });
      expect(second).toMatchObject({ applicationId: appId, gitPath: "charts/api", commitSha: c2 });
      expect(manifestsTextOf(second)).toContain("name: bound-api");
      expect(manifestsTextOf(second)).not.toContain("bound-config");
      expect(await liveData(target, "bound-api")).toMatchObject({ greeting: "hello from prod", color: "green" });
      // The same application's new revision dropped the old path's ConfigMap: pruned, as its own object.
      expect(await liveData(target, "bound-config")).toBeUndefined();

      // Its ref changes to release: a push to main no longer deploys, a push to release does.
      expect(
        (
          await patchApplication(appId, {
            source: { kind: "git", repoUrl: repo.url, ref: "release", path: "charts/api" },
          })
        ).status,
      ).toBe(200);
      const c3 = await repo.commit({ author: AUTHOR, files: { "README.md": "three\n" }, message: "three" });
      const onMain = await push(repo, { sha: c3, secret });
      expect(onMain.status).toBe(200);
      expect(onMain.body).toMatchObject({ ignored: "no binding for this branch", branch: "main" });
      const c4 = await repo.commit({
        author: AUTHOR,
        branch: "release",
        files: { "charts/api/values-prod.yaml": "greeting: hello from release\n" },
        message: "release",
      });
      const onRelease = await pushAndRun(repo, { sha: c4, secret, branch: "release" });
      expect(onRelease).toMatchObject({ applicationId: appId, gitPath: "charts/api", commitSha: c4 });
      expect(await liveData(target, "bound-api")).toMatchObject({ greeting: "hello from release" });
      expect(await db().deployment.count({ where: { targetId: target.targetId } })).toBe(3);
    },
  );

  it("is refused with a 422, and nothing is created, for an unknown, pull, other-repository or non-Git application", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 0 });
    const repo = await git.createRepo(`bind-refused-${Date.now()}`);
    const other = await git.createRepo(`bind-other-${Date.now()}`);
    await repo.commit({ author: AUTHOR, files: HELM_CHART });
    await createApplication({ targetId: target.targetId, name: "elsewhere", repoUrl: other.url, path: "." });
    const manifestsApp = await callRoute(applicationsRoute.POST, {
      method: "POST",
      path: "/api/applications",
      body: { name: "pasted", targetId: target.targetId, source: { kind: "manifests" } },
      as: deployer,
    });
    expect(manifestsApp.status, JSON.stringify(manifestsApp.body)).toBe(201);
    const pull = await createPullTarget();
    await createApplication({ targetId: pull.id, name: "pulled", repoUrl: repo.url, path: "charts/web" });
    const before = {
      bindings: await db().repoBinding.count(),
      applications: await db().application.count(),
      audits: await db().auditEvent.count({ where: { action: "repo-binding.created" } }),
    };

    const cases: [string, Record<string, unknown>, RegExp][] = [
      [target.targetId, { repoUrl: repo.url, application: "nowhere" }, /has no application named nowhere/],
      [target.targetId, { repoUrl: repo.url, application: "elsewhere" }, /deploys from .*, not from this repository/],
      [target.targetId, { repoUrl: repo.url, application: "pasted" }, /has no Git source/],
      [pull.id, { repoUrl: repo.url, application: "pulled" }, /pulled is a pull application/],
    ];
    for (const [targetId, body, message] of cases) {
      const res = await bind(targetId, body);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.body.error.fields.application[0]).toMatch(message);
    }
    // A branch or path other than the application's is refused too: the binding would never deploy them.
    await createApplication({ targetId: target.targetId, name: "web", repoUrl: repo.url, path: "charts/web" });
    before.applications += 1;
    const wrongBranch = await bind(target.targetId, { repoUrl: repo.url, application: "web", branch: "develop" });
    expect(wrongBranch.status).toBe(422);
    expect(wrongBranch.body.error.fields.branch[0]).toMatch(/web deploys main/);
    // Without an application a branch is required.
    const noBranch = await bind(target.targetId, { repoUrl: repo.url });
    expect(noBranch.status).toBe(422);
    expect(noBranch.body.error.fields.branch).toBeDefined();

    expect(await db().repoBinding.count()).toBe(before.bindings);
    expect(await db().application.count()).toBe(before.applications);
    expect(await db().auditEvent.count({ where: { action: "repo-binding.created" } })).toBe(before.audits);

    // Without an application, the binding deploys into the default application, and the answer names the one whose
    // source it is exactly.
    const plain = await bind(target.targetId, { repoUrl: repo.url, branch: "main", path: "charts/web" });
    expect(plain.status, JSON.stringify(plain.body)).toBe(201);
    expect(plain.body.binding.followsApplication).toBe(false);
    expect(plain.body.binding.application.name).not.toBe("web");
    expect(plain.body.note).toMatch(/The application web has exactly this repository, branch and path/);
    // The same source bound again for the application is one push deployed twice: refused.
    const twice = await bind(target.targetId, { repoUrl: repo.url, application: "web" });
    expect(twice.status).toBe(409);
  });

  it("refuses a request that fails validation before its chart's render decrypts the target's credential", async () => {
    const target = await fx.pushTarget({ requiredApprovals: 0 });
    const elsewhere = await fx.pushTarget({ requiredApprovals: 0 });
    const repo = await git.createRepo(`bind-early-${Date.now()}`);
    await repo.commit({ author: AUTHOR, files: HELM_CHART });
    const otherApp = await createApplication({
      targetId: elsewhere.targetId,
      name: "web",
      repoUrl: repo.url,
      path: "charts/web",
    });
    const base = {
      targetId: target.targetId,
      source: { kind: "git" as const, url: repo.url, ref: "main", path: "charts/web" },
      reason: "",
      actor: { kind: "user" as const, id: deployer.userId, name: "Test deployer" },
      principal: { userId: deployer.userId, email: deployer.email, role: deployer.role, kind: "user" as const },
      request: { ip: "127.0.0.1", userAgent: "test", requestId: null },
    };
    const decrypts = () =>
      db().auditEvent.count({ where: { action: "credential.decrypted", targetId: target.targetId } });
    const refusals: [Parameters<typeof requestDeployment>[0], string][] = [
      [{ ...base, reason: "x".repeat(2001) }, "ZodError"],
      [{ ...base, emergency: { reason: "on fire" } }, "FORBIDDEN"],
      [{ ...base, applicationId: otherApp }, "NOT_FOUND"],
    ];
    for (const [opts, code] of refusals) {
      const err = await requestDeployment(opts).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err instanceof AppError ? err.code : (err as Error | null)?.name).toBe(code);
      expect(await decrypts()).toBe(0);
    }
    expect(await db().deployment.count({ where: { targetId: target.targetId } })).toBe(0);
    // The same request, valid, renders with the target's versions: one decrypt, audited.
    const ok = await requestDeployment(base);
    expect(ok.state).toBe("queued");
    expect(await decrypts()).toBeGreaterThan(0);
  });
});
