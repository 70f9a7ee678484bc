import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentError } from "@/lib/agent/errors";
import { GitCache } from "@/lib/agent/git";
import { fetchGitManifests } from "@/lib/deployments/git-source";
import { resetEnvCache } from "@/lib/env";
import { AppError } from "@/lib/errors";
import {
  cleanRepoPath,
  GitClient,
  GitError,
  isRegularEntry,
  listSourcePath,
  readManifestFiles,
} from "@/lib/process/git";
import { startGitServer, type GitServer, type TestRepo } from "@/tests/support/git-server";

const AUTHOR = { name: "Dev", email: "dev@example.com" };
const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\n`;
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

let git: GitServer;
let repo: TestRepo;
let sha: string;
const saved = { ...process.env };

beforeAll(async () => {
  git = await startGitServer();
  repo = await git.createRepo("client.git");
  await repo.commit({
    author: AUTHOR,
    files: {
      "deploy/a.yaml": CM("a"),
      "deploy/.hidden.yaml": CM("hidden"),
      "deploy/.github/ci.yaml": "on: push\n",
      "deploy/sub/b.json": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } }),
      "deployx/beside.yaml": CM("beside"),
      "secret.yaml": CM("outside"),
    },
  });
  // Symlinks pointing out of the path and out of the repository, and a path that is itself a symlink.
  fs.symlinkSync("../secret.yaml", path.join(repo.dir, "deploy", "link.yaml"));
  fs.symlinkSync("/etc", path.join(repo.dir, "deploy", "etc"));
  fs.symlinkSync("deploy", path.join(repo.dir, "linked"));
  sha = await repo.commit({ author: AUTHOR, files: {} });
  // What the dashboard and the agent hold: no git child may see it.
  Object.assign(process.env, {
    WHARF_DATA_DIR: tmp("wharf-git-client-"),
    WHARF_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
    WHARF_ADMIN_PASSWORD: "admin-password-must-not-leak",
    WHARF_AGENT_CREDENTIAL: "wharfa_must_not_leak",
    DATABASE_URL: "postgresql://wharf:hunter2@127.0.0.1:1/wharf",
    WHARF_GIT_LOCAL_ROOTS: git.baseDir,
  });
  resetEnvCache();
});
afterAll(async () => {
  await git?.stop();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  resetEnvCache();
});

/** The environment git gives a command it runs (an alias with `!` runs through the shell with git's variables). */
async function childEnv(client: GitClient, url: string): Promise<Record<string, string>> {
  fs.mkdirSync(client.dirOf(url), { recursive: true });
  const { stdout } = await client.run(url, ["-c", "alias.dump=!env", "dump"]);
  return Object.fromEntries(
    stdout
      .toString("utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

describe("GitClient: the child environment", () => {
  it("holds no Wharf variable or secret, a private HOME, no system or global config, no prompt, the allow-list", async () => {
    const keyFile = path.join(tmp("wharf-key-"), "id_ed25519");
    fs.writeFileSync(keyFile, "-----BEGIN OPENSSH PRIVATE KEY-----\nkey-material-must-not-leak\n", { mode: 0o600 });
    const agent = new GitClient({ root: tmp("wharf-root-"), ssh: true, credentials: { sshKeyFile: keyFile } });
    const dashboard = new GitClient({ root: tmp("wharf-root-") });
    for (const [client, protocols] of [
      [dashboard, "https:http:git"],
      [agent, "https:http:git:ssh"],
    ] as const) {
      const env = await childEnv(client, repo.url);
      expect(Object.keys(env).filter((k) => k.startsWith("WHARF_") || k === "DATABASE_URL")).toEqual([]);
      const text = JSON.stringify(env);
      for (const secret of ["hunter2", "admin-password-must-not-leak", "wharfa_must_not_leak", "key-material"])
        expect(text).not.toContain(secret);
      expect(env).toMatchObject({
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_TERMINAL_PROMPT: "0",
        GIT_ALLOW_PROTOCOL: protocols,
        LC_ALL: "C",
      });
      expect(env.HOME).not.toBe(saved.HOME);
      expect(fs.readdirSync(env.HOME!)).toEqual([]);
    }
    // The key reaches ssh as a path, never as its content.
    expect((await childEnv(agent, repo.url)).GIT_SSH_COMMAND).toContain(`-i '${keyFile}'`);
  });
});

describe("GitClient: the protocol allow-list", () => {
  it("refuses ext::, a plain local path and file:// outside the local roots; ssh only where allowed", async () => {
    const marker = path.join(tmp("wharf-ext-"), "pwned");
    const client = new GitClient({ root: tmp("wharf-root-"), localRoots: [git.baseDir] });
    const failure = (url: string, c = client) =>
      c
        .locked(url, () => c.fetch(url, ["+refs/heads/main:refs/heads/main"]))
        .then(
          () => undefined,
          (e: unknown) => (e instanceof GitError ? e.code : String(e)),
        );
    // Even with the repository's own config asking for ext, GIT_ALLOW_PROTOCOL wins.
    const ext = `ext::sh -c touch% ${marker}`;
    fs.mkdirSync(client.dirOf(ext), { recursive: true });
    await client.run(ext, ["init", "--quiet", "--bare", "."]);
    await client.run(ext, ["config", "protocol.ext.allow", "always"]);
    expect(await failure(ext)).toBe("UNREACHABLE");
    expect(fs.existsSync(marker)).toBe(false);
    // A local path without file:// is the file transport too, which checkGitUrl never saw: refused by git.
    expect(await failure(repo.dir)).toBe("UNREACHABLE");
    expect(await failure(repo.fileUrl, new GitClient({ root: tmp("wharf-root-") }))).toBe("URL_NOT_ALLOWED");
    expect(await failure(`file://${tmp("wharf-elsewhere-")}`)).toBe("URL_NOT_ALLOWED");
    expect(await failure("ssh://git@127.0.0.1:1/org/app.git")).toBe("UNREACHABLE");
    expect(await failure(repo.fileUrl)).toBeUndefined();
  });
});

