import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadAgentConfig } from "@/lib/agent/config";
import { ZRepoUrl } from "@/lib/agent/protocol";
import { ZGitUrl } from "@/lib/deployments/schemas";
import { env, resetEnvCache } from "@/lib/env";
import { checkGitUrl, isManifestEntry } from "@/lib/process/git";

const saved = process.env.WHARF_GIT_LOCAL_ROOTS;
afterEach(() => {
  if (saved === undefined) delete process.env.WHARF_GIT_LOCAL_ROOTS;
  else process.env.WHARF_GIT_LOCAL_ROOTS = saved;
  resetEnvCache();
});

describe("repository URL schemas", () => {
  it("refuse credentials in the user part, with or without a password (422 at validation)", () => {
    for (const bad of [
      "https://user:pass@git.example.com/a.git",
      "https://ghp_token@git.example.com/a.git",
      "git://u@host/a",
      "file://u@/tmp/a",
    ]) {
      expect(ZGitUrl.safeParse(bad).success, bad).toBe(false);
      expect(ZRepoUrl.safeParse(bad).success, bad).toBe(false);
    }
    // ssh keeps its (non-secret) user name; the key is in the cluster.
    expect(ZRepoUrl.safeParse("ssh://git@github.com/org/app.git").success).toBe(true);
    expect(ZRepoUrl.safeParse("git@github.com:org/app.git").success).toBe(true);
  });
});

describe("checkGitUrl", () => {
  it("allows file:// only inside a root, after resolving symlinks, with the same refusal for existing and missing paths", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-roots-"));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-outside-"));
    fs.mkdirSync(path.join(root, "repo"));
    fs.symlinkSync(outside, path.join(root, "escape"));
    expect(checkGitUrl(`file://${root}/repo`, [root])).toEqual({ ok: true, local: true });
    expect(checkGitUrl("https://git.example.com/a.git", [])).toEqual({ ok: true, local: false });
    const refusals = [
      checkGitUrl(`file://${root}/repo`, []),
      checkGitUrl(`file://${outside}`, [root]),
      checkGitUrl(`file://${outside}/missing`, [root]),
      checkGitUrl(`file://${root}/escape`, [root]),
      checkGitUrl(`file://${root}/repo/../../${path.basename(outside)}`, [root]),
      checkGitUrl(`file://${root}/%2e%2e/x`, [root]),
      checkGitUrl(`file://host${root}/repo`, [root]),
      checkGitUrl(`file:${root}/repo`, [root]),
    ];
    for (const r of refusals) expect(r.ok).toBe(false);
    expect(new Set(refusals.slice(1).map((r) => (r.ok ? "" : r.message))).size).toBe(1);
  });

  it("reads manifests only from regular YAML/JSON files outside hidden paths", () => {
    expect(isManifestEntry("apps/a.yaml", "100644")).toBe(true);
    expect(isManifestEntry("apps/a.json", "100755")).toBe(true);
    expect(isManifestEntry("apps/link.yaml", "120000")).toBe(false);
    expect(isManifestEntry(".github/workflows/ci.yaml", "100644")).toBe(false);
    expect(isManifestEntry("apps/.hidden.yaml", "100644")).toBe(false);
    expect(isManifestEntry("apps/README.md", "100644")).toBe(false);
  });
});

describe("WHARF_GIT_LOCAL_ROOTS", () => {
  it("is a comma-separated list of absolute directories, none by default, on the dashboard and the agent", () => {
    delete process.env.WHARF_GIT_LOCAL_ROOTS;
    resetEnvCache();
    expect(env().WHARF_GIT_LOCAL_ROOTS).toEqual([]);
    process.env.WHARF_GIT_LOCAL_ROOTS = " /srv/git , /opt/repos/ ";
    resetEnvCache();
    expect(env().WHARF_GIT_LOCAL_ROOTS).toEqual(["/srv/git", "/opt/repos"]);
    process.env.WHARF_GIT_LOCAL_ROOTS = "/srv/git,relative/dir";
    resetEnvCache();
    expect(() => env()).toThrow(/WHARF_GIT_LOCAL_ROOTS/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-agent-roots-"));
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\nclusters: []\n");
    const base = {
      WHARF_URL: "https://wharf.example.com",
      WHARF_AGENT_CREDENTIAL: "wharfa_x",
      WHARF_AGENT_STATE_DIR: dir,
      WHARF_AGENT_KUBECONFIG: kubeconfig,
    };
    expect(loadAgentConfig(base).gitLocalRoots).toEqual([]);
    expect(loadAgentConfig({ ...base, WHARF_GIT_LOCAL_ROOTS: "/srv/git" }).gitLocalRoots).toEqual(["/srv/git"]);
    expect(() => loadAgentConfig({ ...base, WHARF_GIT_LOCAL_ROOTS: "srv/git" })).toThrow(/WHARF_GIT_LOCAL_ROOTS/);
  });
});

describe("runGit over HTTP", () => {
  it("never follows a redirect to another address (a remote cannot point git at an internal host)", async () => {
    const { createServer } = await import("node:http");
    const { runGit } = await import("@/lib/process/git");
    const hits: string[] = [];
    const inner = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.writeHead(404).end();
    });
    const outer = createServer((req, res) => {
      const port = (inner.address() as { port: number }).port;
      res.writeHead(302, { location: `http://127.0.0.1:${port}${req.url ?? "/"}` }).end();
    });
    await Promise.all([
      new Promise<void>((r) => inner.listen(0, "127.0.0.1", r)),
      new Promise<void>((r) => outer.listen(0, "127.0.0.1", r)),
    ]);
    try {
      const url = `http://127.0.0.1:${(outer.address() as { port: number }).port}/org/app.git`;
      await expect(runGit(["ls-remote", url], { timeoutMs: 20_000 })).rejects.toThrow();
      expect(hits).toEqual([]);
    } finally {
      inner.close();
      outer.close();
    }
  });
});
