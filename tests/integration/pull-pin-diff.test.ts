import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as deploymentRoute from "@/app/api/deployments/[id]/route";
import * as pinRoute from "@/app/api/repos/[id]/pin/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import { ZAssignments, type TDiff, type TSyncEventInput } from "@/lib/agent/protocol";
import { dbFor } from "@/lib/db/client";
import type { DeploymentView } from "@/lib/deployments/schemas";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// Issue 15, Must 4 (pull): a person's pin request awaiting approval (a rollback or a promotion) reaches the agent in
// its assignment, and the agent's dry run of it becomes that request's diff — on both databases. The agent side (the
// dry run itself) runs against a real cluster in agent-e2e-promote.test.ts.

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

const base = Date.UTC(2026, 5, 1, 12);
const at = (minute: number) => new Date(base + minute * 60_000).toISOString();

async function send(agent: AgentCaller, events: TSyncEventInput[]) {
  const res = await callRoute(eventsRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/events",
    body: { events },
    as: agent,
  });
  expect(res.status, res.text).toBe(200);
}

async function assignment(agent: AgentCaller) {
  const res = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
  expect(res.status, res.text).toBe(200);
  return ZAssignments.parse(res.body).targets[0]!.repos[0]!;
}

async function view(id: string): Promise<DeploymentView> {
  const res = await callRoute(deploymentRoute.GET, { path: `/api/deployments/${id}`, params: { id }, as: deployer });
  expect(res.status, res.text).toBe(200);
  return res.body as DeploymentView;
}

const diff: TDiff = {
  counts: { create: 0, change: 1, unchanged: 2, prune: 0, error: 0 },
  objects: [
    {
      ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
      action: "change",
      changes: [{ path: "spec.template.spec.containers[0].image", op: "change", old: "web:2", new: "web:1" }],
    },
  ],
  truncated: false,
};

