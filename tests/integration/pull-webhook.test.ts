import { beforeAll, describe, expect, it } from "vitest";
import { LONG_POLL_TIMEOUT_MS } from "@/lib/agent/protocol";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import * as webhookRoute from "@/app/api/webhooks/git/route";
import { dbFor } from "@/lib/db/client";
import { githubSignature } from "@/lib/deployments/webhooks";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, fakeSha } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
});

function push(url: string, branch: string) {
  const sha = fakeSha();
  return {
    ref: `refs/heads/${branch}`,
    before: "0".repeat(40),
    after: sha,
    deleted: false,
    repository: { full_name: "team/app", clone_url: url, html_url: url },
    pusher: { name: "octocat", email: "octo@example.com" },
    head_commit: { id: sha, message: "change" },
  };
}

async function deliver(body: unknown, secret: string, delivery: string) {
  const raw = JSON.stringify(body);
  return callRoute(webhookRoute.POST, {
    method: "POST",
    path: "/api/webhooks/git",
    body: raw,
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": delivery,
      "x-hub-signature-256": githubSignature(secret, raw),
    },
  });
}

describe("push webhook for a repository registered on a pull target", () => {
  it("a verified push wakes the agent's long poll with notifySeq bumped; a bad signature changes nothing", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const url = `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`;
    const repo = await callRoute(reposRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repos`,
      params: { id: target.id },
      body: { url },
      as: admin,
    });
    expect(repo.status).toBe(201);
    // The binding holds the webhook secret for the pull target (no deployments are requested for pull targets).
    const binding = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repo-bindings`,
      params: { id: target.id },
      body: { repoUrl: url, branch: "main", path: "." },
      as: admin,
    });
    expect(binding.status).toBe(201);
    const secret = binding.body.secret as string;

    const poll = (q = "") => callRoute(assignmentsRoute.GET, { path: `/api/agent/v1/assignments${q}`, as: agent });
    const { version } = (await poll()).body as { version: string };

    const bad = await deliver(push(url, "main"), "wrong-secret", "d-bad");
    expect(bad.status).toBe(401);
    expect((await db().pullRepo.findUniqueOrThrow({ where: { id: repo.body.id } })).notifySeq).toBe(0);

    const other = await deliver(push(url, "feature"), secret, "d-other-branch");
    expect(other.status).toBe(200);
    expect((await db().pullRepo.findUniqueOrThrow({ where: { id: repo.body.id } })).notifySeq).toBe(0);

    const t0 = Date.now();
    const waiting = poll(`?since=${version}`);
    await new Promise((r) => setTimeout(r, 200));
    const ok = await deliver(push(url.replace(/\.git$/, ""), "main"), secret, "d-ok");
    expect(ok.status).toBe(202);
    expect(ok.body.pullReposNotified).toBe(1);
    expect(ok.body.deployments).toEqual([]);
    const woke = await waiting;
    // Woken by the change: a poll nobody woke answers only when its hold runs out.
    expect(Date.now() - t0).toBeLessThan(LONG_POLL_TIMEOUT_MS);
    expect(woke.body.changed).toBe(true);
    expect(woke.body.targets[0].repos[0].notifySeq).toBe(1);
    expect(await db().deployment.count({ where: { targetId: target.id } })).toBe(0);

    // A replayed delivery does not notify again.
    const replay = await deliver(push(url, "main"), secret, "d-ok");
    expect(replay.body.ignored).toBe("replay");
    expect((await db().pullRepo.findUniqueOrThrow({ where: { id: repo.body.id } })).notifySeq).toBe(1);
  });
});
