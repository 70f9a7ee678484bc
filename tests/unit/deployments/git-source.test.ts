import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fetchGitManifests, gitCacheDir } from "@/lib/deployments/git-source";
import { resetEnvCache } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { startGitServer, type GitServer, type TestRepo } from "@/tests/support/git-server";

const AUTHOR = { name: "Dev", email: "dev@example.com" };
const CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n";
let git: GitServer;
let repo: TestRepo;
const saved = { ...process.env };

function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvCache();
}

beforeAll(async () => {
  git = await startGitServer();
  repo = await git.createRepo("source.git");
  await repo.commit({ author: AUTHOR, files: { "deploy/a.yaml": CM } });
});
afterAll(async () => {
  await git?.stop();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  resetEnvCache();
});
beforeEach(() => {
  // What the dashboard process holds: no git child may see it. The repositories live under git.baseDir.
  setEnv({
    WHARF_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "wharf-git-source-")),
    WHARF_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
    DATABASE_URL: "postgresql://wharf:hunter2@127.0.0.1:1/wharf",
    WHARF_ADMIN_PASSWORD: "admin-password-must-not-leak",
    WHARF_GIT_LOCAL_ROOTS: git.baseDir,
  });
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe("fetchGitManifests: subprocess environment", () => {
  it("git and its children (upload-pack here) run without any of Wharf's variables", async () => {
    const url = repo.fileUrl;
    await fetchGitManifests({ url, ref: "main", path: "deploy" });
    // The cache's origin runs upload-pack through this script, which records the environment git gave it.
    const dump = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wharf-env-dump-")), "env.txt");
    const script = path.join(path.dirname(dump), "upload-pack.sh");
    fs.writeFileSync(script, `#!/bin/sh\nenv > '${dump}'\nexec git-upload-pack "$@"\n`, { mode: 0o755 });
    // The cache fetches the URL itself (an anonymous remote), which reads remote.<url>.uploadpack from its config.
    execFileSync("git", ["config", `remote.${url}.uploadpack`, script], { cwd: gitCacheDir(url) });

    await repo.commit({ author: AUTHOR, files: { "deploy/b.yaml": CM.replace("name: a", "name: b") } });
    const fetched = await fetchGitManifests({ url, ref: "main", path: "deploy" });
    expect(fetched.files.map((f) => f.path)).toEqual(["deploy/a.yaml", "deploy/b.yaml"]);
    const env = fs.readFileSync(dump, "utf8");
    expect(env).toMatch(/^PATH=/m);
    expect(env).not.toMatch(/^(WHARF_[A-Z_]*|DATABASE_URL)=/m);
    expect(env).not.toContain("hunter2");
    expect(env).not.toContain("admin-password-must-not-leak");
  });
});

describe("fetchGitManifests: file:// and remote policy", () => {
  it("refuses file:// outside WHARF_GIT_LOCAL_ROOTS (none by default) with one message, whether the path exists or not", async () => {
    setEnv({ WHARF_GIT_LOCAL_ROOTS: undefined });
    const none = await failure(fetchGitManifests({ url: repo.fileUrl, ref: "main", path: "deploy" }));
    expect(none.code).toBe("VALIDATION_FAILED");
    expect(none.fields).toHaveProperty(["source.url"]);

    const other = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-other-root-"));
    setEnv({ WHARF_GIT_LOCAL_ROOTS: other });
    // Wharf's own checkout is a git repository on the host: refused like a path that does not exist.
    const own = await failure(fetchGitManifests({ url: `file://${process.cwd()}`, ref: "main", path: "." }));
    const missing = await failure(
      fetchGitManifests({ url: `file://${process.cwd()}/no/such/dir`, ref: "main", path: "." }),
    );
    expect(own.message).toBe(missing.message);
    expect(own.message).toMatch(/WHARF_GIT_LOCAL_ROOTS/);
    // Escapes from an allowed root: dot segments, escapes, and a symlink pointing out are all refused.
    fs.symlinkSync(repo.dir, path.join(other, "link"));
    for (const url of [
      `file://${other}/../${path.relative(path.dirname(other), repo.dir)}`,
      `file://${other}/%2e%2e/x`,
      `file://${other}/link`,
      `file://localhost${repo.dir}`,
    ]) {
      expect((await failure(fetchGitManifests({ url, ref: "main", path: "deploy" }))).message).toBe(own.message);
    }
  });

  it("refuses credentials in the URL's user part (422)", async () => {
    for (const url of ["https://user:pass@git.example.com/a.git", "https://ghp_token@git.example.com/a.git"]) {
      const err = await failure(fetchGitManifests({ url, ref: "main", path: "." }));
      expect(err.code).toBe("VALIDATION_FAILED");
      expect(err.status).toBe(422);
    }
  });

  it("says the same for a closed port and an empty reply (no port-scan signal); details go to the server log", async () => {
    const closed = await closedPort();
    const empty = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => empty.listen(0, "127.0.0.1", resolve));
    const emptyPort = (empty.address() as net.AddressInfo).port;
    const logged: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args.join(" "));
    try {
      const a = await failure(fetchGitManifests({ url: `git://127.0.0.1:${closed}/x.git`, ref: "main", path: "." }));
      const b = await failure(fetchGitManifests({ url: `git://127.0.0.1:${emptyPort}/x.git`, ref: "main", path: "." }));
      const c = await failure(fetchGitManifests({ url: git.urlOf("no-such-repo.git"), ref: "main", path: "." }));
      const generic = (e: AppError, port: number) => e.message.replace(String(port), "PORT");
      expect(generic(a, closed)).toBe("Wharf could not reach the repository git://127.0.0.1:PORT/x.git.");
      expect(generic(b, emptyPort)).toBe(generic(a, closed));
      expect(c.message).toBe(`Wharf could not reach the repository ${git.urlOf("no-such-repo.git")}.`);
      expect(logged.join("\n")).toMatch(/git fetch of git:\/\/127\.0\.0\.1:\d+\/x\.git failed: fatal:/);
    } finally {
      console.error = original;
      empty.close();
    }
  });

  it("reads no symlinks and nothing hidden below the path (the agent's rule)", async () => {
    const r = await git.createRepo("hidden.git");
    await r.commit({
      author: AUTHOR,
      files: { "deploy/a.yaml": CM, "deploy/.github/workflow.yaml": "on: push\n", "deploy/.hidden.yaml": CM },
    });
    fs.symlinkSync("a.yaml", path.join(r.dir, "deploy", "link.yaml"));
    await r.commit({ author: AUTHOR, files: {} });
    const fetched = await fetchGitManifests({ url: r.url, ref: "main", path: "deploy" });
    expect(fetched.files.map((f) => f.path)).toEqual(["deploy/a.yaml"]);
  });
});
