import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as heartbeatRoute from "@/app/api/agent/v1/heartbeat/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as pinRoute from "@/app/api/repos/[id]/pin/route";
import * as repoRoute from "@/app/api/repos/[id]/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import {
  commitOfRevision,
  revisionIdOf,
  specOf,
  ZAssignments,
  type TRepoAssignment,
  type TRepoSpec,
} from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// The bypass this closes: on a target that requires approvals, a deployer changed a repository's path (or branch,
// or prune) after a revision was approved, and the agent applied the new folder under the old approval.

const t = useTestDatabase();
const db = () => dbFor(t.url);

let admin: Caller;
let deployer: Caller;
let approver: Caller;

beforeAll(async () => {
  [admin, deployer, approver] = await Promise.all([
    createCaller("admin"),
    createCaller("deployer"),
    createCaller("approver"),
  ]);
});

async function register(targetId: string): Promise<{ id: string }> {
  const res = await callRoute(reposRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/repos`,
    params: { id: targetId },
    body: {
      url: `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`,
      branch: "main",
      path: "deploy",
      prune: true,
    },
    as: deployer,
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function patch(repoId: string, body: Record<string, unknown>) {
  const res = await callRoute(repoRoute.PATCH, {
    method: "PATCH",
    path: `/api/repos/${repoId}`,
    params: { id: repoId },
    body,
    as: deployer,
  });
  expect(res.status).toBe(200);
  return res.body;
}

async function assignment(agent: AgentCaller, repoId: string): Promise<TRepoAssignment> {
  const res = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
  expect(res.status).toBe(200);
  const repo = ZAssignments.parse(res.body)
    .targets.flatMap((x) => x.repos)
    .find((r) => r.repoId === repoId);
  if (!repo) throw new Error("repo not assigned");
  return repo;
}

async function send(agent: AgentCaller, events: unknown[]) {
  const res = await callRoute(eventsRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/events",
    body: { events },
    as: agent,
  });
  expect(res.status).toBe(200);
}

async function heartbeat(
  agent: AgentCaller,
  repoId: string,
  revision: string,
  state: "in-sync" | "pending-approval" = "in-sync",
) {
  const res = await callRoute(heartbeatRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/heartbeat",
    body: { version: "test", hostname: "h", repos: [{ repoId, revision, state }] },
    as: agent,
  });
  expect(res.status).toBe(200);
}

async function approve(deploymentId: string) {
  const res = await callRoute(approvalsRoute.POST, {
    method: "POST",
    path: `/api/deployments/${deploymentId}/approvals`,
    params: { id: deploymentId },
    body: { decision: "approved" },
    as: approver,
  });
  expect(res.status).toBe(201);
}

const statusOf = async (repoId: string) => db().repoStatus.findUniqueOrThrow({ where: { repoId } });

/** The agent's side of one revision: it reports the revision as waiting (Wharf makes the request), returns the request. */
async function reportPending(agent: AgentCaller, targetId: string, repoId: string, revision: string, sha: string) {
  await send(agent, [
    syncEvent({
      targetId,
      repoId,
      kind: "pending-approval",
      result: "pending-approval",
      revision: { sha, id: revision, authorEmail: "dev@example.com" },
    }),
  ]);
  return db().deployment.findFirst({ where: { pullRepoId: repoId, revision, state: "pending-approval" } });
}

describe("a change of a pull repository's spec is a new revision (approval-gated target)", () => {
  it("path, branch and prune changed after approval: the agent keeps receiving the approved spec, the status is not in-sync, and the new spec is served only once approved", async () => {
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);

    // Revision 1: the registered spec at a commit, approved and applied.
    const first = await assignment(agent, repo.id);
    const spec1: TRepoSpec = specOf(first);
    expect(spec1).toMatchObject({ branch: "main", path: "deploy", prune: true });
    const sha = fakeSha();
    const rev1 = revisionIdOf(sha, {}, specDigestOf(spec1));
    const request1 = await reportPending(agent, target.id, repo.id, rev1, sha);
    expect(request1).toMatchObject({ gitPath: "deploy", gitRef: "main" });
    await approve(request1!.id);
    expect(await assignment(agent, repo.id)).toMatchObject({ approvedRevision: rev1, approvedSpec: spec1 });
    await send(agent, [
      syncEvent({ targetId: target.id, repoId: repo.id, trigger: "approval", revision: { sha, id: rev1 } }),
    ]);
    await heartbeat(agent, repo.id, rev1);
    expect((await statusOf(repo.id)).state).toBe("in-sync");
    expect((await db().deployment.findUniqueOrThrow({ where: { id: request1!.id } })).state).toBe("succeeded");

    // A deployer points the repository elsewhere.
    await patch(repo.id, { path: "attacker", branch: "other", prune: false });
    const after = await assignment(agent, repo.id);
    // The current settings are there (so the agent can report the new revision with its diff)…
    expect(after).toMatchObject({ path: "attacker", branch: "other", prune: false });
    // …but what it may apply is still the approved revision with the approved spec, as a unit.
    expect(after.approvedRevision).toBe(rev1);
    expect(after.approvedSpec).toEqual(spec1);
    const spec2 = specOf(after);
    expect(specDigestOf(spec2)).not.toBe(specDigestOf(spec1));

    // Not in sync: at once, and whatever a heartbeat still carrying the old revision says.
    const changed = await statusOf(repo.id);
    expect(changed.state).toBe("out-of-sync");
    expect(changed.message).toContain("waits for approval");
    await heartbeat(agent, repo.id, rev1);
    expect((await statusOf(repo.id)).state).toBe("out-of-sync");

    // The agent reports the revision of the new spec: a new request, for the new folder, waiting for approval.
    const sha2 = fakeSha();
    const rev2 = revisionIdOf(sha2, {}, specDigestOf(spec2));
    const request2 = await reportPending(agent, target.id, repo.id, rev2, sha2);
    expect(request2).toMatchObject({ state: "pending-approval", gitPath: "attacker", gitRef: "other", revision: rev2 });
    // A report made with the old spec after the change (the agent had not seen it yet) asks for nothing.
    const stale = revisionIdOf(fakeSha(), {}, specDigestOf(spec1));
    expect(await reportPending(agent, target.id, repo.id, stale, commitOfRevision(stale))).toBeNull();
    expect((await assignment(agent, repo.id)).approvedSpec).toEqual(spec1);

    // Approved: the new spec is served with it.
    await approve(request2!.id);
    const approved = await assignment(agent, repo.id);
    expect(approved.approvedRevision).toBe(rev2);
    expect(approved.approvedSpec).toEqual(spec2);
    await heartbeat(agent, repo.id, rev2);
    expect((await statusOf(repo.id)).state).toBe("in-sync");

    // The change is audited with the digests.
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "repo.updated", subjectId: repo.id } });
    expect(JSON.parse(audit.details)).toMatchObject({
      specDigest: specDigestOf(spec2),
      previousSpecDigest: specDigestOf(spec1),
    });
  });

  it("who changed the settings may not approve the revision that first applies them; once someone else did, later commits are theirs to approve", async () => {
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);
    // An admin may both change settings and approve: the one person who must not approve this change alone.
    const changed = await callRoute(repoRoute.PATCH, {
      method: "PATCH",
      path: `/api/repos/${repo.id}`,
      params: { id: repo.id },
      body: { path: "elsewhere" },
      as: admin,
    });
    expect(changed.status).toBe(200);
    const spec = specOf(await assignment(agent, repo.id));
    const sha = fakeSha();
    const request = await reportPending(agent, target.id, repo.id, revisionIdOf(sha, {}, specDigestOf(spec)), sha);
    expect(request).toMatchObject({ settingsAuthorId: admin.userId });
    const own = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${request!.id}/approvals`,
      params: { id: request!.id },
      body: { decision: "approved" },
      as: admin,
    });
    expect(own.status).toBe(403);
    expect(own.body.error).toMatchObject({
      code: "APPROVAL_SELF_FORBIDDEN",
      message: expect.stringContaining("changed the repository settings"),
    });
    await approve(request!.id);

    // The next commit under the settings someone else approved: the admin may approve it.
    const sha2 = fakeSha();
    const next = await reportPending(agent, target.id, repo.id, revisionIdOf(sha2, {}, specDigestOf(spec)), sha2);
    expect(next).toMatchObject({ settingsAuthorId: null });
    const byAdmin = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${next!.id}/approvals`,
      params: { id: next!.id },
      body: { decision: "approved" },
      as: admin,
    });
    expect(byAdmin.status).toBe(201);
  });

  it("a rollback pin to a revision of earlier settings asks approval for those settings, and is served with them", async () => {
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);
    const spec1 = specOf(await assignment(agent, repo.id));
    const sha = fakeSha();
    const rev1 = revisionIdOf(sha, {}, specDigestOf(spec1));
    await send(agent, [syncEvent({ targetId: target.id, repoId: repo.id, revision: { sha, id: rev1 } })]);
    await patch(repo.id, { path: "elsewhere" });
    const pinned = await callRoute(pinRoute.POST, {
      method: "POST",
      path: `/api/repos/${repo.id}/pin`,
      params: { id: repo.id },
      body: { revision: rev1 },
      as: deployer,
    });
    expect(pinned.body.outcome).toBe("pending-approval");
    expect(
      await db().deployment.findUniqueOrThrow({ where: { id: pinned.body.deploymentId as string } }),
    ).toMatchObject({ revision: rev1, gitPath: "deploy" });
    await approve(pinned.body.deploymentId as string);
    const a = await assignment(agent, repo.id);
    expect(a).toMatchObject({ pinnedRevision: rev1, pinnedSpec: spec1, path: "elsewhere" });
  });

  it("a revision approved before spec digests (a commit SHA alone) is served with the spec the repository had before its change", async () => {
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);
    const spec1 = specOf(await assignment(agent, repo.id));
    const sha = fakeSha();
    const request = await reportPending(agent, target.id, repo.id, sha, sha);
    await approve(request!.id);
    await patch(repo.id, { path: "elsewhere" });
    const after = await assignment(agent, repo.id);
    expect(after.approvedRevision).toBe(sha);
    expect(after.approvedSpec).toEqual(spec1);
  });

  it("poll interval and self-heal are not part of the spec: changing them keeps the status and needs no approval", async () => {
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);
    const spec = specOf(await assignment(agent, repo.id));
    const rev = revisionIdOf(fakeSha(), {}, specDigestOf(spec));
    await heartbeat(agent, repo.id, rev);
    await patch(repo.id, { pollIntervalSeconds: 30, selfHeal: false });
    expect((await statusOf(repo.id)).state).toBe("in-sync");
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "repo.updated", subjectId: repo.id } });
    expect(JSON.parse(audit.details).specDigest).toBeUndefined();
  });
});

describe("a change of a pull repository's spec without approvals", () => {
  it("re-syncs: out-of-sync until the agent reports the new spec's revision; a pin to the earlier revision is served with the earlier spec", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id);
    const spec1 = specOf(await assignment(agent, repo.id));
    const sha = fakeSha();
    const rev1 = revisionIdOf(sha, {}, specDigestOf(spec1));
    await send(agent, [syncEvent({ targetId: target.id, repoId: repo.id, revision: { sha, id: rev1 } })]);
    expect((await statusOf(repo.id)).state).toBe("in-sync");

    await patch(repo.id, { path: "v2" });
    expect((await statusOf(repo.id)).state).toBe("out-of-sync");
    const spec2 = specOf(await assignment(agent, repo.id));
    const rev2 = revisionIdOf(sha, {}, specDigestOf(spec2));
    await heartbeat(agent, repo.id, rev2);
    expect((await statusOf(repo.id)).state).toBe("in-sync");

    const pinned = await callRoute(pinRoute.POST, {
      method: "POST",
      path: `/api/repos/${repo.id}/pin`,
      params: { id: repo.id },
      body: { revision: rev1 },
      as: deployer,
    });
    expect(pinned.status).toBe(200);
    const a = await assignment(agent, repo.id);
    expect(a.pinnedRevision).toBe(rev1);
    expect(a.pinnedSpec).toEqual(spec1);
  });
});
