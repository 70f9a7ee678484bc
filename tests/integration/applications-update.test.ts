import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as eventsRoute from "@/app/api/agent/v1/events/route";
import * as applicationRoute from "@/app/api/applications/[id]/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as approvalsRoute from "@/app/api/deployments/[id]/approvals/route";
import * as repoRoute from "@/app/api/repos/[id]/route";
import { revisionIdOf, specOf, ZAssignments, type TRepoAssignment } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { dbFor } from "@/lib/db/client";
import { repoKey } from "@/lib/repos/url";
import { callRoute, createCaller, type Caller } from "../support/api";
import {
  createEnrolledAgent,
  createPullTarget,
  createPushTarget,
  fakeSha,
  syncEvent,
  type AgentCaller,
} from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// PATCH /api/applications/:id, and the repository route that changes a pull application's source from the other
// side. Push: a change is stored and waits for the next deployment. Pull: it is a change of the registered
// repository, so a changed ref, path or prune flag is a new revision that goes through the target's approval rule.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let deployer: Caller;
let approver: Caller;
let viewer: Caller;

beforeAll(async () => {
  [admin, deployer, approver, viewer] = await Promise.all([
    createCaller("admin"),
    createCaller("deployer"),
    createCaller("approver"),
    createCaller("viewer"),
  ]);
});

