import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { startRegistry, type TestRegistry } from "@/tests/support/registry";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import type { KubeObject } from "@/lib/kube";
import { agentClusterAccess, AUTHOR, eventually, startTestAgent } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;
let registry: TestRegistry;

beforeAll(async () => {
  [kube, git, registry] = await Promise.all([
    startKube({ rolloutDelayMs: 200 }),
    startGitServer(),
    startRegistry({ auth: "token" }),
  ]);
});
afterAll(async () => {
  await Promise.all([kube?.stop(), git?.stop(), registry?.stop()]);
});

function images(deployment: KubeObject | undefined): Record<string, string> {
  const spec = deployment?.spec as
    { template: { spec: { containers: { name: string; image: string }[] } } } | undefined;
  return Object.fromEntries((spec?.template.spec.containers ?? []).map((c) => [c.name, c.image]));
}

describe("pull agent image policies against docker-registry with Bearer token auth", () => {
  it("applies the newest tag allowed by ^1 (1.2.0, not 2.0.0 or a release candidate) to the targeted container only", async () => {
    const ns = uniqueName("img");
    const image = `${registry.host}/team/${ns}`;
    for (const tag of ["1.0.0", "1.1.0", "1.2.0", "2.0.0", "1.3.0-rc.1", "latest"])
      await registry.pushImage(`team/${ns}`, tag);
    const repo = await git.createRepo(`${ns}.git`);
    const manifest = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: { name: web }",
      "spec:",
      "  selector: { matchLabels: { app: web } }",
      "  template:",
      "    metadata: { labels: { app: web } }",
      "    spec:",
      "      containers:",
      `        - { name: web, image: "${image}:1.0.0" }`,
      `        - { name: helper, image: "${image}:1.0.0" }`,
      "",
    ].join("\n");
    const sha = await repo.commit({ files: { "app.yaml": manifest }, author: AUTHOR, message: "app" });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const wharf = await startFakeWharf();
    const repoId = `repo-${ns}`;
    wharf.setTargets([
      targetAssignment({
        targetId: `t-${ns}`,
        defaultNamespace: ns,
        repos: [
          repoAssignment({
            repoId,
            url: repo.url,
            pollIntervalSeconds: 3600,
            imagePolicies: [
              {
                name: "web",
                repository: image,
                semver: "^1",
                targets: [{ kind: "Deployment", name: "web", container: "web" }],
              },
            ],
          }),
        ],
      }),
    ]);
    const agent = await startTestAgent({
      wharfUrl: wharf.url,
      credential: wharf.credential,
      kubeClient: agentClient,
      registryCredentials: { [registry.host]: registry.credentials! },
    });
    try {
      const synced = await wharf.waitForEvent((e) => e.result === "synced");
      // The chosen tag, then the digest of the repository's spec (lib/agent/spec.ts).
      expect(synced.revision).toMatchObject({
        sha,
        id: expect.stringMatching(new RegExp(`^${sha}\\+web=1\\.2\\.0@[0-9a-f]{32}$`)),
      });
      expect(synced.image).toEqual({ policy: "web", from: `${image}:1.0.0`, to: `${image}:1.2.0` });
      expect(synced.message).toContain(`image updated ${image}:1.0.0 → ${image}:1.2.0`);
      const live = await kube.client.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" });
      expect(images(live)).toEqual({ web: `${image}:1.2.0`, helper: `${image}:1.0.0` });
      expect(registry.tokenRequests()).toBeGreaterThan(0);

      // A new allowed tag is a new revision of the same commit: an image update.
      await registry.pushImage(`team/${ns}`, "1.4.0");
      await registry.pushImage(`team/${ns}`, "3.0.0");
      await agent.syncNow(repoId);
      const updated = await wharf.waitForEvent((e) => e.kind === "image-update");
      expect(updated).toMatchObject({
        trigger: "image",
        result: "synced",
        image: { from: `${image}:1.2.0`, to: `${image}:1.4.0` },
      });
      await eventually(async () => {
        const d = await kube.client.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" });
        return images(d).web === `${image}:1.4.0` ? true : undefined;
      }, "1.4.0 applied");
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });

  it("reports a failed sync when the registry refuses the agent (no credentials), applying nothing", async () => {
    const ns = uniqueName("img");
    const image = `${registry.host}/team/${ns}`;
    await registry.pushImage(`team/${ns}`, "1.0.0");
    const repo = await git.createRepo(`${ns}.git`);
    await repo.commit({
      files: { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: b }\n" },
      author: AUTHOR,
    });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const wharf = await startFakeWharf();
    wharf.setTargets([
      targetAssignment({
        targetId: `t-${ns}`,
        defaultNamespace: ns,
        repos: [
          repoAssignment({
            repoId: `repo-${ns}`,
            url: repo.url,
            imagePolicies: [{ name: "web", repository: image, semver: "^1", targets: [] }],
          }),
        ],
      }),
    ]);
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      const failed = await wharf.waitForEvent((e) => e.result === "failed");
      expect(failed.message).toMatch(/REGISTRY_AUTH_FAILED/);
      expect(await kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "c" })).toBeUndefined();
    } finally {
      await agent.stop();
      await wharf.stop();
    }
  });
});
