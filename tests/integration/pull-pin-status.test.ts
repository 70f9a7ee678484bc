import { beforeAll, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as pinRoute from "@/app/api/repos/[id]/pin/route";
import * as syncEventsRoute from "@/app/api/sync-events/route";
import * as pullStatusRoute from "@/app/api/targets/[id]/pull-status/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import { pinnedLabel } from "@/lib/repos/branch-position";
import type { PinPreview, PullRepoView } from "@/lib/repos/schemas";
import type { PullStatusView, SyncEventView } from "@/lib/sync/schemas";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

useTestDatabase();
let admin: Caller;
let deployer: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
  deployer = await createCaller("deployer");
});

const base = Date.UTC(2026, 5, 1, 12);
const at = (minute: number) => new Date(base + minute * 60_000).toISOString();

async function setUp(requiredApprovals = 0) {
  const target = await createPullTarget({ requiredApprovals });
  const agent = await createEnrolledAgent(admin, [target.id]);
  const res = await callRoute(reposRoute.POST, {
    method: "POST",
    path: `/api/targets/${target.id}/repos`,
    params: { id: target.id },
    body: { url: `https://git.example.test/${fakeSha().slice(0, 10)}.git`, branch: "main" },
    as: deployer,
  });
  expect(res.status).toBe(201);
  return { target, agent, repoId: (res.body as { id: string }).id };
}

