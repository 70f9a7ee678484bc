import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as heartbeatRoute from "@/app/api/agent/v1/heartbeat/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as repoRoute from "@/app/api/repos/[id]/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import * as syncEventsRoute from "@/app/api/sync-events/route";
import { revisionIdOf, specOf, ZAssignments, type TRepoAssignment } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { dbFor } from "@/lib/db/client";
import type { SyncEventView } from "@/lib/sync/schemas";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, fakeSha, syncEvent, type AgentCaller } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// Issue 14 (Must 6): a pull revision is made with a spec — URL, branch, path and the application's render options —
// and the sync history shows, per row, the spec that row's revision was synced with (found by the digest its id
// ends with), so registrations of one repository read apart and a changed path does not relabel older syncs.

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

async function register(targetId: string, url: string, path: string): Promise<{ id: string }> {
  const res = await callRoute(reposRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/repos`,
    params: { id: targetId },
    body: { url, branch: "main", path, prune: true },
    as: deployer,
  });
  expect(res.status).toBe(201);
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

async function history(targetId: string): Promise<SyncEventView[]> {
  const res = await callRoute(syncEventsRoute.GET, { path: `/api/sync-events?targetId=${targetId}`, as: admin });
  expect(res.status).toBe(200);
  return res.body.items as SyncEventView[];
}

/** What an application's render options are set to (the applications API writes the same column). */
async function setRenderOptions(repoId: string, renderOptions: unknown) {
  const { applicationId } = await db().pullRepo.findUniqueOrThrow({ where: { id: repoId } });
  await db().application.update({
    where: { id: applicationId! },
    data: { renderOptions: JSON.stringify(renderOptions) },
  });
}

const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 12, minute)).toISOString();

describe("sync history rows keep the spec they were synced with", () => {
  it("three registrations of one repository, one of them moved to another path, read apart; render kinds show", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const url = `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`;
    const [a, b, c] = [
      await register(target.id, url, "apps/a"),
      await register(target.id, url, "apps/b"),
      await register(target.id, url, "charts/web"),
    ];
    const sha = fakeSha();
    const revisionOf = async (repoId: string) =>
      revisionIdOf(sha, {}, specDigestOf(specOf(await assignment(agent, repoId))));
    const revA1 = await revisionOf(a.id);
    await send(agent, [
      syncEvent({ targetId: target.id, repoId: a.id, occurredAt: at(1), revision: { sha, id: revA1 } }),
      syncEvent({
        targetId: target.id,
        repoId: b.id,
        occurredAt: at(2),
        revision: { sha, id: await revisionOf(b.id) },
      }),
    ]);

    // Registration a moves to another folder; c's application renders its chart with a values file.
    const moved = await callRoute(repoRoute.PATCH, {
      method: "PATCH",
      path: `/api/repos/${a.id}`,
      params: { id: a.id },
      body: { path: "apps/a2" },
      as: deployer,
    });
    expect(moved.status).toBe(200);
    await setRenderOptions(c.id, { kind: "helm", helm: { valuesFiles: ["values-prod.yaml"], values: {} } });
    const chart = await assignment(agent, c.id);
    expect(chart.render).toEqual({ kind: "helm", helm: { valuesFiles: ["values-prod.yaml"], values: {} } });
    await send(agent, [
      syncEvent({
        targetId: target.id,
        repoId: a.id,
        occurredAt: at(3),
        revision: { sha, id: await revisionOf(a.id) },
      }),
      syncEvent({
        targetId: target.id,
        repoId: c.id,
        occurredAt: at(4),
        revision: { sha, id: await revisionOf(c.id) },
      }),
      // An agent older than spec digests: Wharf cannot tell which settings made it, and does not pretend to.
      syncEvent({ targetId: target.id, repoId: b.id, occurredAt: at(5), revision: { sha, id: sha } }),
    ]);

    const rows = await history(target.id);
    expect(
      rows.map((r) => [r.repo?.id, r.repo?.path, r.spec && `${r.spec.path} @ ${r.spec.branch} (${r.spec.render})`]),
    ).toEqual([
      [b.id, "apps/b", null],
      [c.id, "charts/web", "charts/web @ main (helm)"],
      [a.id, "apps/a2", "apps/a2 @ main (auto)"],
      [b.id, "apps/b", "apps/b @ main (auto)"],
      // Synced before the move: its own path, not the registration's current one.
      [a.id, "apps/a2", "apps/a @ main (auto)"],
    ]);
    expect(rows.every((r) => r.spec === null || r.spec.url === url)).toBe(true);
  });
});

describe("a change of render options on an approval-gated pull target", () => {
  it("is a new revision: the agent keeps the approved spec, the status is not in-sync, and the new options are served once approved", async () => {
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const repo = await register(target.id, `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`, "charts/web");
    const first = await assignment(agent, repo.id);
    // Default render options: no `render` at all, so the spec (and digest) is the one repositories always had.
    expect(first.render).toBeUndefined();
    const spec1 = specOf(first);
    const sha = fakeSha();
    const rev1 = revisionIdOf(sha, {}, specDigestOf(spec1));
    const approveRevision = async (revision: string) => {
      await send(agent, [
        syncEvent({
          targetId: target.id,
          repoId: repo.id,
          kind: "pending-approval",
          result: "pending-approval",
          revision: { sha, id: revision },
        }),
      ]);
      const request = await db().deployment.findFirstOrThrow({ where: { pullRepoId: repo.id, revision } });
      const res = await callRoute(approvalsRoute.POST, {
        method: "POST",
        path: `/api/deployments/${request.id}/approvals`,
        params: { id: request.id },
        body: { decision: "approved" },
        as: approver,
      });
      expect(res.status).toBe(201);
    };
    await approveRevision(rev1);
    await send(agent, [
      syncEvent({ targetId: target.id, repoId: repo.id, trigger: "approval", revision: { sha, id: rev1 } }),
    ]);

    // The application's inline values change; the commit does not.
    await setRenderOptions(repo.id, {
      kind: "helm",
      helm: { releaseName: "shop", valuesFiles: [], values: { color: "red" } },
    });
    const after = await assignment(agent, repo.id);
    expect(after.render).toEqual({
      kind: "helm",
      helm: { releaseName: "shop", valuesFiles: [], values: { color: "red" } },
    });
    expect(after).toMatchObject({ approvedRevision: rev1, approvedSpec: spec1 });
    const spec2 = specOf(after);
    const rev2 = revisionIdOf(sha, {}, specDigestOf(spec2));
    expect(rev2).not.toBe(rev1);
    const hb = await callRoute(heartbeatRoute.POST, {
      method: "POST",
      path: "/api/agent/v1/heartbeat",
      body: { version: "test", hostname: "h", repos: [{ repoId: repo.id, revision: rev1, state: "in-sync" }] },
      as: agent,
    });
    expect(hb.status).toBe(200);
    expect((await db().repoStatus.findUniqueOrThrow({ where: { repoId: repo.id } })).state).toBe("out-of-sync");

    await approveRevision(rev2);
    expect(await assignment(agent, repo.id)).toMatchObject({ approvedRevision: rev2, approvedSpec: spec2 });
  });
});