describe("the diff of a pin request awaiting approval", () => {
  it("goes to the agent with the request's revision and spec, and the agent's dry run becomes the request's diff", async () => {
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const created = await callRoute(reposRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repos`,
      params: { id: target.id },
      body: { url: `https://git.example.test/${fakeSha().slice(0, 10)}.git`, branch: "main" },
      as: deployer,
    });
    expect(created.status, created.text).toBe(201);
    const repoId = (created.body as { id: string }).id;
    const ids = { targetId: target.id, repoId };
    const [c1, c2] = [fakeSha(), fakeSha()];
    const commit = (sha: string) => ({
      sha,
      message: `commit ${sha.slice(0, 6)}`,
      authorName: "Ada",
      authorEmail: "ada@x",
    });
    await send(agent, [
      syncEvent({ ...ids, occurredAt: at(0), trigger: "approval", revision: commit(c1) }),
      syncEvent({ ...ids, occurredAt: at(1), trigger: "approval", revision: commit(c2) }),
    ]);
    // Older agents and repositories without a pin request get the assignment they always had.
    expect(await assignment(agent)).not.toHaveProperty("pendingPins");

    const pinned = await callRoute(pinRoute.POST, {
      method: "POST",
      path: `/api/repos/${repoId}/pin`,
      params: { id: repoId },
      body: { revision: c1 },
      as: deployer,
    });
    expect(pinned.status, pinned.text).toBe(200);
    expect(pinned.body.outcome).toBe("pending-approval");
    const requestId = pinned.body.deploymentId as string;
    const request = await db().deployment.findUniqueOrThrow({ where: { id: requestId } });

    // The assignment carries the request, with its spec; the pin is not in force.
    const repo = await assignment(agent);
    expect(repo.pinnedRevision).toBeNull();
    expect(repo.pendingPins).toEqual([
      { requestId, revision: request.revision, spec: expect.objectContaining({ branch: "main", path: "." }) },
    ]);
    const waiting = await view(requestId);
    expect(waiting).toMatchObject({
      previewByAgent: true,
      preview: null,
      previewError: null,
      state: "pending-approval",
    });

    // The agent's dry run: a pending-approval event naming the request.
    const statusBefore = await db().repoStatus.findUniqueOrThrow({ where: { repoId } });
    await send(agent, [
      syncEvent({
        ...ids,
        occurredAt: at(3),
        kind: "pending-approval",
        result: "pending-approval",
        trigger: "poll",
        revision: { ...commit(c1), id: request.revision! },
        diff,
        pinRequestId: requestId,
        message: "pinned revision awaits approval",
      }),
      // A replayed older failure does not replace it; an unknown request takes nothing.
      syncEvent({
        ...ids,
        occurredAt: at(2),
        kind: "pending-approval",
        result: "pending-approval",
        pinRequestId: requestId,
        message: "the dry run failed: git unreachable",
      }),
      syncEvent({ ...ids, kind: "pending-approval", result: "pending-approval", pinRequestId: "nope", diff }),
    ]);
    const shown = await view(requestId);
    expect(shown.previewError).toBeNull();
    expect(shown.previewedAt).toBe(at(3));
    expect(shown.preview?.counts).toMatchObject({ change: 1, unchanged: 2 });
    expect(shown.preview?.objects[0]).toMatchObject({
      kind: "Deployment",
      name: "web",
      action: "change",
      changes: [{ path: "spec.template.spec.containers[0].image", op: "change", old: "web:2", new: "web:1" }],
    });
    // It asked no approval of its own and left the repository's status as it was.
    expect(await db().deployment.count({ where: { pullRepoId: repoId, requestedByKind: "agent" } })).toBe(0);
    const statusAfter = await db().repoStatus.findUniqueOrThrow({ where: { repoId } });
    expect([statusAfter.state, statusAfter.revision, statusAfter.updatedAt]).toEqual([
      statusBefore.state,
      statusBefore.revision,
      statusBefore.updatedAt,
    ]);

    // Approved, the pin goes in force and the request leaves the list.
    const approved = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${requestId}/approvals`,
      params: { id: requestId },
      body: { decision: "approved" },
      as: approver,
    });
    expect(approved.status, approved.text).toBe(201);
    const after = await assignment(agent);
    expect(after.pinnedRevision).toBe(request.revision);
    expect(after).not.toHaveProperty("pendingPins");
  });

  it("shows why when the agent could not dry-run the pin", async () => {
    const target = await createPullTarget({ requiredApprovals: 1 });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const created = await callRoute(reposRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repos`,
      params: { id: target.id },
      body: { url: `https://git.example.test/${fakeSha().slice(0, 10)}.git`, branch: "main" },
      as: deployer,
    });
    const repoId = (created.body as { id: string }).id;
    const c1 = fakeSha();
    await send(agent, [
      syncEvent({
        targetId: target.id,
        repoId,
        occurredAt: at(0),
        trigger: "approval",
        revision: { sha: c1, message: "", authorName: "Ada", authorEmail: "ada@x" },
      }),
      syncEvent({
        targetId: target.id,
        repoId,
        occurredAt: at(1),
        trigger: "approval",
        revision: { sha: fakeSha(), message: "", authorName: "Ada", authorEmail: "ada@x" },
      }),
    ]);
    const pinned = await callRoute(pinRoute.POST, {
      method: "POST",
      path: `/api/repos/${repoId}/pin`,
      params: { id: repoId },
      body: { revision: c1 },
      as: deployer,
    });
    const requestId = pinned.body.deploymentId as string;
    await send(agent, [
      syncEvent({
        targetId: target.id,
        repoId,
        occurredAt: at(2),
        kind: "pending-approval",
        result: "pending-approval",
        pinRequestId: requestId,
        message: "the dry run of pinned revision failed: commit not found",
      }),
    ]);
    const shown = await view(requestId);
    expect(shown.preview).toBeNull();
    expect(shown.previewError).toBe("the dry run of pinned revision failed: commit not found");
  });
});