describe("listing a path: the same rule for push and pull", () => {
  it("reads regular files at or below the path only: no symlinks, nothing beside it, hidden files skipped", async () => {
    const client = new GitClient({ root: tmp("wharf-root-"), localRoots: [git.baseDir] });
    expect(await client.fetchRef(repo.fileUrl, "main", { depth: 1 })).toBe(sha);
    const source = await client.listPath(repo.fileUrl, sha, "deploy");
    expect(source.entries.map((e) => e.path)).toEqual([
      "deploy/.github/ci.yaml",
      "deploy/.hidden.yaml",
      "deploy/a.yaml",
      "deploy/sub/b.json",
    ]);
    expect((await client.readManifestFiles(repo.fileUrl, source, 1024 * 1024)).map((f) => f.path)).toEqual([
      "deploy/a.yaml",
      "deploy/sub/b.json",
    ]);

    // The agent and the dashboard read exactly these files.
    const agent = new GitCache({ dir: tmp("wharf-agent-"), localRoots: [git.baseDir] });
    await agent.fetch(repo.fileUrl, "main");
    const pulled = (await agent.readManifests(repo.fileUrl, sha, "deploy")).map((f) => f.path);
    const pushed = (await fetchGitManifests({ url: repo.fileUrl, ref: "main", path: "deploy" })).files.map(
      (f) => f.path,
    );
    expect(pulled).toEqual(["deploy/a.yaml", "deploy/sub/b.json"]);
    expect(pushed).toEqual(pulled);

    // A path that is itself a symlink names nothing, on both sides.
    await expect(client.listPath(repo.fileUrl, sha, "linked")).rejects.toMatchObject({ code: "PATH_MISSING" });
    await expect(agent.readManifests(repo.fileUrl, sha, "linked")).rejects.toMatchObject({ code: "GIT_PATH_MISSING" });
    const pushedLink = await fetchGitManifests({ url: repo.fileUrl, ref: "main", path: "linked" }).catch((e) => e);
    expect(pushedLink).toBeInstanceOf(AppError);
    expect((pushedLink as AppError).fields).toHaveProperty(["source.path"]);
  });

  it("refuses a path that leaves the repository, on both sides", async () => {
    for (const bad of ["../secret.yaml", "deploy/../../x", "deploy/./a.yaml", "a//b", "a\\..\\b"])
      expect(() => cleanRepoPath(bad), bad).toThrow(GitError);
    expect(cleanRepoPath("./deploy/")).toBe("deploy");
    expect(cleanRepoPath(".")).toBe("");
    const agent = new GitCache({ dir: tmp("wharf-agent-"), localRoots: [git.baseDir] });
    await agent.fetch(repo.fileUrl, "main");
    const err = await agent.readManifests(repo.fileUrl, sha, "deploy/../..").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as AgentError).code).toBe("GIT_PATH_MISSING");
    const pushed = await fetchGitManifests({ url: repo.fileUrl, ref: "main", path: "../secret.yaml" }).catch(
      (e: unknown) => e,
    );
    expect(pushed).toBeInstanceOf(Error);
    // Tree entries that no checkout would write are never read or written out.
    for (const p of ["a/../b", "../b", ".git/config", "/etc/passwd", "a//b"])
      expect(isRegularEntry({ mode: "100644", object: "x", size: 1, path: p }), p).toBe(false);
    expect(isRegularEntry({ mode: "120000", object: "x", size: 1, path: "a.yaml" })).toBe(false);
    expect(isRegularEntry({ mode: "160000", object: "x", size: 1, path: "sub" })).toBe(false);
  });

  it("refuses a set of files over the cap from the tree's sizes, before reading", async () => {
    const client = new GitClient({ root: tmp("wharf-root-"), localRoots: [git.baseDir] });
    await client.fetchRef(repo.fileUrl, sha);
    const dir = client.dirOf(repo.fileUrl);
    const source = await listSourcePath(dir, sha, "deploy");
    await expect(readManifestFiles(dir, source, 10)).rejects.toMatchObject({
      code: "TOO_LARGE",
      message: expect.stringMatching(/^The manifests at "deploy" are larger than/),
    });
  });
});
