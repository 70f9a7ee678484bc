import "reflect-metadata";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as applicationsRoute from "@/app/api/applications/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as webhookRoute from "@/app/api/webhooks/git/route";
import { dbFor } from "@/lib/db/client";
import { manifestsTextOf } from "@/lib/deployments/stored-manifests";
import { runOnce } from "@/lib/deployments/executor";
import { githubSignature } from "@/lib/deployments/webhooks";
import { createKubeClient, kubeConfigFor, type KubeClient } from "@/lib/kube";
import { HttpMethod } from "@kubernetes/client-node";
import { callRoute, createCaller, type Caller } from "../support/api";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { startGitServer, type GitServer, type TestRepo } from "../support/git-server";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { HELM_CHART, KUSTOMIZE_OVERLAY } from "../support/render-fixtures";
import { useTestDatabase } from "../support/test-db";

// Issue 14, Must 4 (push): a push deployment of an application renders with the application's render options (kind,
// release name, values files, inline values, chart repositories) and the target's discovery (--kube-version,
// --api-versions), then deploys what was rendered. Needs the helm and kustomize (or kubectl) of `npm run cluster:build`.

const t = useTestDatabase();
const db = () => dbFor(t.url);
const settings = { leaseMs: 10_000, rolloutTimeoutMs: 15_000, processId: "push-render-options" };
let cluster: TestCluster;
let admin: KubeClient;
let git: GitServer;
let repo: TestRepo;
let target: SandboxPushTarget;
let deployer: Caller;

/** A chart whose dependency is vendored in charts/ (rendered without fetching anything). */
const VENDORED_CHART: Record<string, string> = {
  "vendored/Chart.yaml": [
    "apiVersion: v2",
    "name: vendored",
    "version: 0.1.0",
    "dependencies:",
    "  - name: sub",
    "    version: 0.1.0",
    "    repository: https://charts.example.com/stable",
    "",
  ].join("\n"),
  "vendored/templates/cm.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-main\ndata:\n  part: main\n",
  "vendored/charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
  "vendored/charts/sub/templates/cm.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-sub\ndata:\n  part: sub\n",
};

/** A chart whose dependency is neither vendored nor from a repository the application lists. */
const UNLISTED_DEPENDENCY: Record<string, string> = {
  "deps/Chart.yaml": [
    "apiVersion: v2",
    "name: deps",
    "version: 0.1.0",
    "dependencies:",
    "  - name: redis",
    "    version: 19.0.0",
    "    repository: https://charts.example.com/stable",
    "",
  ].join("\n"),
  "deps/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deps\ndata:\n  a: b\n",
};

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 200 });
  admin = createKubeClient(
    kubeConfigFor({ name: "test-cluster", server: cluster.url, caPem: cluster.caPem, token: cluster.adminToken }),
  );
  git = await startGitServer();
  target = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 0 });
  deployer = await createCaller("deployer");
  repo = await git.createRepo("render-options");
  await repo.commit({
    author: { name: "Ada", email: "ada@example.com" },
    files: { ...KUSTOMIZE_OVERLAY, ...HELM_CHART, ...VENDORED_CHART, ...UNLISTED_DEPENDENCY },
  });
});

afterAll(async () => {
  await admin?.close();
  await git?.stop();
  await cluster?.stop();
});