const create = async (body: unknown) => {
  const res = await callRoute(applicationsRoute.POST, {
    method: "POST",
    path: "/api/applications",
    body,
    as: deployer,
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
};
const patch = (id: string, body: unknown, as: Caller = deployer) =>
  callRoute(applicationRoute.PATCH, { method: "PATCH", path: `/api/applications/${id}`, params: { id }, body, as });
const auditOf = (subjectId: string) =>
  db().auditEvent.findMany({ where: { subjectId }, orderBy: { seq: "asc" }, select: { action: true, details: true } });

async function assignment(agent: AgentCaller, repoId: string): Promise<TRepoAssignment> {
  const res = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
  expect(res.status).toBe(200);
  const repo = ZAssignments.parse(res.body)
    .targets.flatMap((x) => x.repos)
    .find((r) => r.repoId === repoId);
  if (!repo) throw new Error("repo not assigned");
  return repo;
}

/** The agent reports a revision waiting for approval; Wharf makes the request, returned here. */
async function reportPending(agent: AgentCaller, targetId: string, repoId: string, revision: string, sha: string) {
  const res = await callRoute(eventsRoute.POST, {
    method: "POST",
    path: "/api/agent/v1/events",
    body: {
      events: [
        syncEvent({
          targetId,
          repoId,
          kind: "pending-approval",
          result: "pending-approval",
          revision: { sha, id: revision, authorEmail: "dev@example.com" },
        }),
      ],
    },
    as: agent,
  });
  expect(res.status).toBe(200);
  return db().deployment.findFirst({ where: { pullRepoId: repoId, revision, state: "pending-approval" } });
}

describe("PATCH /api/applications/:id", () => {
  it("push: refuses what does not fit with {error:{code,message}} and changes nothing; a valid change is stored for the next deployment", async () => {
    const target = await createPushTarget();
    const app = await create({ name: "web", targetId: target.id, source: { kind: "manifests" } });
    const rowBefore = await db().application.findUniqueOrThrow({ where: { id: app.id } });

    const refused: [unknown, number, string, string | null][] = [
      [{ selfHeal: false }, 422, "VALIDATION_FAILED", "selfHeal"],
      [{ driftInterval: 600 }, 422, "VALIDATION_FAILED", "driftInterval"],
      [{ name: "other" }, 422, "VALIDATION_FAILED", null],
      [
        { source: { kind: "git", repoUrl: "https://git.example.test/a.git", ref: "-bad" } },
        422,
        "VALIDATION_FAILED",
        "source.ref",
      ],
      [{ source: { kind: "helm" } }, 422, "VALIDATION_FAILED", null],
      [{ renderOptions: { kind: "jsonnet" } }, 422, "VALIDATION_FAILED", "renderOptions.kind"],
      [{ prune: "yes" }, 422, "VALIDATION_FAILED", "prune"],
    ];
    for (const [body, status, code, field] of refused) {
      const res = await patch(app.id, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
      if (field) expect(res.body.error.fields?.[field], JSON.stringify(res.body.error)).toBeDefined();
    }
    const viewed = await patch(app.id, { prune: false }, viewer);
    expect(viewed.status).toBe(403);
    expect(viewed.body.error.code).toBe("FORBIDDEN");
    expect((await patch("nope", { prune: false })).status).toBe(404);
    expect(await db().application.findUniqueOrThrow({ where: { id: app.id } })).toEqual(rowBefore);
    expect((await auditOf(app.id)).map((a) => a.action)).toEqual(["application.created"]);

    const source = { kind: "git", repoUrl: "https://git.example.test/Team/Web.git", ref: "release", path: "chart" };
    const renderOptions = {
      kind: "helm",
      helm: { releaseName: "web", valuesFiles: ["values-prod.yaml"], values: { replicas: 2 } },
    };
    const changed = await patch(app.id, { source, renderOptions, prune: false });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      id: app.id,
      mode: "push",
      source,
      renderOptions,
      prune: false,
      update: { changed: ["prune", "renderOptions", "source"], pendingDeployment: true, newRevision: false },
    });
    expect(changed.body.update.message).toContain("next deployment");
    expect(await db().application.findUniqueOrThrow({ where: { id: app.id } })).toMatchObject({
      sourceKind: "git",
      repoUrl: source.repoUrl,
      repoKey: repoKey(source.repoUrl),
      ref: "release",
      path: "chart",
      prune: false,
    });
    // Nothing runs by itself.
    expect(await db().deployment.count({ where: { applicationId: app.id } })).toBe(0);
    const audit = await auditOf(app.id);
    expect(audit.map((a) => a.action)).toEqual(["application.created", "application.updated"]);
    expect(JSON.parse(audit[1]!.details)).toMatchObject({
      changed: ["prune", "renderOptions", "source"],
      ref: "release",
    });

    // The same again changes nothing and writes nothing.
    const again = await patch(app.id, { source, renderOptions, prune: false });
    expect(again.body.update).toMatchObject({ changed: [], pendingDeployment: false });
    expect(await auditOf(app.id)).toHaveLength(2);
  });

  it("pull, on an approval-gated target: the repository changes with it, a new spec is recorded and the new revision waits for approval", async () => {
    const target = await createPullTarget({ requiredApprovals: 1, allowTokenApprovals: true });
    const agent = await createEnrolledAgent(admin, [target.id]);
    const url = `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`;
    const app = await create({
      name: "shop",
      targetId: target.id,
      source: { kind: "git", repoUrl: url, ref: "main", path: "deploy" },
    });
    const repoId: string = app.pullRepoId;

    // Revision 1 approved and applied.
    const spec1 = specOf(await assignment(agent, repoId));
    const sha1 = fakeSha();
    const rev1 = revisionIdOf(sha1, {}, specDigestOf(spec1));
    const request1 = await reportPending(agent, target.id, repoId, rev1, sha1);
    const approved = await callRoute(approvalsRoute.POST, {
      method: "POST",
      path: `/api/deployments/${request1!.id}/approvals`,
      params: { id: request1!.id },
      body: { decision: "approved" },
      as: approver,
    });
    expect(approved.status).toBe(201);
    expect(await assignment(agent, repoId)).toMatchObject({ approvedRevision: rev1, approvedSpec: spec1 });

    // Refused: nothing changes, on either row.
    const repoBefore = await db().pullRepo.findUniqueOrThrow({ where: { id: repoId } });
    const specsBefore = await db().pullRepoSpec.count({ where: { repoId } });
    const manifests = await patch(app.id, { source: { kind: "manifests" } });
    expect(manifests.status).toBe(422);
    expect(manifests.body.error).toMatchObject({ code: "VALIDATION_FAILED", fields: { source: [expect.any(String)] } });
    expect((await patch(app.id, { driftInterval: 5 })).status).toBe(422);
    expect(await db().pullRepo.findUniqueOrThrow({ where: { id: repoId } })).toEqual(repoBefore);
    expect(await db().pullRepoSpec.count({ where: { repoId } })).toBe(specsBefore);

    const changed = await patch(app.id, {
      source: { kind: "git", repoUrl: url, ref: "release", path: "overlays/prod" },
      prune: false,
      selfHeal: false,
      driftInterval: 600,
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      source: { kind: "git", repoUrl: url, ref: "release", path: "overlays/prod" },
      prune: false,
      selfHeal: false,
      driftInterval: 600,
      update: {
        changed: ["driftInterval", "prune", "selfHeal", "source"],
        pendingDeployment: false,
        newRevision: true,
        awaitingApproval: true,
      },
    });
    expect(changed.body.update.message).toContain("approv");
    expect(await db().pullRepo.findUniqueOrThrow({ where: { id: repoId } })).toMatchObject({
      branch: "release",
      path: "overlays/prod",
      prune: false,
      selfHeal: false,
    });

    // The agent sees the new settings but may apply only the approved revision, with the approved spec.
    const after = await assignment(agent, repoId);
    expect(after).toMatchObject({ branch: "release", path: "overlays/prod", prune: false, selfHeal: false });
    expect(after.approvedRevision).toBe(rev1);
    expect(after.approvedSpec).toEqual(spec1);
    const spec2 = specOf(after);
    const recorded = await db().pullRepoSpec.findUniqueOrThrow({
      where: { repoId_digest: { repoId, digest: specDigestOf(spec2) } },
    });
    expect(recorded.createdById).toBe(deployer.userId);
    const status = await db().repoStatus.findUnique({ where: { repoId } });
    if (status) expect(status.state).toBe("out-of-sync");

    // Its revision is a new request for the new folder, waiting for approval.
    const sha2 = fakeSha();
    const rev2 = revisionIdOf(sha2, {}, specDigestOf(spec2));
    const request2 = await reportPending(agent, target.id, repoId, rev2, sha2);
    expect(request2).toMatchObject({
      state: "pending-approval",
      gitRef: "release",
      gitPath: "overlays/prod",
      applicationId: app.id,
      settingsAuthorId: deployer.userId,
    });
    expect((await assignment(agent, repoId)).approvedRevision).toBe(rev1);

    // Both sides are audited, in the one transaction's order.
    const audit = await db().auditEvent.findMany({
      where: { targetId: target.id, action: { in: ["repo.updated", "application.updated"] } },
      orderBy: { seq: "asc" },
    });
    expect(audit.map((a) => [a.action, a.subjectId])).toEqual([
      ["repo.updated", repoId],
      ["application.updated", app.id],
    ]);
    expect(JSON.parse(audit[1]!.details)).toMatchObject({ newRevision: true, awaitingApproval: true });
  });

  it("pull: render options and drift interval are the application's own; a new revision exactly when the agent's spec changed", async () => {
    const target = await createPullTarget();
    const agent = await createEnrolledAgent(admin, [target.id]);
    const app = await create({
      name: "charts",
      targetId: target.id,
      source: { kind: "git", repoUrl: `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`, path: "chart" },
    });
    const repoId: string = app.pullRepoId;
    const repoBefore = await db().pullRepo.findUniqueOrThrow({ where: { id: repoId } });
    const digestBefore = specDigestOf(specOf(await assignment(agent, repoId)));
    const renderOptions = { kind: "helm", helm: { valuesFiles: ["values-dev.yaml"], values: { replicas: 1 } } };
    const res = await patch(app.id, { renderOptions, driftInterval: 120 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      renderOptions,
      driftInterval: 120,
      update: { changed: ["driftInterval", "renderOptions"], pendingDeployment: false, awaitingApproval: false },
    });
    const stored = await db().application.findUniqueOrThrow({ where: { id: app.id } });
    expect(JSON.parse(stored.renderOptions)).toEqual(renderOptions);
    expect(stored.driftInterval).toBe(120);
    // The registration's own columns are untouched.
    expect(await db().pullRepo.findUniqueOrThrow({ where: { id: repoId } })).toMatchObject({
      branch: repoBefore.branch,
      path: repoBefore.path,
      prune: repoBefore.prune,
    });
    const digestAfter = specDigestOf(specOf(await assignment(agent, repoId)));
    expect(res.body.update.newRevision).toBe(digestAfter !== digestBefore);
    const recorded = await db().pullRepoSpec.count({ where: { repoId, digest: digestAfter } });
    expect(recorded).toBe(1);
  });

  it("pull: a change that collides with another registration is refused and nothing changes", async () => {
    const target = await createPullTarget();
    const url = `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`;
    const a = await create({ name: "a", targetId: target.id, source: { kind: "git", repoUrl: url, path: "a" } });
    await create({ name: "b", targetId: target.id, source: { kind: "git", repoUrl: url, path: "b" } });
    const before = await db().application.findUniqueOrThrow({ where: { id: a.id }, include: { pullRepo: true } });
    const res = await patch(a.id, { source: { kind: "git", repoUrl: url, path: "b" }, prune: false });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("REPO_ALREADY_REGISTERED");
    expect(await db().application.findUniqueOrThrow({ where: { id: a.id }, include: { pullRepo: true } })).toEqual(
      before,
    );
  });
});

describe("PATCH /api/repos/:id", () => {
  it("changes its application's source and sync options in the same change", async () => {
    const target = await createPullTarget();
    const app = await create({
      name: "api",
      targetId: target.id,
      source: { kind: "git", repoUrl: "https://git.example.test/team/api.git", ref: "main", path: "deploy" },
    });
    const res = await callRoute(repoRoute.PATCH, {
      method: "PATCH",
      path: `/api/repos/${app.pullRepoId}`,
      params: { id: app.pullRepoId },
      body: {
        url: "git@git.example.test:team/api-v2.git",
        branch: "stable",
        path: "k8s",
        prune: false,
        selfHeal: false,
      },
      as: deployer,
    });
    expect(res.status, res.text).toBe(200);
    const row = await db().application.findUniqueOrThrow({ where: { id: app.id } });
    expect(row).toMatchObject({
      repoUrl: "git@git.example.test:team/api-v2.git",
      repoKey: repoKey("git@git.example.test:team/api-v2.git"),
      ref: "stable",
      path: "k8s",
      prune: false,
      selfHeal: false,
    });
    const view = await callRoute(applicationRoute.GET, {
      path: `/api/applications/${app.id}`,
      params: { id: app.id },
      as: viewer,
    });
    expect(view.body.source).toEqual({ kind: "git", repoUrl: row.repoUrl, ref: "stable", path: "k8s" });
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "repo.updated", subjectId: app.pullRepoId },
    });
    expect(JSON.parse(audit.details)).toMatchObject({ applicationId: app.id });
  });
});
