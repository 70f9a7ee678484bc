import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specOf, type TRepoAssignment } from "@/lib/agent/protocol";
import { specDigestOf } from "@/lib/agent/spec";
import { startGitServer, type GitServer } from "@/tests/support/git-server";
import { repoAssignment, startFakeWharf, targetAssignment } from "@/tests/support/agent-wharf";
import { agentClusterAccess, appManifests, AUTHOR, startTestAgent } from "./agent-support";
import { startKube, uniqueName } from "./lib-support";

// The agent's half of "a pin request shows what it changes" (issue 15, Must 4): each pin request awaiting approval in
// the assignment (pendingPins) is dry-run once per request and reported with its diff and request id; nothing of it
// reaches the cluster; a dry run that fails is reported with its reason, once per reason.

let kube: Awaited<ReturnType<typeof startKube>>;
let git: GitServer;

beforeAll(async () => {
  [kube, git] = await Promise.all([startKube({ rolloutDelayMs: 200 }), startGitServer()]);
});
afterAll(async () => {
  await Promise.all([kube?.stop(), git?.stop()]);
});

describe("pull agent: pin requests awaiting approval", () => {
  it("dry-runs each once per request, reports its diff with the request id, and applies nothing", async () => {
    const ns = uniqueName("pin-dry");
    const repo = await git.createRepo(`${ns}.git`);
    const first = await repo.commit({
      files: appManifests({ image: "nginx:1.27", replicas: 1 }),
      author: AUTHOR,
      message: "first",
    });
    const second = await repo.commit({
      files: appManifests({ image: "nginx:1.28", replicas: 1 }),
      author: AUTHOR,
      message: "second",
    });
    const agentClient = await agentClusterAccess(kube.cluster, kube.client, [ns], `agent-${ns}`);
    const wharf = await startFakeWharf();
    const repoId = `repo-${ns}`;
    const assignment: TRepoAssignment = repoAssignment({
      repoId,
      url: repo.url,
      path: "deploy",
      pollIntervalSeconds: 3600,
    });
    const spec = specOf(assignment);
    const revision = (sha: string) => `${sha}@${specDigestOf(spec)}`;
    // Prod runs the first commit (approved); its branch head, the second, waits for approval.
    wharf.setTargets([
      targetAssignment({
        targetId: `target-${ns}`,
        defaultNamespace: ns,
        requiresApproval: true,
        repos: [{ ...assignment, approvedRevision: revision(first), approvedSpec: spec }],
      }),
    ]);
    const image = async () =>
      (
        (await kube.client.get({
          apiVersion: "apps/v1",
          kind: "Deployment",
          namespace: ns,
          name: "web",
        })) as unknown as {
          spec: { template: { spec: { containers: { image: string }[] } } };
        }
      ).spec.template.spec.containers[0]!.image;
    const agent = await startTestAgent({ wharfUrl: wharf.url, credential: wharf.credential, kubeClient: agentClient });
    try {
      await wharf.waitForEvent((e) => e.result === "synced" && e.revision?.id === revision(first));
      // The branch's own report of the second commit, asking approval (no request id).
      await wharf.waitForEvent((e) => e.result === "pending-approval" && e.revision?.sha === second && !e.pinRequestId);

      // A person's pin request of that same revision: reported again, for the request, with its diff.
      wharf.updateRepo(repoId, { pendingPins: [{ requestId: "req-1", revision: revision(second), spec }] });
      const pinned = await wharf.waitForEvent((e) => e.pinRequestId === "req-1");
      expect(pinned).toMatchObject({ kind: "pending-approval", result: "pending-approval" });
      expect(pinned.revision?.id).toBe(revision(second));
      const web = pinned.diff?.objects.find((o) => o.ref.kind === "Deployment" && o.ref.name === "web");
      expect(web?.action).toBe("change");
      expect(web?.changes).toContainEqual(
        expect.objectContaining({
          path: "spec.template.spec.containers[name=web].image",
          old: "nginx:1.27",
          new: "nginx:1.28",
        }),
      );
      expect(await image()).toBe("nginx:1.27");

      // Once per request: another reconciliation reports nothing new for it (checked below, once later events came).
      await agent.syncNow(repoId);

      // A commit the repository does not have: the failure is reported with its reason, once.
      const missing = "0123456789abcdef0123456789abcdef01234567";
      wharf.updateRepo(repoId, {
        pendingPins: [
          { requestId: "req-1", revision: revision(second), spec },
          { requestId: "req-2", revision: revision(missing), spec },
        ],
      });
      const failed = await wharf.waitForEvent((e) => e.pinRequestId === "req-2");
      expect(failed.diff).toBeUndefined();
      expect(failed.message).toMatch(/dry run of pinned revision .* failed/);
      await agent.syncNow(repoId);

      // The same revision asked for again in a new request (the first was rejected): reported for that one too.
      wharf.updateRepo(repoId, { pendingPins: [{ requestId: "req-3", revision: revision(second), spec }] });
      await wharf.waitForEvent((e) => e.pinRequestId === "req-3");
      // Events arrive in order: a repeat of req-1 or req-2 would have come before req-3's.
      expect(wharf.events.filter((e) => e.pinRequestId === "req-1")).toHaveLength(1);
      expect(wharf.events.filter((e) => e.pinRequestId === "req-2")).toHaveLength(1);
      expect(await image()).toBe("nginx:1.27");
      expect(agent.status().get(repoId)?.revision).toBe(revision(first));
    } finally {
      await agent.stop();
      await wharf.stop();
      await agentClient.close();
    }
  }, 180_000);
});
