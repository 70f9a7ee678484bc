import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentError, redactUrls } from "@/lib/agent/errors";
import { ensureDemoRepo } from "@/lib/agent/demo";
import { GitCache } from "@/lib/agent/git";
import { renderManifests } from "@/lib/agent/render";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { AUTHOR, eventually, startTestAgent } from "./agent-support";
import { startKube } from "./lib-support";

let git: GitServer;
const cacheDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "wharf-git-cache-"));

beforeAll(async () => {
  git = await startGitServer();
});
afterAll(async () => {
  await git?.stop();
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (err) {
    return err instanceof AgentError ? `${err.code}: ${err.message}` : String(err);
  }
}

describe("GitCache (real git against git daemon)", () => {
  it("reads YAML and JSON recursively at a path and revision, skipping hidden directories and other files", async () => {
    const repo = await git.createRepo("read-recursive.git");
    const first = await repo.commit({
      author: AUTHOR,
      message: "first\n\nwith a body",
      files: {
        "apps/web/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n",
        "apps/web/nested/b.json": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } }),
        "apps/web/.github/workflow.yaml": "on: push\n",
        "apps/web/README.md": "# docs",
        "apps/other/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n",
      },
    });
    const cache = new GitCache({ dir: cacheDir() });
    const commit = await cache.fetch(repo.url, "main");
    expect(commit).toMatchObject({
      sha: first,
      authorName: AUTHOR.name,
      authorEmail: AUTHOR.email,
      message: "first\n\nwith a body",
    });
    expect(commit.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    const files = await cache.readManifests(repo.url, first, "apps/web");
    expect(files.map((f) => f.path).sort()).toEqual(["apps/web/a.yaml", "apps/web/nested/b.json"]);
    expect(
      renderManifests(files)
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["a", "b"]);

    // A later commit arrives through the same mirror; the old revision stays readable.
    const second = await repo.commit({ author: AUTHOR, files: { "apps/web/a.yaml": null } });
    expect((await cache.fetch(repo.url, "main")).sha).toBe(second);
    expect(fs.readdirSync(path.dirname(cache.mirrorDir(repo.url)))).toHaveLength(1);
    expect((await cache.readManifests(repo.url, second, "apps/web")).map((f) => f.path)).toEqual([
      "apps/web/nested/b.json",
    ]);
    expect((await cache.readManifests(repo.url, first, "apps/web")).map((f) => f.path).sort()).toEqual([
      "apps/web/a.yaml",
      "apps/web/nested/b.json",
    ]);
    expect((await cache.fetch(repo.url, "main", first)).sha).toBe(first);
  });

  it("names what is wrong: unreachable repository, missing branch, missing path, unknown revision", async () => {
    const repo = await git.createRepo("errors.git");
    const sha = await repo.commit({
      author: AUTHOR,
      files: { "k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n" },
    });
    const logs: string[] = [];
    const local = cacheDir();
    const cache = new GitCache({
      dir: cacheDir(),
      timeoutMs: 20_000,
      localRoots: [local],
      log: (line) => logs.push(line),
    });
    // One message for a closed port, a missing repository and a missing directory: the sync history is shown in
    // Wharf, and git's words there would let whoever registers URLs scan the cluster's network and files.
    const closed = await closedPort();
    expect(await codeOf(cache.fetch(`git://127.0.0.1:${closed}/nothing.git`, "main"))).toBe(
      `GIT_UNREACHABLE: could not reach the repository git://127.0.0.1:${closed}/nothing.git`,
    );
    expect(await codeOf(cache.fetch(git.urlOf("missing.git"), "main"))).toBe(
      `GIT_UNREACHABLE: could not reach the repository ${git.urlOf("missing.git")}`,
    );
    expect(await codeOf(cache.fetch(`file://${local}/not-a-repo`, "main"))).toBe(
      `GIT_UNREACHABLE: could not reach the repository file://${local}/not-a-repo`,
    );
    // git's reason, not the advice it prints after it ("… and the repository exists."), is in the agent's log.
    expect(logs.join("\n")).toMatch(/missing\.git failed: (fatal|error):/i);
    expect(logs.join("\n")).toMatch(/not-a-repo failed: fatal: .*(does not appear to be a git repository|not found)/i);
    expect(await codeOf(cache.fetch(repo.url, "release"))).toBe(
      `GIT_BRANCH_MISSING: branch release not found in ${repo.url}`,
    );
    await cache.fetch(repo.url, "main");
    expect(await codeOf(cache.readManifests(repo.url, sha, "deploy"))).toMatch(
      /^GIT_PATH_MISSING: path deploy not found at [0-9a-f]{12}/,
    );
    expect(await codeOf(cache.fetch(repo.url, "main", "0".repeat(40)))).toMatch(/^GIT_REVISION_MISSING/);
  });

  it("fetches file:// only from its local roots (none by default), without git ever looking at the path", async () => {
    const repo = await git.createRepo("local-roots.git");
    await repo.commit({
      author: AUTHOR,
      files: { "k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n" },
    });
    const refusedDefault = await codeOf(new GitCache({ dir: cacheDir() }).fetch(repo.fileUrl, "main"));
    expect(refusedDefault).toMatch(
      /^GIT_FAILED: repository file:\/\/.* is not allowed: file:\/\/ repositories are not allowed here/,
    );
    const elsewhere = new GitCache({ dir: cacheDir(), localRoots: [cacheDir()] });
    const own = await codeOf(elsewhere.fetch(`file://${process.cwd()}`, "main"));
    const missing = await codeOf(elsewhere.fetch(`file://${process.cwd()}/no/such/dir`, "main"));
    expect(own.replace(process.cwd(), "X")).toBe(missing.replace(`${process.cwd()}/no/such/dir`, "X"));
    expect((await new GitCache({ dir: cacheDir(), localRoots: [git.baseDir] }).fetch(repo.fileUrl, "main")).sha).toBe(
      await repo.revParse("HEAD"),
    );
  });

  it("runs git and its children (upload-pack here) without the agent's environment", async () => {
    const repo = await git.createRepo("env.git");
    await repo.commit({
      author: AUTHOR,
      files: { "k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n" },
    });
    const cache = new GitCache({ dir: cacheDir(), localRoots: [git.baseDir] });
    await cache.fetch(repo.fileUrl, "main");
    const dumpDir = cacheDir();
    const script = path.join(dumpDir, "upload-pack.sh");
    fs.writeFileSync(script, `#!/bin/sh\nenv > '${dumpDir}/env.txt'\nexec git-upload-pack "$@"\n`, { mode: 0o755 });
    // An anonymous remote (the URL itself) reads remote.<url>.uploadpack from the mirror's config.
    execFileSync("git", ["config", `remote.${repo.fileUrl}.uploadpack`, script], {
      cwd: cache.mirrorDir(repo.fileUrl),
    });
    await repo.commit({
      author: AUTHOR,
      files: { "k8s/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: b }\n" },
    });
    const saved = process.env.WHARF_AGENT_CREDENTIAL;
    process.env.WHARF_AGENT_CREDENTIAL = "wharfa_must_not_leak";
    try {
      await cache.fetch(repo.fileUrl, "main");
    } finally {
      if (saved === undefined) delete process.env.WHARF_AGENT_CREDENTIAL;
      else process.env.WHARF_AGENT_CREDENTIAL = saved;
    }
    const env = fs.readFileSync(path.join(dumpDir, "env.txt"), "utf8");
    expect(env).toMatch(/^PATH=/m);
    expect(env).not.toMatch(/^(WHARF_[A-Z_]*|DATABASE_URL)=/m);
    expect(env).not.toContain("wharfa_must_not_leak");
  });

  it("reads no symlinked manifests", async () => {
    const repo = await git.createRepo("symlinks.git");
    await repo.commit({
      author: AUTHOR,
      files: { "k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n" },
    });
    fs.symlinkSync("a.yaml", path.join(repo.dir, "k8s", "link.yaml"));
    const sha = await repo.commit({ author: AUTHOR, files: {} });
    const cache = new GitCache({ dir: cacheDir() });
    await cache.fetch(repo.url, "main");
    expect((await cache.readManifests(repo.url, sha, "k8s")).map((f) => f.path)).toEqual(["k8s/a.yaml"]);
  });

  it("renders a kustomization (with a base elsewhere in the repository) through lib/render", async () => {
    const repo = await git.createRepo("kustomize.git");
    const sha = await repo.commit({
      author: AUTHOR,
      files: {
        "base/kustomization.yaml": "resources:\n  - cm.yaml\n",
        "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { mode: base }\n",
        "overlays/prod/kustomization.yaml":
          "resources:\n  - ../../base\nnamePrefix: prod-\ncommonLabels: { env: prod }\n",
      },
    });
    const cache = new GitCache({ dir: cacheDir() });
    await cache.fetch(repo.url, "main");
    const files = await cache.readManifests(repo.url, sha, "overlays/prod");
    const objects = renderManifests(files);
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({
      kind: "ConfigMap",
      metadata: { name: "prod-settings", labels: { env: "prod" } },
      data: { mode: "base" },
    });

    const noKustomize = new GitCache({ dir: cacheDir(), tools: { kustomize: "/nonexistent/kustomize" } });
    await noKustomize.fetch(repo.url, "main");
    expect(await codeOf(noKustomize.readManifests(repo.url, sha, "overlays/prod"))).toMatch(
      /^KUSTOMIZE_UNAVAILABLE: overlays\/prod\/kustomization.yaml needs kustomize .*npm run cluster:build -- --only kustomize/,
    );
  });

  it("creates the npm start demo repository once, readable over file://, and keeps later commits", async () => {
    const dir = path.join(cacheDir(), "demo");
    const demo = await ensureDemoRepo({ dir, namespace: "demo" });
    // npm start gives its in-process demo agent the demo repository's directory as a local root (lib/cli/demo-pull.ts).
    const cache = new GitCache({ dir: cacheDir(), localRoots: [dir] });
    const commit = await cache.fetch(demo.url, demo.branch);
    const objects = renderManifests(await cache.readManifests(demo.url, commit.sha, demo.path));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "ConfigMap/hello-config",
      "Deployment/hello",
      "Service/hello",
    ]);
    fs.writeFileSync(
      path.join(dir, "deploy/config.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: hello-config }\ndata: { greeting: changed }\n",
    );
    await ensureDemoRepo({ dir, namespace: "demo" });
    expect(fs.readFileSync(path.join(dir, "deploy/config.yaml"), "utf8")).toContain("changed");
  });

  it("keeps credentials out of error messages", () => {
    expect(redactUrls("fatal: unable to access 'https://bot:s3cret@git.example.com/a.git/'")).toBe(
      "fatal: unable to access 'https://***@git.example.com/a.git/'",
    );
  });
});

describe("agent and an unreachable Git server", () => {
  it("reports one failed event with the reason and keeps retrying with backoff", async () => {
    const kube = await startKube({ rolloutDelayMs: 200 });
    const wharf = await startFakeWharf();
    const port = await closedPort();
    wharf.setTargets([
      targetAssignment({
        targetId: "t-unreachable",
        defaultNamespace: "default",
        repos: [repoAssignment({ repoId: "r-unreachable", url: `git://127.0.0.1:${port}/gone.git` })],
      }),
    ]);
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: kube.client });
    try {
      const failed = await wharf.waitForEvent((e) => e.result === "failed");
      expect(failed.message).toBe(`GIT_UNREACHABLE: could not reach the repository git://127.0.0.1:${port}/gone.git`);
      // Backoff (100 ms base in tests) retries on its own; the same failure is not reported again.
      await eventually(
        () => (agent.logs.filter((l) => l.includes("GIT_UNREACHABLE")).length >= 3 ? true : undefined),
        "retries",
      );
      expect(wharf.events.filter((e) => e.result === "failed")).toHaveLength(1);
      expect(agent.status().get("r-unreachable")?.state).toBe("failed");
    } finally {
      await agent.stop();
      await wharf.stop();
      await kube.stop();
    }
  });
});