async function createApplication(name: string, path: string, renderOptions: unknown): Promise<string> {
  const res = await callRoute(applicationsRoute.POST, {
    method: "POST",
    path: "/api/applications",
    body: {
      name,
      targetId: target.targetId,
      source: { kind: "git", repoUrl: repo.url, ref: "main", path },
      renderOptions,
    },
    as: deployer,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

function request(application: string, path: string) {
  return callRoute(deploymentsRoute.POST, {
    method: "POST",
    path: "/api/deployments",
    body: { targetId: target.targetId, application, source: { kind: "git", url: repo.url, ref: "main", path } },
    as: deployer,
  });
}

/** Requests (no approvals on this target, so it is queued at once) and runs it; returns the request's body. */
async function deploy(application: string, path: string) {
  const res = await request(application, path);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.state).toBe("queued");
  const outcome = await runOnce(settings);
  expect(outcome?.deploymentId).toBe(res.body.id);
  const row = await db().deployment.findUniqueOrThrow({ where: { id: res.body.id } });
  expect(row.state, row.resultMessage ?? "").toBe("succeeded");
  return res.body as { id: string; manifestsDigest: string; manifests: string; preview: { notes?: string[] } | null };
}

const liveData = async (name: string) =>
  (await admin.get({ apiVersion: "v1", kind: "ConfigMap", namespace: target.namespaces[0]!, name }))?.data as
    Record<string, string> | undefined;

describe("push deployments render with the application's render options", () => {
  it(
    "deploys a Helm chart with a values file and the target's versions, and re-renders on a values change",
    { timeout: 120_000 },
    async () => {
      const appId = await createApplication("web-prod", "charts/web", {
        kind: "helm",
        helm: { releaseName: "shop", valuesFiles: ["values-prod.yaml"] },
      });
      const first = await deploy("web-prod", "charts/web");
      // The release name is the application's, the namespace the target's, and values-prod.yaml overrides values.yaml.
      const live = await liveData("shop-config");
      expect(live?.greeting).toBe("hello from prod");
      expect(live?.color).toBe("blue");
      // --kube-version from the target's /version (Helm's own default would be another version).
      const { body: version } = await admin.request<{ gitVersion: string }>(HttpMethod.GET, "/version");
      expect(live?.kubeVersion).toBe(version.gitVersion);
      expect(live?.monitoring).toBe("false");
      expect(first.preview?.notes).toBeUndefined();
      // The discovery decrypted the target's credential, audited like every other use.
      const decrypts = await db().auditEvent.findMany({
        where: { action: "credential.decrypted", targetId: target.targetId },
      });
      expect(decrypts.some((e) => JSON.parse(e.details).purpose === "render")).toBe(true);

      // A change of the application's inline values is a new render: a new digest, and the new value applied.
      await db().application.update({
        where: { id: appId },
        data: {
          renderOptions: JSON.stringify({
            kind: "helm",
            helm: { releaseName: "shop", valuesFiles: ["values-prod.yaml"], values: { greeting: "hello again" } },
          }),
        },
      });
      const second = await deploy("web-prod", "charts/web");
      expect(second.manifestsDigest).not.toBe(first.manifestsDigest);
      expect((await liveData("shop-config"))?.greeting).toBe("hello again");
    },
  );

  it("deploys a kustomize overlay whose base is ../../base", { timeout: 60_000 }, async () => {
    await createApplication("overlay", "overlays/prod", { kind: "kustomize" });
    const done = await deploy("overlay", "overlays/prod");
    expect(done.manifests).toContain("# Source: overlays/prod/kustomization.yaml (rendered)");
    const live = await admin.get({
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: target.namespaces[0]!,
      name: "prod-settings",
    });
    expect(live?.data).toEqual({ mode: "base" });
    expect(live?.metadata?.labels?.env).toBe("prod");
  });

  it("renders a chart whose dependency is vendored in charts/", async () => {
    await createApplication("vendored", "vendored", { kind: "auto" });
    const res = await request("vendored", "vendored");
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.objects.map((o: { name: string }) => o.name).sort()).toEqual(["vendored-main", "vendored-sub"]);
    // Queued at once on this target; run it so the next test's executor picks up its own deployment.
    expect((await runOnce(settings))?.deploymentId).toBe(res.body.id);
  });

  it("refuses a dependency from a repository the application does not list, naming it (422)", async () => {
    await createApplication("deps", "deps", { kind: "auto" });
    const res = await request("deps", "deps");
    expect(res.status).toBe(422);
    const message: string = res.body.error.fields["source.path"][0];
    expect(message).toContain("deps/Chart.yaml");
    expect(message).toContain("redis (https://charts.example.com/stable)");
    expect(message).toMatch(/vendor it there .* or list the chart repository in the application/);
    expect(JSON.stringify(res.body)).not.toContain("[object Object]");
    expect(await db().deployment.count({ where: { application: { name: "deps" } } })).toBe(0);
  });

  it("fetches a dependency from a chart repository the application lists", { timeout: 60_000 }, async () => {
    // A chart repository on loopback: one packaged chart and its index, as `helm package` and `helm repo index` make.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-chart-repo-"));
    const server = http.createServer((req, res) => {
      const file = path.join(dir, path.basename(req.url ?? "/"));
      if (!fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const chart = path.join(dir, "src", "remote-sub");
      fs.mkdirSync(path.join(chart, "templates"), { recursive: true });
      fs.writeFileSync(path.join(chart, "Chart.yaml"), "apiVersion: v2\nname: remote-sub\nversion: 0.2.0\n");
      fs.writeFileSync(
        path.join(chart, "templates", "cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-remote\ndata:\n  from: repository\n",
      );
      execFileSync("helm", ["package", chart, "--destination", dir], { stdio: "pipe" });
      execFileSync("helm", ["repo", "index", dir, "--url", url], { stdio: "pipe" });
      fs.rmSync(path.join(dir, "src"), { recursive: true });

      const fetchedChart = {
        "fetched/Chart.yaml": [
          "apiVersion: v2",
          "name: fetched",
          "version: 0.1.0",
          "dependencies:",
          "  - name: remote-sub",
          "    version: 0.2.0",
          `    repository: ${url}`,
          "",
        ].join("\n"),
        "fetched/templates/cm.yaml":
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-main\ndata:\n  part: main\n",
      };
      await repo.commit({ author: { name: "Ada", email: "ada@example.com" }, files: fetchedChart, message: "Fetched" });
      await createApplication("fetched", "fetched", {
        kind: "helm",
        helm: { repositories: [{ name: "local", url }] },
      });
      const res = await request("fetched", "fetched");
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.objects.map((o: { name: string }) => o.name).sort()).toEqual(["fetched-main", "fetched-remote"]);
      expect(res.body.manifests).toContain("from: repository");
      // Queued at once on this target: run it, so later runs of this file pick up their own deployments.
      expect((await runOnce(settings))?.deploymentId).toBe(res.body.id);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("renders without the target's versions when its cluster does not answer, and says so with the preview", async () => {
    const down = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    // Nothing listens on port 1: discovery (and then the preview) find no cluster.
    await db().target.update({ where: { id: down.targetId }, data: { serverUrl: "https://127.0.0.1:1" } });
    const res = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: { targetId: down.targetId, source: { kind: "git", url: repo.url, ref: "main", path: "charts/web" } },
      as: deployer,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.manifests).toContain("name: web-config");
    expect(res.body.previewError).toContain("Rendered without the target's Kubernetes version and API versions");
    const logs = await db().deploymentLog.findMany({ where: { deploymentId: res.body.id } });
    expect(logs.map((l) => l.message).join("\n")).toContain("did not answer its discovery");
  });

  it("renders a webhook push of a binding with its application's render options", async () => {
    const bound = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
    const admin = await createCaller("admin");
    const binding = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path: `/api/targets/${bound.targetId}/repo-bindings`,
      params: { id: bound.targetId },
      body: { repoUrl: repo.url, branch: "main", path: "charts/web" },
      as: admin,
    });
    expect(binding.status, JSON.stringify(binding.body)).toBe(201);
    const row = await db().repoBinding.findUniqueOrThrow({ where: { id: binding.body.binding.id } });
    await db().application.update({
      where: { id: row.applicationId! },
      data: {
        renderOptions: JSON.stringify({
          kind: "helm",
          helm: { releaseName: "hooked", valuesFiles: ["values-prod.yaml"], values: { color: "green" } },
        }),
      },
    });
    const sha = await repo.commit({
      author: { name: "Ada", email: "ada@example.com" },
      files: { "README.md": "webhook\n" },
      message: "Touch",
    });
    const body = JSON.stringify({
      ref: "refs/heads/main",
      before: "0".repeat(40),
      after: sha,
      deleted: false,
      forced: false,
      repository: { full_name: "team/app", clone_url: repo.url, html_url: "https://github.example/team/app" },
      pusher: { name: "octocat", email: "octo@example.com" },
      head_commit: { id: sha, message: "Touch" },
    });
    const res = await callRoute(webhookRoute.POST, {
      method: "POST",
      path: "/api/webhooks/git",
      body,
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": `render-${sha}`,
        "x-hub-signature-256": githubSignature(binding.body.secret, body),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const [created] = await db().deployment.findMany({ where: { targetId: bound.targetId } });
    expect(created?.applicationId).toBe(row.applicationId);
    const createdText = created ? manifestsTextOf(created) : "";
    expect(createdText).toContain("name: hooked-config");
    expect(createdText).toContain('greeting: "hello from prod"');
    expect(createdText).toContain('color: "green"');
  });

  it("takes the render kind as given: plain skips detection, helm and kustomize need their file", async () => {
    await createApplication("as-plain", "overlays/prod", { kind: "plain" });
    const plain = await request("as-plain", "overlays/prod");
    // Read as YAML files, the kustomization is not a Kubernetes object.
    expect(plain.status).toBe(422);
    expect(JSON.stringify(plain.body.error.fields)).toContain("overlays/prod/kustomization.yaml");

    await createApplication("not-a-chart", "overlays/prod", { kind: "helm" });
    const helm = await request("not-a-chart", "overlays/prod");
    expect(helm.status).toBe(422);
    expect(helm.body.error.fields["source.path"][0]).toBe(
      'The application renders "overlays/prod" with Helm, and it has no Chart.yaml.',
    );

    await createApplication("not-kustomize", "charts/web", { kind: "kustomize" });
    const kustomize = await request("not-kustomize", "charts/web");
    expect(kustomize.status).toBe(422);
    expect(kustomize.body.error.fields["source.path"][0]).toBe(
      'The application renders "charts/web" with kustomize, and it has no kustomization.yaml.',
    );
  });
});
