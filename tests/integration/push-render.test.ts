import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as deploymentsRoute from "@/app/api/deployments/route";
import { callRoute, createCaller, type Caller } from "../support/api";
import { startTestCluster, type TestCluster } from "../support/cluster";
import { startGitServer, type GitServer, type TestRepo } from "../support/git-server";
import { createSandboxPushTarget, type SandboxPushTarget } from "../support/push-target";
import { bigChart, HELM_BROKEN, HELM_CHART, KUSTOMIZE_OVERLAY } from "../support/render-fixtures";
import { useTestDatabase } from "../support/test-db";

// Push Git sources through lib/render: kustomizations and Helm charts are rendered (with the helm and kustomize
// `npm run cluster:build` builds), not read as raw YAML.

const t = useTestDatabase();
let cluster: TestCluster;
let git: GitServer;
let repo: TestRepo;
let target: SandboxPushTarget;
let deployer: Caller;

beforeAll(async () => {
  cluster = await startTestCluster({ rolloutDelayMs: 200 });
  git = await startGitServer();
  target = await createSandboxPushTarget(cluster, { databaseUrl: t.url, requiredApprovals: 1 });
  deployer = await createCaller("deployer");
  repo = await git.createRepo("rendered");
  await repo.commit({
    author: { name: "Ada", email: "ada@example.com" },
    files: { ...KUSTOMIZE_OVERLAY, ...HELM_CHART, ...HELM_BROKEN, ...bigChart() },
  });
});

afterAll(async () => {
  await git?.stop();
  await cluster?.stop();
});

function request(path: string) {
  return callRoute(deploymentsRoute.POST, {
    method: "POST",
    path: "/api/deployments",
    body: { targetId: target.targetId, source: { kind: "git", url: repo.url, ref: "main", path } },
    as: deployer,
  });
}

describe("push Git sources rendered by lib/render", () => {
  it("renders a kustomize overlay whose base is elsewhere in the repository", async () => {
    const res = await request("overlays/prod");
    expect(res.status).toBe(201);
    expect(res.body.objects.map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`)).toEqual([
      "ConfigMap/prod-settings",
    ]);
    expect(res.body.manifests).toContain("# Source: overlays/prod/kustomization.yaml (rendered)");
  });

  it("renders a Helm chart into the target's namespace, named after its folder", async () => {
    const res = await request("charts/web");
    expect(res.status).toBe(201);
    expect(res.body.objects).toEqual([
      expect.objectContaining({ kind: "ConfigMap", name: "web-config", namespace: target.namespaces[0] }),
    ]);
    expect(res.body.manifests).toContain("# Source: charts/web/templates/config.yaml");
    expect(res.body.manifests).toContain('greeting: "hello"');
  });

  it("422s on source.path naming the template file and line, never [object Object]", async () => {
    const res = await request("broken");
    expect(res.status).toBe(422);
    const message: string = res.body.error.fields["source.path"][0];
    expect(message).toMatch(/broken\/templates\/broken\.yaml:3/);
    expect(JSON.stringify(res.body)).not.toContain("[object Object]");
  });

  it("deploys a source that renders to more than 10 MB", { timeout: 300_000 }, async () => {
    const res = await request("big");
    expect(res.status).toBe(201);
    expect(res.body.objects).toHaveLength(1050);
    expect(Buffer.byteLength(res.body.manifests)).toBeGreaterThan(10 * 1024 * 1024);
  });
});
