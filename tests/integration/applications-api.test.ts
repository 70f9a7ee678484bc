import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as applicationRoute from "@/app/api/applications/[id]/route";
import * as applicationsRoute from "@/app/api/applications/route";
import * as deploymentsRoute from "@/app/api/deployments/route";
import * as bindingsRoute from "@/app/api/targets/[id]/repo-bindings/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import { ZAssignments } from "@/lib/agent/protocol";
import { dbFor } from "@/lib/db/client";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, createPushTarget } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

// Applications through the API, and the routes that predate them: a push deployment or binding without an
// application lands in the target's default application (keyed by the target id, the push ApplySet key it always
// had), a registered repository gets a pull application of its own, and the agent receives its inventory key.
const t = useTestDatabase();
const db = () => dbFor(t.url);
let admin: Caller;
let deployer: Caller;
let viewer: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
  deployer = await createCaller("deployer");
  viewer = await createCaller("viewer");
});

const create = (body: unknown, as: Caller = deployer) =>
  callRoute(applicationsRoute.POST, { method: "POST", path: "/api/applications", body, as });
const list = (query: string, as: Caller = viewer) =>
  callRoute(applicationsRoute.GET, { path: `/api/applications?${query}`, as });
const CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: '1'\n";

describe("applications", () => {
  it("are created on a push target in its mode, audited, with a new ApplySet key; names are DNS labels unique per target", async () => {
    const target = await createPushTarget();
    const created = await create({ name: "web", targetId: target.id, source: { kind: "manifests" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "web",
      mode: "push",
      target: { id: target.id, name: target.name, mode: "push" },
      source: { kind: "manifests", repoUrl: null },
      renderOptions: { kind: "auto" },
      prune: true,
      pullRepoId: null,
      lastDeployment: null,
    });
    expect(created.body.inventoryKey).toBe(created.body.id);
    const audit = await db().auditEvent.findMany({
      where: { action: "application.created", subjectId: created.body.id },
    });
    expect(audit).toHaveLength(1);

    expect((await create({ name: "web", targetId: target.id, source: { kind: "manifests" } })).status).toBe(409);
    const bad = await create({ name: "Web_App", targetId: target.id, source: { kind: "manifests" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.name).toBeDefined();
    expect((await create({ name: "api", targetId: target.id, source: { kind: "manifests" } }, viewer)).status).toBe(
      403,
    );
    expect((await create({ name: "api", targetId: "nope", source: { kind: "manifests" } })).status).toBe(404);

    const one = await callRoute(applicationRoute.GET, {
      path: `/api/applications/${created.body.id}`,
      params: { id: created.body.id },
      as: viewer,
    });
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(created.body.id);
    expect(
      (await callRoute(applicationRoute.GET, { path: "/api/applications/x", params: { id: "x" }, as: viewer })).status,
    ).toBe(404);
  });

  it("on a pull target register their repository in the same request, and the agent gets the inventory key", async () => {
    const target = await createPullTarget();
    const manifests = await create({ name: "shop", targetId: target.id, source: { kind: "manifests" } });
    expect(manifests.status).toBe(422);
    const created = await create({
      name: "shop",
      targetId: target.id,
      source: { kind: "git", repoUrl: "https://git.example.test/team/shop.git", ref: "main", path: "deploy" },
      prune: false,
      driftInterval: 300,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "shop", mode: "pull", prune: false, driftInterval: 300 });
    const repo = await db().pullRepo.findUniqueOrThrow({ where: { id: created.body.pullRepoId } });
    expect(repo).toMatchObject({ applicationId: created.body.id, path: "deploy", prune: false });
    const actions = await db().auditEvent.findMany({ where: { targetId: target.id }, orderBy: { seq: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["application.created", "repo.registered"]);

    // The route that predates applications makes one named after the repository's last segment and path.
    const registered = await callRoute(reposRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repos`,
      params: { id: target.id },
      body: { url: "https://git.example.test/other/shop.git", path: "deploy" },
      as: deployer,
    });
    expect(registered.status).toBe(201);
    const other = await db().pullRepo.findUniqueOrThrow({
      where: { id: registered.body.id },
      include: { application: true },
    });
    expect(other.application).toMatchObject({ name: "shop-deploy", mode: "pull", repoUrl: other.url });

    const agent = await createEnrolledAgent(admin, [target.id]);
    const polled = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
    expect(polled.status).toBe(200);
    const repos = ZAssignments.parse(polled.body).targets[0]!.repos;
    expect(repos.map((r) => [r.repoId, r.inventoryKey])).toEqual([
      [repo.id, created.body.inventoryKey],
      [other.id, other.application!.inventoryKey],
    ]);
  });

  it("take today's push requests and bindings into the target's default application, or the named one", async () => {
    const target = await createPushTarget();
    const binding = await callRoute(bindingsRoute.POST, {
      method: "POST",
      path: `/api/targets/${target.id}/repo-bindings`,
      params: { id: target.id },
      body: { repoUrl: "https://git.example.test/team/web.git", branch: "main", path: "." },
      as: admin,
    });
    expect(binding.status).toBe(201);
    const deployed = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: { targetId: target.id, source: { kind: "manifests", manifests: CONFIG_MAP } },
      as: deployer,
    });
    expect(deployed.status).toBe(201);
    const named = await callRoute(deploymentsRoute.POST, {
      method: "POST",
      path: "/api/deployments",
      body: { targetId: target.id, application: "worker", source: { kind: "manifests", manifests: CONFIG_MAP } },
      as: deployer,
    });
    expect(named.status).toBe(201);

    const apps = await db().application.findMany({ where: { targetId: target.id }, orderBy: { name: "asc" } });
    const byName = Object.fromEntries(apps.map((a) => [a.name, a]));
    expect(Object.keys(byName).sort()).toEqual([target.name, "worker"].sort());
    const fallback = byName[target.name]!;
    expect(fallback).toMatchObject({ inventoryKey: target.id, mode: "push", sourceKind: "git" });
    expect(byName.worker!.inventoryKey).toBe(byName.worker!.id);
    expect(await db().repoBinding.findUniqueOrThrow({ where: { id: binding.body.binding.id } })).toMatchObject({
      applicationId: fallback.id,
    });
    expect(await db().deployment.findUniqueOrThrow({ where: { id: deployed.body.id } })).toMatchObject({
      applicationId: fallback.id,
    });
    expect(await db().deployment.findUniqueOrThrow({ where: { id: named.body.id } })).toMatchObject({
      applicationId: byName.worker!.id,
    });

    // Each lists with its newest deployment; the name filter finds one application across targets.
    const page = await list(`targetId=${target.id}`);
    expect(page.status).toBe(200);
    const worker = page.body.items.find((a: { name: string }) => a.name === "worker");
    expect(worker.lastDeployment.id).toBe(named.body.id);
    expect((await list("name=worker")).body.items.map((a: { id: string }) => a.id)).toEqual([byName.worker!.id]);
  });

  it("list by name, then id, one keyset page after another", async () => {
    const targets = [await createPushTarget(), await createPushTarget()];
    for (const target of targets)
      for (const name of ["alpha", "beta"])
        expect((await create({ name, targetId: target.id, source: { kind: "manifests" } })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(`limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((a: { id: string }) => a.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await db().application.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] });
    expect(seen).toEqual(all.map((a) => a.id));
    expect((await list("cursor=garbage")).status).toBe(422);
  });
});