/** One commit the agent reported: synced from the branch under `trigger`. */
function report(
  ids: { targetId: string; repoId: string },
  sha: string,
  minute: number,
  over: Partial<Parameters<typeof syncEvent>[0]> = {},
) {
  return syncEvent({
    ...ids,
    occurredAt: at(minute),
    revision: { sha, message: `commit ${sha.slice(0, 6)}`, authorName: "Ada Author", authorEmail: "ada@x" },
    ...over,
  });
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

async function status(targetId: string): Promise<PullStatusView> {
  const res = await callRoute(pullStatusRoute.GET, {
    path: `/api/targets/${targetId}/pull-status`,
    params: { id: targetId },
    as: deployer,
  });
  expect(res.status).toBe(200);
  return res.body as PullStatusView;
}

async function preview(repoId: string, revision?: string): Promise<PinPreview> {
  const res = await callRoute(pinRoute.GET, {
    path: `/api/repos/${repoId}/pin${revision ? `?revision=${revision}` : ""}`,
    params: { id: repoId },
    as: deployer,
  });
  expect(res.status).toBe(200);
  return res.body as PinPreview;
}

const pin = (repoId: string, revision: string | null) =>
  callRoute(pinRoute.POST, {
    method: "POST",
    path: `/api/repos/${repoId}/pin`,
    params: { id: repoId },
    body: { revision },
    as: deployer,
  });

/** The label the status shows for a repository, as the badge computes it. */
const label = (r: PullRepoView) =>
  r.status?.state === "in-sync" && r.pin ? pinnedLabel(r.pin, r.branch) : (r.status?.state ?? "unknown");

describe("pinned status", () => {
  it("reads in sync while following the branch, and pinned N commits behind once rolled back", async () => {
    const { target, agent, repoId } = await setUp();
    const ids = { targetId: target.id, repoId };
    const [c1, c2, c3] = [fakeSha(), fakeSha(), fakeSha()];
    await send(agent, [
      report(ids, c1, 0, { trigger: "registered" }),
      report(ids, c2, 1, { trigger: "poll" }),
      report(ids, c3, 2, { trigger: "notify" }),
      report(ids, c3, 3, { trigger: "drift", result: "drift-corrected" }),
    ]);
    let repo = (await status(target.id)).repos[0]!;
    expect(repo.pin).toBeNull();
    expect(label(repo)).toBe("in-sync");

    // The history marks the running revision (no rollback offered there) and only it.
    const history = await callRoute(syncEventsRoute.GET, { path: `/api/sync-events?repoId=${repoId}`, as: deployer });
    const items = history.body.items as SyncEventView[];
    expect(items.filter((e) => e.live).map((e) => e.revision?.sha)).toEqual([c3, c3]);
    expect(items.filter((e) => !e.live).map((e) => e.revision?.sha)).toEqual([c2, c1]);

    // What the confirmation names before anything changes: from c3 to c1, two commits back.
    const before = await preview(repoId, c1);
    expect(before.from).toMatchObject({ sha: c3, message: `commit ${c3.slice(0, 6)}`, authorName: "Ada Author" });
    expect(before.to).toMatchObject({ sha: c1, message: `commit ${c1.slice(0, 6)}` });
    expect([before.fromBehind, before.toBehind, before.requiredApprovals]).toEqual([0, 2, 0]);
    expect((await status(target.id)).repos[0]!.pinnedRevision).toBeNull();

    expect((await pin(repoId, c1)).body.outcome).toBe("pinned");
    await send(agent, [report(ids, c1, 4, { trigger: "rollback" })]);
    const pinned = await status(target.id);
    repo = pinned.repos[0]!;
    expect(pinned.state).toBe("in-sync");
    expect(repo.pin).toEqual({ revision: c1, sha: c1, branchHeadSha: c3, behind: 2 });
    expect(label(repo)).toBe("Pinned, 2 commits behind main");

    // Unpinning moves to the branch head the agent last reported: c3, two commits ahead.
    const unpin = await preview(repoId);
    expect(unpin.from?.sha).toBe(c1);
    expect(unpin.to?.sha).toBe(c3);
    expect(unpin.fromBehind).toBe(2);
    expect((await pin(repoId, null)).body.outcome).toBe("unpinned");
    await send(agent, [report(ids, c3, 5, { trigger: "poll" })]);
    repo = (await status(target.id)).repos[0]!;
    expect(repo.pin).toBeNull();
    expect(label(repo)).toBe("in-sync");
  });

  it("names both commits when the count is unknown (the branch was reset behind the pinned one)", async () => {
    const { target, agent, repoId } = await setUp();
    const ids = { targetId: target.id, repoId };
    const [c1, c2] = [fakeSha(), fakeSha()];
    await send(agent, [
      report(ids, c1, 0, { trigger: "registered" }),
      report(ids, c2, 1),
      report(ids, c1, 2), // a force-push back to c1
    ]);
    expect((await pin(repoId, c2)).body.outcome).toBe("pinned");
    await send(agent, [report(ids, c2, 3, { trigger: "rollback" })]);
    const repo = (await status(target.id)).repos[0]!;
    expect(repo.pin).toMatchObject({ sha: c2, branchHeadSha: c1, behind: null });
    expect(label(repo)).toBe(`Pinned at ${c2.slice(0, 10)}, main is at ${c1.slice(0, 10)}`);
  });

  it("counts commits held for approval on an approval-gated target, and the preview says approval is needed", async () => {
    const { target, agent, repoId } = await setUp(1);
    const ids = { targetId: target.id, repoId };
    const [c1, c2, c3] = [fakeSha(), fakeSha(), fakeSha()];
    await send(agent, [
      report(ids, c1, 0, { trigger: "approval" }),
      report(ids, c2, 1, { kind: "pending-approval", result: "pending-approval" }),
      report(ids, c3, 2, { kind: "pending-approval", result: "pending-approval" }),
    ]);
    const p = await preview(repoId, c1);
    expect(p.requiredApprovals).toBe(1);
    expect(p.toBehind).toBe(2);
    expect(p.branchHead?.sha).toBe(c3);
    const requested = await pin(repoId, c1);
    expect(requested.body.outcome).toBe("pending-approval");

    // The agent's dry run of that request names c1, the commit asked for, not where the branch is: the branch head
    // and the count stay as the branch reports left them.
    await send(agent, [
      report(ids, c1, 3, {
        kind: "pending-approval",
        result: "pending-approval",
        pinRequestId: (requested.body as { deploymentId: string }).deploymentId,
      }),
    ]);
    const requestId = (requested.body as { deploymentId: string }).deploymentId;
    const history = await callRoute(syncEventsRoute.GET, { path: `/api/sync-events?repoId=${repoId}`, as: deployer });
    expect((history.body.items as SyncEventView[]).map((e) => e.pinRequestId)).toEqual([requestId, null, null, null]);
    const after = await preview(repoId, c1);
    expect(after.branchHead?.sha).toBe(c3);
    expect(after.toBehind).toBe(2);
    const unknown = await callRoute(pinRoute.GET, {
      path: `/api/repos/${repoId}/pin?revision=${fakeSha()}`,
      params: { id: repoId },
      as: deployer,
    });
    expect(unknown.status).toBe(422);
  });
});
