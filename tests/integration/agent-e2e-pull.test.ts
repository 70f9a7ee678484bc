import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as webhookRoute from "@/app/api/webhooks/git/route";
import { WharfClient } from "@/lib/agent/wharf-client";
import { dbFor } from "@/lib/db/client";
import { githubSignature } from "@/lib/deployments/webhooks";
import type { KubeClient } from "@/lib/kube";
import { startGitServer, type GitServer, type TestRepo } from "../support/git-server";
import { createCaller, type Caller } from "../support/api";
import { PULL_ROUTES } from "../support/agent-routes";
import { createEnrolledAgent, createPullTarget } from "../support/pull";
import { startRouteServer, type RouteServer } from "../support/route-server";
import { useTestDatabase } from "../support/test-db";
import { agentClusterAccess, appManifests, eventually, startTestAgent } from "../kube/agent-support";
import { startKube, uniqueName } from "../kube/lib-support";

const t = useTestDatabase();
const db = () => dbFor(t.url);
const ROUTES = { ...PULL_ROUTES, "/api/webhooks/git": webhookRoute, "/api/targets/[id]/repo-bindings": bindingsRoute };

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;
let server: RouteServer;
let admin: Caller;

beforeAll(async () => {
  [kube, git, server] = await Promise.all([
    startKube({ rolloutDelayMs: 200 }),
    startGitServer(),
    startRouteServer(ROUTES),
  ]);
  admin = await createCaller("admin");
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([kube?.stop(), git?.stop()]);
});

async function http<T = Record<string, unknown>>(
  method: string,
  path: string,
  as: Caller,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${as.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
}

/** The fields of lib/sync's SyncEventView these tests read. */
interface HistoryRow {
  id: string;
  repo: { id: string } | null;
  result: string;
  trigger: string;
  revision: { sha: string; id: string | null } | null;
}

/** The sync history as the dashboard lists it. */
async function history(targetId: string): Promise<HistoryRow[]> {
  const res = await http<{ items: Record<string, unknown>[] }>(
    "GET",
    `/api/sync-events?targetId=${targetId}&limit=100`,
    admin,
  );
  expect(res.status).toBe(200);
  return res.body.items as unknown as HistoryRow[];
}

const shaOf = (row: HistoryRow) => row.revision?.sha;

async function pullSetup(opts: { requiredApprovals?: number; allowTokenApprovals?: boolean } = {}) {
  const ns = uniqueName("e2e");
  const target = await createPullTarget(opts);
  await db().target.update({ where: { id: target.id }, data: { defaultNamespace: ns } });
  const agentCaller = await createEnrolledAgent(admin, [target.id]);
  const kubeClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
  const repo = await git.createRepo(`${ns}.git`);
  return { ns, target, agentCaller, kubeClient, repo };
}

async function configValue(client: KubeClient, ns: string): Promise<string | undefined> {
  const cm = await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "web-config" });
  return (cm?.data as Record<string, string> | undefined)?.greeting;
}

