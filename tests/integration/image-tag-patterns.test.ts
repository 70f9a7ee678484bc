import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as assignmentsRoute from "@/app/api/agent/v1/assignments/route";
import * as repoRoute from "@/app/api/repos/[id]/route";
import * as reposRoute from "@/app/api/targets/[id]/repos/route";
import type { GitCache } from "@/lib/agent/git";
import { ZAssignments, type TSyncEventInput } from "@/lib/agent/protocol";
import type { RegistryClient } from "@/lib/agent/registry";
import { AgentState } from "@/lib/agent/state";
import { RepoReconciler } from "@/lib/agent/sync";
import { dbFor } from "@/lib/db/client";
import type { KubeClient } from "@/lib/kube";
import { callRoute, createCaller, type Caller } from "../support/api";
import { createEnrolledAgent, createPullTarget, fakeSha } from "../support/pull";
import { useTestDatabase } from "../support/test-db";

const t = useTestDatabase();
let admin: Caller;
let deployer: Caller;

beforeAll(async () => {
  admin = await createCaller("admin");
  deployer = await createCaller("deployer");
});

function register(targetId: string, tagPattern: string) {
  return callRoute(reposRoute.POST, {
    method: "POST",
    path: `/api/targets/${targetId}/repos`,
    params: { id: targetId },
    body: {
      url: `https://git.example.test/team/${fakeSha().slice(0, 8)}.git`,
      imagePolicies: [{ name: "app", repository: "127.0.0.1:5000/team/app", tagPattern }],
    },
    as: deployer,
  });
}

describe("image policy tag patterns at registration", () => {
  it("refuses patterns RE2 cannot run (lookaround, backreferences) and oversized ones with 422 and a clear message; stores nothing", async () => {
    const pull = await createPullTarget();
    for (const [pattern, says] of [
      ["^(?=main-)main-(\\d+)$", /lookaround/],
      ["^(\\d+)-\\1$", /Backreferences/],
      [`^${"a".repeat(300)}$`, /at most 256 characters/],
      ["^[a-z]{1,300}-(\\d+)$", /too complex/],
    ] as const) {
      const res = await register(pull.id, pattern);
      expect(res.status, pattern).toBe(422);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(JSON.stringify(res.body.error), pattern).toMatch(says);
    }
    expect(await dbFor(t.url).pullRepo.count({ where: { targetId: pull.id } })).toBe(0);
  });

  it("accepts linear-time patterns, named order groups included; the catastrophic-looking ^(a+)+$ is harmless under RE2", async () => {
    const pull = await createPullTarget();
    expect((await register(pull.id, "^main-(?<order>\\d+)$")).status).toBe(201);
    expect((await register(pull.id, "^(a+)+$")).status).toBe(201);
  });
});

describe("an image policy stored before tag patterns had to run on RE2", () => {
  // Registered when any JavaScript RegExp was accepted; the stricter check must not make it vanish on read: a repository
  // without its policy would sync the manifests' own, unpinned image tags.
  const legacyPattern = "^(?=main-)main-(\\d+)$";

  async function registerLegacy() {
    const pull = await createPullTarget();
    const created = await register(pull.id, "^main-(\\d+)$");
    expect(created.status).toBe(201);
    const repoId = created.body.id as string;
    const stored = [{ name: "app", repository: "127.0.0.1:5000/team/app", tagPattern: legacyPattern, targets: [] }];
    await dbFor(t.url).pullRepo.update({ where: { id: repoId }, data: { imagePolicies: JSON.stringify(stored) } });
    return { pull, repoId };
  }

  it("is shown on the repository with why it is invalid", async () => {
    const { repoId } = await registerLegacy();
    const res = await callRoute(repoRoute.GET, { path: `/api/repos/${repoId}`, params: { id: repoId }, as: deployer });
    expect(res.status).toBe(200);
    expect(res.body.imagePolicies).toEqual([
      expect.objectContaining({
        name: "app",
        tagPattern: legacyPattern,
        invalid: expect.stringMatching(/linear time.*lookaround/),
      }),
    ]);
  });

  it("reaches the agent in its assignment, and the agent fails that repository naming the policy instead of syncing without it", async () => {
    const { pull, repoId } = await registerLegacy();
    const agent = await createEnrolledAgent(admin, [pull.id]);
    const polled = await callRoute(assignmentsRoute.GET, { path: "/api/agent/v1/assignments", as: agent });
    expect(polled.status).toBe(200);
    const target = ZAssignments.parse(polled.body).targets.find((a) => a.targetId === pull.id);
    const repo = target?.repos.find((r) => r.repoId === repoId);
    expect(repo?.imagePolicies).toEqual([expect.objectContaining({ name: "app", tagPattern: legacyPattern })]);

    // The agent's reconciler with Git answering and nothing else reachable: it must stop before registry and cluster.
    const events: TSyncEventInput[] = [];
    const registryCalls: string[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wharf-agent-"));
    try {
      const reconciler = new RepoReconciler(
        {
          client: {} as KubeClient,
          git: {
            fetch: () =>
              Promise.resolve({
                sha: fakeSha(),
                authorName: "a",
                authorEmail: "a@example.test",
                date: new Date().toISOString(),
                message: "m",
              }),
          } as unknown as GitCache,
          registry: {
            listTags: (registry: string) => (registryCalls.push(registry), Promise.resolve(["main-1"])),
          } as unknown as RegistryClient,
          state: new AgentState(dir),
          emit: (e) => events.push(e),
          log: () => undefined,
        },
        repoId,
      );
      const error = await reconciler.reconcile(target!, repo!, "registered");
      expect(error?.code).toBe("IMAGE_POLICY_INVALID");
      expect(error?.message).toMatch(/image policy "app" has a tag pattern Wharf cannot run: .*lookaround/);
      expect(reconciler.status.state).toBe("failed");
      expect(events).toEqual([expect.objectContaining({ repoId, result: "failed" })]);
      expect(registryCalls).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is refused if sent again, so it can only be fixed, not re-registered", async () => {
    const { repoId } = await registerLegacy();
    const res = await callRoute(repoRoute.PATCH, {
      method: "PATCH",
      path: `/api/repos/${repoId}`,
      params: { id: repoId },
      body: { imagePolicies: [{ name: "app", repository: "127.0.0.1:5000/team/app", tagPattern: legacyPattern }] },
      as: deployer,
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body.error)).toMatch(/lookaround/);
  });
});
