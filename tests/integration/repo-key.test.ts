import { beforeAll, describe, expect, it } from "vitest";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import { createDb, dbFor } from "@/lib/db/client";
import { listMigrations } from "@/lib/db/migrate";
import { migrateDatabase } from "@/lib/upgrade/migrate-database";
import { callRoute, createCaller, type Caller } from "../support/api";
import { bindRepository, deliverGithubPush } from "../support/git-webhook";
import { createPullTarget, createPushTarget, fakeSha } from "../support/pull";
import { createScratchDatabase, useTestDatabase } from "../support/test-db";

// Webhooks, push bindings and pull registrations find one repository by one stored key (lib/repos/url.ts repoKey),
// whatever spelling of its URL each was given, on SQLite and on PostgreSQL.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
});

const bind = (targetId: string, repoUrl: string) => bindRepository(admin, targetId, { repoUrl });

async function deliver(url: string, secret: string, delivery: string) {
  const sha = fakeSha();
  const res = await deliverGithubPush({
    secret,
    sha,
    delivery,
    repository: {
      full_name: "Acme/App",
      clone_url: `${url}.git`,
      html_url: url,
      ssh_url: "git@github.com:Acme/App.git",
    },
  });
  return { ...res, sha };
}

describe("one repository key for webhooks, bindings and pull registrations", () => {
  it("the same webhook reaches push and pull registrations of one repository whatever the case of its URL", async () => {
    const owner = `Acme${fakeSha().slice(0, 6)}`;
    const pushTarget = await createPushTarget();
    // Bindings take full URLs only; the default port and host case are what differ here.
    const pushBinding = await bind(pushTarget.id, `https://GitHub.com:443/${owner.toLowerCase()}/app.git`);

    const pullTarget = await createPullTarget();
    const repo = await callRoute(reposRoute.POST, {
      method: "POST",
      path: `/api/targets/${pullTarget.id}/repos`,
      params: { id: pullTarget.id },
      body: { url: `git@github.com:${owner.toLowerCase()}/app.git` },
      as: admin,
    });
    expect(repo.status).toBe(201);
    const pullBinding = await bind(pullTarget.id, `https://github.com/${owner}/App`);

    const key = `github.com/${owner.toLowerCase()}/app`;
    expect((await db().repoBinding.findUniqueOrThrow({ where: { id: pushBinding.id } })).repoKey).toBe(key);
    expect((await db().repoBinding.findUniqueOrThrow({ where: { id: pullBinding.id } })).repoKey).toBe(key);
    expect((await db().pullRepo.findUniqueOrThrow({ where: { id: repo.body.id } })).repoKey).toBe(key);

    const url = `https://github.com/${owner}/App`;
    const toPush = await deliver(url, pushBinding.secret, `d-push-${owner}`);
    expect(toPush.status).toBe(202);
    expect((toPush.body.deployments as { bindingId: string }[]).map((d) => d.bindingId)).toEqual([pushBinding.id]);
    expect((await db().repoBinding.findUniqueOrThrow({ where: { id: pushBinding.id } })).lastCommitSha).toBe(
      toPush.sha,
    );

    const toPull = await deliver(url, pullBinding.secret, `d-pull-${owner}`);
    expect(toPull.status).toBe(202);
    expect(toPull.body.pullReposNotified).toBe(1);
    expect((await db().pullRepo.findUniqueOrThrow({ where: { id: repo.body.id } })).notifySeq).toBe(1);
  });

  it("the upgrade fills the key of bindings, pull repositories and applications stored before the column", async () => {
    const migrations = listMigrations(t.kind).map((m) => m.name);
    const before = migrations[migrations.indexOf("20261206134900_repo_key") - 1]!;
    const url = await createScratchDatabase(t.kind);
    await migrateDatabase(url, { until: before });
    const old = createDb(url);
    const now = new Date(Date.UTC(2026, 11, 1));
    try {
      // Raw SQL: the generated client knows only the new schema.
      await old.$executeRaw`INSERT INTO "Target" ("id", "name", "environment", "mode", "serverUrl", "updatedAt", "createdAt") VALUES ('t1', 't1', 'prod', 'pull', 'https://k', ${now}, ${now})`;
      await old.$executeRaw`INSERT INTO "RepoBinding" ("id", "targetId", "repoUrl", "branch", "path", "secretCiphertext", "createdById") VALUES ('b1', 't1', 'git@GitHub.com:Acme/App.git', 'main', '.', 'x', 'u1')`;
      await old.$executeRaw`INSERT INTO "PullRepo" ("id", "targetId", "url", "branch", "path", "createdById", "createdAt", "updatedAt") VALUES ('r1', 't1', 'https://git.example.com:443/Org/Infra.git/', 'main', '.', 'u1', ${now}, ${now})`;
      await old.$executeRaw`INSERT INTO "Application" ("id", "name", "targetId", "mode", "sourceKind", "repoUrl", "inventoryKey", "updatedAt") VALUES ('a1', 'app', 't1', 'push', 'git', 'https://github.com/Acme/App', 'k1', ${now})`;
      await old.$executeRaw`INSERT INTO "Application" ("id", "name", "targetId", "mode", "sourceKind", "inventoryKey", "updatedAt") VALUES ('a2', 'pasted', 't1', 'push', 'manifests', 'k2', ${now})`;
    } finally {
      await old.$disconnect();
    }
    await migrateDatabase(url);
    const upgraded = createDb(url);
    try {
      expect((await upgraded.repoBinding.findUniqueOrThrow({ where: { id: "b1" } })).repoKey).toBe(
        "github.com/acme/app",
      );
      expect((await upgraded.pullRepo.findUniqueOrThrow({ where: { id: "r1" } })).repoKey).toBe(
        "git.example.com/org/infra",
      );
      expect((await upgraded.application.findUniqueOrThrow({ where: { id: "a1" } })).repoKey).toBe(
        "github.com/acme/app",
      );
      expect((await upgraded.application.findUniqueOrThrow({ where: { id: "a2" } })).repoKey).toBeNull();
    } finally {
      await upgraded.$disconnect();
    }
  });
});