async function register(targetId: string, repo: TestRepo, body: Record<string, unknown> = {}): Promise<string> {
  const res = await http<{ id: string }>("POST", `/api/targets/${targetId}/repos`, admin, {
    url: repo.url,
    path: "deploy",
    pollIntervalSeconds: 3600,
    ...body,
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe("agent ↔ dashboard routes over HTTP (route server, real database, sandbox, git daemon)", () => {
  it("register → synced in the history; a pushed commit with a verified webhook → synced", async () => {
    const { ns, target, agentCaller, kubeClient, repo } = await pullSetup();
    const author = { name: "Grace Hopper", email: "grace@example.com" };
    const first = await repo.commit({ files: appManifests({ value: "v1" }), author, message: "first" });
    const agent = await startTestAgent({ wharfUrl: server.url, credential: agentCaller.token, kubeClient });
    try {
      const repoId = await register(target.id, repo);
      await eventually(
        async () => ((await configValue(kube.client, ns)) === "v1" ? true : undefined),
        "first commit applied",
      );
      const synced = await eventually(
        async () => (await history(target.id)).find((r) => r.result === "synced" && shaOf(r) === first),
        "synced row in history",
      );
      expect(synced).toMatchObject({ repo: { id: repoId }, trigger: "registered" });

      const binding = await http<{ secret: string }>("POST", `/api/targets/${target.id}/repo-bindings`, admin, {
        repoUrl: repo.url,
        branch: "main",
        path: ".",
      });
      expect(binding.status).toBe(201);
      const second = await repo.commit({ files: appManifests({ value: "v2" }), author, message: "second" });
      const payload = JSON.stringify({
        ref: "refs/heads/main",
        before: first,
        after: second,
        deleted: false,
        repository: { full_name: "team/app", clone_url: repo.url, html_url: repo.url },
        pusher: { name: author.name, email: author.email },
        head_commit: { id: second, message: "second" },
      });
      const delivered = await fetch(`${server.url}/api/webhooks/git`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-github-delivery": `d-${second}`,
          "x-hub-signature-256": githubSignature(binding.body.secret, payload),
        },
        body: payload,
      });
      expect(delivered.status).toBe(202);
      // Poll interval is an hour: only the webhook's notify explains the pickup.
      await eventually(
        async () => ((await configValue(kube.client, ns)) === "v2" ? true : undefined),
        "second commit applied",
      );
      const row = await eventually(
        async () => (await history(target.id)).find((r) => r.result === "synced" && shaOf(r) === second),
        "second synced row",
      );
      expect(row.trigger).toBe("notify");
      // The agent reports the sync event and its repository status in separate requests: the status may follow the
      // history row by a moment (the CI run on PostgreSQL at load ~4 read it in between).
      await eventually(async () => {
        const status = await http<Record<string, unknown>>("GET", `/api/targets/${target.id}/pull-status`, admin);
        expect(status.status).toBe(200);
        return JSON.stringify(status.body).includes(second) ? true : undefined;
      }, "pull status at the second commit");
    } finally {
      await agent.stop();
    }
  });

  it("Wharf stopped while 3 commits land: the cluster follows, and every event arrives exactly once after restart", async () => {
    const { ns, target, agentCaller, kubeClient, repo } = await pullSetup();
    const author = { name: "Ada", email: "ada@example.com" };
    const first = await repo.commit({ files: appManifests({ value: "v1" }), author });
    const agent = await startTestAgent({ wharfUrl: server.url, credential: agentCaller.token, kubeClient });
    try {
      const repoId = await register(target.id, repo);
      await eventually(
        async () => (await history(target.id)).find((r) => r.result === "synced" && shaOf(r) === first),
        "first synced",
      );
      const port = Number(new URL(server.url).port);
      await server.stop();
      const shas: string[] = [];
      for (const value of ["a", "b", "c"]) {
        shas.push(await repo.commit({ files: appManifests({ value }), author, message: value }));
        await agent.syncNow(repoId);
        expect(await configValue(kube.client, ns)).toBe(value);
      }
      expect(agent.pendingEvents()).toBeGreaterThanOrEqual(3);
      server = await startRouteServer(ROUTES, { port });
      await eventually(() => (agent.pendingEvents() === 0 ? true : undefined), "journal drained", 30_000);
      const rows = (await history(target.id)).filter((r) => r.result === "synced");
      expect(rows.map(shaOf).sort()).toEqual([first, ...shas].sort());
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    } finally {
      await agent.stop();
    }
  });

  it("approval-gated target: the commit waits until someone other than its author approves it", async () => {
    const { ns, target, agentCaller, kubeClient, repo } = await pullSetup({
      requiredApprovals: 1,
      allowTokenApprovals: true,
    });
    const author = await createCaller("approver");
    const approver = await createCaller("approver");
    const sha = await repo.commit({
      files: appManifests({ value: "gated" }),
      author: { name: "Author", email: author.email },
      message: "gated change",
    });
    const agent = await startTestAgent({ wharfUrl: server.url, credential: agentCaller.token, kubeClient });
    try {
      const repoId = await register(target.id, repo);
      const request = await eventually(
        () =>
          db()
            .deployment.findFirst({
              where: { pullRepoId: repoId, sourceKind: "pull-revision", state: "pending-approval", commitSha: sha },
            })
            .then((d) => d ?? undefined),
        "deployment request for the pending revision",
      );
      expect(await configValue(kube.client, ns)).toBeUndefined();

      const byAuthor = await http<{ error: { code: string } }>(
        "POST",
        `/api/deployments/${request.id}/approvals`,
        author,
        { decision: "approved" },
      );
      expect(byAuthor.status).toBe(403);
      expect(byAuthor.body.error.code).toBe("APPROVAL_AUTHOR_FORBIDDEN");
      await agent.syncNow(repoId);
      expect(await configValue(kube.client, ns)).toBeUndefined();

      const approved = await http("POST", `/api/deployments/${request.id}/approvals`, approver, {
        decision: "approved",
      });
      expect(approved.status).toBe(201);
      await eventually(
        async () => ((await configValue(kube.client, ns)) === "gated" ? true : undefined),
        "approved revision applied",
      );
      const row = await eventually(
        async () => (await history(target.id)).find((r) => r.result === "synced" && shaOf(r) === sha),
        "synced row",
      );
      expect(row.trigger).toBe("approval");
      await eventually(
        () =>
          db()
            .deployment.findUniqueOrThrow({ where: { id: request.id } })
            .then((d) => (d.state === "succeeded" ? true : undefined)),
        "request completed",
      );
    } finally {
      await agent.stop();
    }
  });

  it("approval-gated target: a deployer's change of path and prune after approval applies nothing of the new folder until approved", async () => {
    const { ns, target, agentCaller, kubeClient, repo } = await pullSetup({
      requiredApprovals: 1,
      allowTokenApprovals: true,
    });
    const approver = await createCaller("approver");
    const deployer = await createCaller("deployer");
    const intruder = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: intruder\ndata:\n  a: b\n";
    await repo.commit({
      files: { ...appManifests({ value: "approved" }), "other/intruder.yaml": intruder },
      author: { name: "Dev", email: "dev@example.com" },
      message: "two folders",
    });
    const intruderLive = () =>
      kube.client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "intruder" });
    const pendingFor = (repoId: string, gitPath: string) =>
      eventually(
        () =>
          db()
            .deployment.findFirst({
              where: { pullRepoId: repoId, sourceKind: "pull-revision", state: "pending-approval", gitPath },
            })
            .then((d) => d ?? undefined),
        `pending request for ${gitPath}`,
      );
    const agent = await startTestAgent({ wharfUrl: server.url, credential: agentCaller.token, kubeClient });
    try {
      const repoId = await register(target.id, repo);
      const first = await pendingFor(repoId, "deploy");
      expect(
        (await http("POST", `/api/deployments/${first.id}/approvals`, approver, { decision: "approved" })).status,
      ).toBe(201);
      await eventually(
        async () => ((await configValue(kube.client, ns)) === "approved" ? true : undefined),
        "approved revision applied",
      );

      const patched = await http("PATCH", `/api/repos/${repoId}`, deployer, { path: "other", prune: false });
      expect(patched.status).toBe(200);
      const second = await pendingFor(repoId, "other");
      expect(second.revision).not.toBe(first.revision);
      await agent.syncNow(repoId);
      expect(await intruderLive()).toBeUndefined();
      // The reported symptom was a "drift corrected … (object missing)" that applied the new folder: self-heal now
      // restores the approved folder's object only.
      await kube.client.delete({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "web-config" });
      await agent.syncNow(repoId);
      expect(await configValue(kube.client, ns)).toBe("approved");
      expect(await intruderLive()).toBeUndefined();
      const status = await http<{ state: string }>("GET", `/api/targets/${target.id}/pull-status`, admin);
      expect(status.status).toBe(200);
      expect(status.body.state).not.toBe("in-sync");
      expect((await db().repoStatus.findUniqueOrThrow({ where: { repoId } })).state).not.toBe("in-sync");

      expect(
        (await http("POST", `/api/deployments/${second.id}/approvals`, approver, { decision: "approved" })).status,
      ).toBe(201);
      await eventually(async () => ((await intruderLive()) ? true : undefined), "approved spec applied");
      // Prune was switched off with it: the first folder's objects stay.
      expect(await configValue(kube.client, ns)).toBe("approved");
      await eventually(
        async () => ((await db().repoStatus.findUnique({ where: { repoId } }))?.state === "in-sync" ? true : undefined),
        "in sync with the new spec",
      );
    } finally {
      await agent.stop();
    }
  });

  it("enrols with the one-time token on first start, keeps the credential (0600) and uses it after a restart", async () => {
    const ns = uniqueName("e2e");
    const target = await createPullTarget();
    await db().target.update({ where: { id: target.id }, data: { defaultNamespace: ns } });
    const created = await http<{ secret: string }>("POST", "/api/agents", admin, {
      name: `enrol-${ns}`,
      targetIds: [target.id],
    });
    expect(created.status).toBe(201);
    const kubeClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const repo = await git.createRepo(`${ns}.git`);
    const sha = await repo.commit({
      files: appManifests({ value: "enrolled" }),
      author: { name: "A", email: "a@example.com" },
    });
    const persisted: string[] = [];
    const agent = await startTestAgent({
      wharfUrl: server.url,
      enrolmentToken: created.body.secret,
      kubeClient,
      persistCredential: async (c) => void persisted.push(c),
    });
    let stateDir = agent.stateDir;
    try {
      await eventually(() => (persisted.length === 1 ? true : undefined), "enrolment");
      const file = path.join(agent.stateDir, "credential");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(file, "utf8").trim()).toBe(persisted[0]);
      expect(persisted[0]).toMatch(/^wharfa_/);
      expect(agent.logs.join("\n")).not.toContain(persisted[0]);
      await register(target.id, repo);
      await eventually(
        async () => (await history(target.id)).find((r) => r.result === "synced" && shaOf(r) === sha),
        "synced after enrolment",
      );
    } finally {
      await agent.stop();
    }
    // Restarted without any token: the stored credential is used (the enrolment token is spent).
    const restarted = await startTestAgent({ wharfUrl: server.url, stateDir, kubeClient });
    stateDir = restarted.stateDir;
    try {
      await eventually(
        () => (restarted.status().get([...restarted.status().keys()][0] ?? "")?.state === "in-sync" ? true : undefined),
        "restarted agent in sync",
      );
      expect(restarted.logs.filter((l) => l.startsWith("wharf:"))).toEqual([]);
    } finally {
      await restarted.stop();
    }
  });

  it("an agent credential used for another target's repo → 403", async () => {
    const mine = await pullSetup();
    const other = await pullSetup();
    const otherRepoId = await register(other.target.id, other.repo);
    const client = new WharfClient({ url: server.url, credential: mine.agentCaller.token });
    const error = await client
      .sendEvents({
        events: [
          {
            id: crypto.randomUUID(),
            occurredAt: new Date().toISOString(),
            targetId: other.target.id,
            repoId: otherRepoId,
            kind: "sync",
            trigger: "poll",
            result: "synced",
            message: "",
          },
        ],
      })
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ code: "WHARF_FORBIDDEN", details: { status: 403 } });
    const assignments = await client.assignments(undefined);
    expect(assignments.targets.map((t) => t.targetId)).toEqual([mine.target.id]);
    expect(await db().syncEvent.count({ where: { repoId: otherRepoId } })).toBe(0);
  });
});
